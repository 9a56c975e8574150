"""What a blob store is: opaque bytes under a relative key, and the one rule for what a key is.

The caller encrypts before `put` and decrypts after `get`; a store never sees plaintext, so it
needs no notion of tenants or images beyond the key. Every store checks keys with `check_key`
before any I/O, so a key that one backend accepts is accepted (and means the same) by all.
"""

from __future__ import annotations

import re
from typing import Final, Protocol, runtime_checkable

from hawiya.providers.errors import ProviderError

MAX_KEY_LENGTH: Final = 512
# One path segment becomes one file name in the local store; NAME_MAX is 255 bytes, and the
# temporary file written beside it needs room for a suffix.
MAX_SEGMENT_LENGTH: Final = 200
_ALLOWED = re.compile(r"[A-Za-z0-9._/-]+")


class BlobNotFound(ProviderError):
    """No blob under the key. Not a failure of the store: the caller decides what it means."""

    def __init__(self, provider: str, key: str) -> None:
        super().__init__(provider, f"no blob under {key!r}")
        self.key = key


@runtime_checkable
class BlobStore(Protocol):
    """Keeps opaque bytes under keys such as `tenants/<uuid>/transactions/<uuid>/front.jpg.enc`.

    `put` replaces any blob under the key, atomically: a concurrent `get` sees the old bytes or
    the new ones, never a mix. `get` raises BlobNotFound for a missing key. `delete` of a missing
    key is not an error. `delete_prefix` removes every blob whose key starts with the prefix (a
    plain string prefix, as in S3: "tenants/ab" also matches "tenants/abc/...") and returns how
    many it removed; it exists for per-tenant purges. A malformed key or prefix is a ValueError
    before any I/O; failures of the store are ProviderUnavailable (retrying may help) or
    ProviderRejected (it will not). Blob contents never reach a log line or an error reason.
    """

    name: str

    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...

    async def delete_prefix(self, prefix: str) -> int: ...


def check_key(key: str, *, prefix: bool = False) -> str:
    """Return `key` unchanged if it is a well-formed relative key, else raise ValueError.

    A key is 1 to 512 characters of [A-Za-z0-9._/-], made of non-empty "/"-separated segments
    of at most 200 characters, none of them "."; it does not start or end with "/" and contains
    no ".." anywhere. So a key can never climb out of a directory, name a directory, or be spelt
    two ways (no "a//b", no "./a") that a filesystem would merge but S3 would keep apart.
    With prefix=True a trailing "/" is allowed (and the last segment may be partial): that is
    the form `delete_prefix` takes.
    """
    what = "prefix" if prefix else "key"
    if not isinstance(key, str):
        raise ValueError(f"blob {what} must be a string")
    if not key:
        raise ValueError(f"blob {what} is empty")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"blob {what} is longer than {MAX_KEY_LENGTH} characters")
    # Checked before the character class only to give the more useful message.
    if "\x00" in key:
        raise ValueError(f"blob {what} contains a NUL character")
    if "\\" in key:
        raise ValueError(f"blob {what} contains a backslash")
    if key.startswith("/"):
        raise ValueError(f"blob {what} must be relative (it starts with '/')")
    if ".." in key:
        raise ValueError(f"blob {what} contains '..'")
    if not _ALLOWED.fullmatch(key):
        raise ValueError(f"blob {what} may contain only A-Z, a-z, 0-9, '.', '_', '-' and '/'")
    segments = key.split("/")
    if prefix and segments[-1] == "":
        segments.pop()
    for segment in segments:
        if not segment:
            raise ValueError(f"blob {what} has an empty path segment ('//' or a trailing '/')")
        if segment == ".":
            raise ValueError(f"blob {what} has a '.' path segment")
        if len(segment) > MAX_SEGMENT_LENGTH:
            raise ValueError(
                f"blob {what} has a path segment longer than {MAX_SEGMENT_LENGTH} characters"
            )
    return key
