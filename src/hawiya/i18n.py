"""Response language from Accept-Language or the SDKs' Accept_Language (underscore) header."""

from __future__ import annotations

from collections.abc import Mapping


def pick_language(headers: Mapping[str, str]) -> str:
    raw = headers.get("accept-language") or headers.get("accept_language") or ""
    for part in raw.split(","):
        tag = part.split(";", 1)[0].strip().lower()
        if tag.startswith("ar"):
            return "ar"
        if tag.startswith("en"):
            return "en"
    return "en"
