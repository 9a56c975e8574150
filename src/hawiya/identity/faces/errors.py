"""Face error codes, as vlens-api.md §4.4 and vlens-clients.md name them, and when each is used.

- 4206 "more than one face in the image": a second face at least `second_face_ratio` as wide as
  the largest one (selfies and liveness frames; on an ID photo the largest face is taken).
- 4207 "no face detected": the detector finds no face at all.
- 4208 "make sure there is a face in the image" (face missing): a face is found but is cut by
  the picture's edge or too small to use; the user must put the face in the frame.
- 4209 "face capture unclear, recapture": a face is found but its landmarks cannot be read, it
  is far too dark or too bright, or it has too little real detail to be matched reliably
  (blurred, or a small face scaled up: `quality`; the ID photo has its own, lower limit). The
  card reader turns any unusable face on the ID front into 3014.
- 4210 "face capture unclear" (second variant, IOS+ only): suggested for `validation_errors`
  when a liveness check fails (duplicate frames, no challenge movement, different people),
  beside `services.liveness: false`. INFERRED: the spec has no liveness code of its own.
- 3014 "no face found in the ID image": `source="id_card"` and no face.
- 7008 "processing failure: face matching": for the caller, on an unexpected exception; never
  raised here.
"""

from __future__ import annotations

from typing import Any

MORE_THAN_ONE_FACE = 4206
NO_FACE = 4207
FACE_NOT_IN_FRAME = 4208
FACE_UNCLEAR = 4209
LIVENESS_FAILED = 4210
NO_FACE_ON_ID = 3014
FACE_MATCH_FAILURE = 7008


class FaceError(ValueError):
    """A face image the service cannot use; `code` is the spec's code, `frame` the 0-based index
    of the liveness frame (None outside liveness)."""

    def __init__(self, code: int, reason: str, *, frame: int | None = None) -> None:
        super().__init__(reason if frame is None else f"face_{frame + 1}: {reason}")
        self.code = code
        self.reason = reason
        self.frame = frame

    def __reduce__(self) -> tuple[type[FaceError], tuple[int, str], dict[str, int | None]]:
        # Keeps the code across a process pool (the default would re-call __init__ with the
        # message alone).
        return (FaceError, (self.code, self.reason), {"frame": self.frame})

    def __setstate__(self, state: dict[str, Any] | None) -> None:
        frame = (state or {}).get("frame")
        self.frame = frame
        if frame is not None:
            self.args = (f"face_{frame + 1}: {self.reason}",)
