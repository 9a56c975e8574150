"""Faces: detection and embedding (`embedder`), face match (`match`), liveness on the SDKs' three
frames (`liveness`), and synthetic frame sets for tests and the benchmark (`synthetic`).

Every public function is synchronous and pure (pictures in, frozen values out) and CPU-bound:
the caller runs it in a process pool whose initialiser calls `warm_up()`, with one thread per
worker (`OMP_NUM_THREADS=1`, `cv2.setNumThreads(1)`). Importing this package loads no model.

Models and their licences (every file ships inside a wheel; nothing is downloaded at run time):

| model | from | licence |
|---|---|---|
| HOG frontal face detector | compiled into `dlib-bin` 20.0.1.post1 (dlib) | Boost Software License 1.0 (dlib) |
| `shape_predictor_5_face_landmarks.dat` (5-point alignment) | `face-recognition-models` 0.3.0, by Davis King (dlib-models) | CC0 1.0 / public domain, as the package states; trained on dlib's own 5-point face dataset |
| `dlib_face_recognition_resnet_model_v1.dat` (128-d embedding) | `face-recognition-models` 0.3.0, by Davis King (dlib-models) | CC0 1.0 / public domain, as the package states |
| face detector (BlazeFace short range) and face mesh with attention (478 landmarks) | `mediapipe` 0.10.21, `mediapipe/modules/face_detection`, `.../face_landmark` | Apache-2.0 |

Not used: `shape_predictor_68_face_landmarks.dat` from the same wheel, trained on iBUG 300-W,
whose licence forbids commercial use; the `face_recognition` package (not needed).

Test pictures (`synthetic`): NASA's photo of Eileen Collins (`skimage.data.astronaut()`,
scikit-image) and the US Navy's photo of Grace Hopper (matplotlib `sample_data`), both public
domain works of the US government.
"""  # noqa: E501

from __future__ import annotations

from hawiya.identity.faces.errors import FaceError
from hawiya.identity.faces.models import warm_up

__all__ = ["FaceError", "warm_up"]
