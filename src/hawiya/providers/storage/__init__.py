"""Blob storage for encrypted identity images: the local file store (embedded default) and S3.

The caller encrypts before `put` and decrypts after `get`; a store keeps opaque bytes under
relative keys such as `tenants/<uuid>/transactions/<uuid>/front.jpg.enc` (see `check_key`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from hawiya.providers._config import ConfigReader
from hawiya.providers._http import DEFAULT_TIMEOUT
from hawiya.providers.storage.base import BlobNotFound, BlobStore, check_key
from hawiya.providers.storage.local import LocalFileStore
from hawiya.providers.storage.s3 import S3Store

__all__ = [
    "BLOB_STORE_KINDS",
    "BlobNotFound",
    "BlobStore",
    "LocalFileStore",
    "S3Store",
    "blobs_dir_for",
    "build_blob_store",
    "check_key",
]

BLOB_STORE_KINDS: Final = ("local", "s3")


def blobs_dir_for(data_dir: Path) -> Path:
    """Where the local blob store lives by default for a given data directory."""
    return data_dir / "blobs"


def build_blob_store(kind: str, config: Mapping[str, Any], *, data_dir: Path) -> BlobStore:
    """Build a blob store from its kind and configuration; ValueError names what is wrong.

    local: root (optional; default <data_dir>/blobs, a relative root is taken from data_dir).
    s3: endpoint_url, bucket, access_key, secret_key (required); region (default us-east-1),
        prefix (default none), timeout (seconds, default 10).
    """
    if kind == "local":
        c = ConfigReader("blob store local", config, ("root",))
        root = c.optional_string("root")
        return LocalFileStore(data_dir / root if root is not None else blobs_dir_for(data_dir))
    if kind == "s3":
        c = ConfigReader(
            "blob store s3",
            config,
            ("endpoint_url", "bucket", "access_key", "secret_key", "region", "prefix", "timeout"),
        )
        # An empty prefix is a natural way to write "none"; ConfigReader refuses empty strings.
        prefix = "" if config.get("prefix") == "" else c.optional_string("prefix", "") or ""
        return S3Store(
            c.string("endpoint_url"),
            c.string("bucket"),
            c.string("access_key"),
            c.secret("secret_key"),
            region=c.optional_string("region", "us-east-1") or "us-east-1",
            prefix=prefix,
            timeout=c.number("timeout", DEFAULT_TIMEOUT),
        )
    raise ValueError(f"unknown blob store kind {kind!r}; expected one of {BLOB_STORE_KINDS}")
