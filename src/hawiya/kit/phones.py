"""Phone numbers: parsed and validated with libphonenumber's metadata, returned as E.164."""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType


class PhoneRejected(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "invalid" | "country_not_allowed" | "not_mobile"


_ALLOWED = re.compile(r"\+?[0-9][0-9 ()./-]*")
_MOBILE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalize_phone(raw: str, allowed_regions: Iterable[str] = ("EG",)) -> str:
    """E.164 for a valid mobile number of an allowed region (ISO 3166 codes, e.g. "EG").

    Numbers without a country code are read as Egyptian (the product's home market), so
    "01012345678" becomes "+201012345678".
    """
    text = (raw or "").strip()
    # Digits and the usual separators only: libphonenumber reads letters as vanity digits.
    if not text or len(text) > 32 or not _ALLOWED.fullmatch(text):
        raise PhoneRejected("invalid")
    try:
        number = phonenumbers.parse(text, "EG")
    except NumberParseException:
        raise PhoneRejected("invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneRejected("invalid")
    region = phonenumbers.region_code_for_number(number)
    if region not in {r.upper() for r in allowed_regions}:
        raise PhoneRejected("country_not_allowed")
    if phonenumbers.number_type(number) not in _MOBILE:
        raise PhoneRejected("not_mobile")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def national_number(e164: str) -> str:
    """The national significant number ("+201012345678" -> "1012345678"): the digits every local
    way of writing the number contains, so a password holding the number in any form is found."""
    try:
        return str(phonenumbers.parse(e164, None).national_number)
    except NumberParseException:
        return e164.lstrip("+")
