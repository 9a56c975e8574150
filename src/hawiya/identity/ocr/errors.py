"""The card-reading codes of vlens-api.md §4.4, and when each is used.

- 3001 invalid ID number: not 14 digits, a century digit other than 2 or 3, a wrong check digit
  (`national_id.parse`), or a number the digit reader could not read whole.
- 3002 invalid birth date: the date the number encodes is impossible or in the future.
- 3003 invalid governorate: the number's governorate code is unknown.
- 3004 invalid ID key: the card key under the photo does not read as two letters and 7 digits.
- 3005 invalid gender: the gender printed on the back contradicts the number.
- 3006 invalid release date: after `today`, before the holder's birth, or not before the expiry.
- 3007 / 3008 / 3009 wrong date format of the birth / release / expiry date: the digits read
  are not a `YYYY/MM/DD` calendar date. The current card prints no birth date (the birth date
  comes from the number, so a bad one is 3002); 3007 is kept for a layout that prints it.
- 3010 document expired: the expiry date is before `today` (permanent: no retry helps).
- 3011 card not detected: no card-shaped quadrilateral in the photo (raised, not listed).
- 3014 no face in the ID photo: decided by the face engine on `FrontResult.photo`.
- 3101 the ID number differs between the front and the back (`cross_check`).
"""

from __future__ import annotations

INVALID_ID_NUMBER = 3001
INVALID_BIRTH_DATE = 3002
INVALID_GOVERNORATE = 3003
INVALID_ID_KEY = 3004
INVALID_GENDER = 3005
INVALID_RELEASE_DATE = 3006
BAD_BIRTH_DATE_FORMAT = 3007
BAD_RELEASE_DATE_FORMAT = 3008
BAD_EXPIRY_DATE_FORMAT = 3009
DOCUMENT_EXPIRED = 3010
CARD_NOT_DETECTED = 3011
NO_FACE_ON_ID = 3014
ID_NUMBER_MISMATCH = 3101


class OcrError(ValueError):
    """A photo the card reader cannot use at all; `code` is the spec's code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def __reduce__(self) -> tuple[type[OcrError], tuple[int, str]]:
        # Keeps the code across a process pool (the default would re-call __init__ with the
        # message alone).
        return (type(self), (self.code, self.reason))


class CardNotDetected(OcrError):
    """3011: no card in the photo (or too little of one to read)."""

    def __init__(self, code: int = CARD_NOT_DETECTED, reason: str = "card not detected") -> None:
        super().__init__(code, reason)
