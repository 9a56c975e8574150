"""Arabic words through Tesseract (`tesserocr` wheel, Tesseract 5.5.4 bundled; Debian's
`tesseract-ocr-ara` traineddata).

One `PyTessBaseAPI` per thread, created on first use and kept: the API is not thread-safe and
loading a language costs about 100 ms. Lines are read in RAW_LINE mode: the line is already
found, and Tesseract's own layout analysis drops some short bold lines altogether (it returned
nothing for about a fifth of the card's name lines in SINGLE_LINE mode).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

TESSDATA = "/usr/share/tesseract-ocr/5/tessdata/"
LANGUAGE = "ara"


class TesseractMissing(RuntimeError):
    """The Tesseract language data is not installed (a deployment error, never a client's)."""


_local = threading.local()


def _api() -> Any:
    api = getattr(_local, "api", None)
    if api is None:
        # A native library: loaded only by the processes that read cards.
        import tesserocr  # type: ignore[import-untyped]

        if not (Path(TESSDATA) / f"{LANGUAGE}.traineddata").is_file():
            raise TesseractMissing(
                f"{TESSDATA}{LANGUAGE}.traineddata is missing: install the Debian package "
                "tesseract-ocr-ara"
            )
        api = tesserocr.PyTessBaseAPI(path=TESSDATA, lang=LANGUAGE, psm=tesserocr.PSM.RAW_LINE)
        _local.api = api
    return api


def read_line(image: npt.NDArray[np.uint8]) -> tuple[str, float]:
    """The text of a one-line grey image (dark print on white) and Tesseract's confidence,
    0 to 1."""
    api = _api()
    pixels = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = pixels.shape
    api.SetImageBytes(pixels.tobytes(), width, height, 1, width)
    text = str(api.GetUTF8Text())
    confidence = float(api.MeanTextConf()) / 100.0
    return text, max(0.0, min(1.0, confidence))


def warm_up() -> None:
    """Load the language now (a worker's initialiser) rather than on the first card."""
    _api()
