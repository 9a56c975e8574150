"""The face models, loaded once per process on first use (or by `warm_up()` in a worker's
initialiser). Nothing is downloaded: every file ships inside an installed wheel.

- dlib's HOG frontal face detector is compiled into dlib (`dlib-bin`).
- `shape_predictor_5_face_landmarks.dat` and `dlib_face_recognition_resnet_model_v1.dat` come
  from the `face-recognition-models` wheel. They are located through the package's import spec,
  without executing its `__init__` (which imports the deprecated `pkg_resources`). The 68-point
  predictor in the same wheel is never loaded: its training data (iBUG 300-W) forbids commercial
  use.
- MediaPipe's legacy face mesh (`mediapipe==0.10.21`, the last release whose
  `mp.solutions.face_mesh` carries its `.tflite` models in the wheel).

The models are not thread-safe; each is used under a lock, and the intended deployment is one
process per core (a process pool) calling the synchronous functions of this package.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHAPE_MODEL = "shape_predictor_5_face_landmarks.dat"
EMBEDDING_MODEL = "dlib_face_recognition_resnet_model_v1.dat"


class ModelsMissing(RuntimeError):
    """A model package is not installed (a deployment error, never a client's)."""


@dataclass(frozen=True, slots=True)
class DlibModels:
    detector: Any  # dlib.fhog_object_detector
    shape_predictor: Any  # dlib.shape_predictor (5 points)
    recognizer: Any  # dlib.face_recognition_model_v1
    lock: threading.Lock


@dataclass(frozen=True, slots=True)
class MeshModel:
    mesh: Any  # mediapipe.solutions.face_mesh.FaceMesh
    lock: threading.Lock


_load_lock = threading.Lock()
_dlib: DlibModels | None = None
_mesh: MeshModel | None = None


def models_dir() -> Path:
    """The `models/` folder of the installed face-recognition-models wheel."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModelsMissing("face-recognition-models is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    for name in (SHAPE_MODEL, EMBEDDING_MODEL):
        if not (folder / name).is_file():
            raise ModelsMissing(f"{name} missing from {folder}")
    return folder


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@functools.cache
def embedding_model_version() -> str:
    """What BIO-1 asks a decision to name: the embedding model and the code that ran it."""
    return (
        f"dlib_face_recognition_resnet_model_v1+shape_predictor_5_face_landmarks"
        f" (dlib {_version('dlib-bin')}, face-recognition-models"
        f" {_version('face-recognition-models')})"
    )


@functools.cache
def liveness_model_version() -> str:
    return f"{embedding_model_version()}; mediapipe face_mesh {_version('mediapipe')}"


def dlib_models() -> DlibModels:
    global _dlib
    if _dlib is None:
        with _load_lock:
            if _dlib is None:
                import dlib  # type: ignore[import-untyped]

                folder = models_dir()
                _dlib = DlibModels(
                    detector=dlib.get_frontal_face_detector(),
                    shape_predictor=dlib.shape_predictor(str(folder / SHAPE_MODEL)),
                    recognizer=dlib.face_recognition_model_v1(str(folder / EMBEDDING_MODEL)),
                    lock=threading.Lock(),
                )
    return _dlib


def mesh_model() -> MeshModel:
    global _mesh
    if _mesh is None:
        with _load_lock:
            if _mesh is None:
                from mediapipe.python.solutions import (  # type: ignore[import-untyped]
                    face_mesh,
                )

                _mesh = MeshModel(
                    mesh=face_mesh.FaceMesh(
                        static_image_mode=True,  # every frame is a still: no tracking state
                        max_num_faces=1,
                        refine_landmarks=True,  # 478 points: the iris too
                        min_detection_confidence=0.5,
                    ),
                    lock=threading.Lock(),
                )
    return _mesh


def warm_up() -> None:
    """Load every model now (a process pool's initialiser), and run each once so the first real
    request does not pay for lazy allocations."""
    import numpy as np

    dlib_ = dlib_models()
    mesh = mesh_model()
    blank = np.zeros((240, 320, 3), dtype=np.uint8)
    with dlib_.lock:
        dlib_.detector.run(blank, 0, 0.0)
    with mesh.lock:
        mesh.mesh.process(blank)
