"""Blobs in any S3-compatible object store (AWS S3, MinIO, Ceph RGW), over plain HTTP.

Path-style URLs (<endpoint>/<bucket>/<prefix><key>) work on every such service, unlike
virtual-host style. Requests are signed here with AWS Signature Version 4 (`SigV4Signer`):
four object operations do not justify boto3, its threads and its dependency tree. The payload's
SHA-256 is signed in x-amz-content-sha256, so the service refuses a body altered in transit.

The credentials need s3:PutObject, s3:GetObject, s3:DeleteObject and s3:ListBucket on the
bucket. Without s3:ListBucket, AWS answers a missing key with 403 instead of 404, and `get`
reports ProviderRejected instead of BlobNotFound.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, NoReturn
from urllib.parse import quote, urlsplit

import httpx

from hawiya.providers._http import DEFAULT_TIMEOUT, exchange, raise_for_status
from hawiya.providers.errors import ProviderRejected, ProviderUnavailable
from hawiya.providers.storage.base import BlobNotFound, check_key

ALGORITHM: Final = "AWS4-HMAC-SHA256"
MAX_PAGE_SIZE: Final = 1000  # the most ListObjectsV2 returns and DeleteObjects takes at once
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]")
_REGION = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ERROR_CODE = re.compile(r"[A-Za-z0-9.]{1,64}")
_S3_NS: Final = "http://s3.amazonaws.com/doc/2006-03-01/"


# --- signing ------------------------------------------------------------------------------


def quote_component(value: str) -> str:
    """Percent-encode all but RFC 3986's unreserved characters, as SigV4 requires."""
    return quote(value, safe="-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    """The query in SigV4 canonical form. Send exactly this string, so that what is signed is
    what the service reads."""
    pairs = sorted((quote_component(k), quote_component(v)) for k, v in params.items())
    return "&".join(f"{k}={v}" for k, v in pairs)


@dataclass(frozen=True)
class SigV4Signer:
    access_key: str
    secret_key: str = field(repr=False)
    region: str
    service: str = "s3"

    def sign(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        payload: bytes,
        *,
        now: datetime,
    ) -> dict[str, str]:
        """The headers to send: `headers` plus Host, x-amz-date, x-amz-content-sha256 and
        Authorization, all of them signed.

        `url` must already be in canonical form (each path segment percent-encoded once, the
        query as `canonical_query` makes it): its path and query are signed as they stand.
        """
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:  # an IPv6 literal keeps its brackets
            host = f"[{host}]"
        if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
            host = f"{host}:{parts.port}"
        stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = dict(headers)
        out["Host"] = host  # sent as signed: httpx would drop a default port the same way
        out["x-amz-date"] = stamp
        out["x-amz-content-sha256"] = hashlib.sha256(payload).hexdigest()

        canonical = {name.lower(): " ".join(value.split()) for name, value in out.items()}
        signed_headers = ";".join(sorted(canonical))
        canonical_request = "\n".join(
            [
                method.upper(),
                parts.path or "/",
                _sorted_query(parts.query),
                "".join(f"{name}:{canonical[name]}\n" for name in sorted(canonical)),
                signed_headers,
                out["x-amz-content-sha256"],
            ]
        )
        scope = f"{stamp[:8]}/{self.region}/{self.service}/aws4_request"
        string_to_sign = "\n".join(
            [ALGORITHM, stamp, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
        )
        signature = hmac.new(
            self._signing_key(stamp[:8]), string_to_sign.encode(), hashlib.sha256
        ).hexdigest()
        out["Authorization"] = (
            f"{ALGORITHM} Credential={self.access_key}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}"
        )
        return out

    def _signing_key(self, date: str) -> bytes:
        key = ("AWS4" + self.secret_key).encode()
        for part in (date, self.region, self.service, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        return key


def _sorted_query(query: str) -> str:
    """An already encoded query in canonical order; a bare "delete" signs as "delete="."""
    if not query:
        return ""
    pairs = sorted(pair.partition("=")[::2] for pair in query.split("&"))
    return "&".join(f"{k}={v}" for k, v in pairs)


# --- the store ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Listing:
    keys: list[str]
    truncated: bool
    next_token: str | None


class S3Store:
    """A BlobStore on an S3 bucket; keys are stored as <prefix><key>.

    prefix lets several deployments (or other data) share a bucket; a "/" is added when it
    lacks one. Every request has `timeout` seconds (connect, and each read or write);
    page_size is the ListObjectsV2 page (and DeleteObjects batch) size of delete_prefix.
    Failures: network errors, timeouts, 429 and 5xx are ProviderUnavailable; other 4xx
    (a wrong key or secret, a missing bucket, access denied) are ProviderRejected.
    """

    def __init__(
        self,
        endpoint_url: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        prefix: str = "",
        *,
        timeout: float = DEFAULT_TIMEOUT,
        page_size: int = MAX_PAGE_SIZE,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("s3: endpoint_url must be an http:// or https:// URL")
        if parts.username is not None or parts.query or parts.fragment:
            raise ValueError("s3: endpoint_url must not carry credentials, a query or fragment")
        if not _BUCKET.fullmatch(bucket):
            raise ValueError("s3: bucket must be 3-63 characters of A-Z, a-z, 0-9, '.', '_', '-'")
        if not access_key or access_key != access_key.strip():
            raise ValueError("s3: access_key is empty or has surrounding whitespace")
        if not secret_key:
            raise ValueError("s3: secret_key is empty")
        if not _REGION.fullmatch(region):
            raise ValueError("s3: region must be letters, digits, '-' and '_' (e.g. us-east-1)")
        if prefix:
            check_key(prefix, prefix=True)
            if not prefix.endswith("/"):
                prefix += "/"
        if timeout <= 0:
            raise ValueError("s3: timeout must be positive")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"s3: page_size must be between 1 and {MAX_PAGE_SIZE}")
        self.name = "s3"
        self.endpoint_url = endpoint_url.rstrip("/")
        self.bucket = bucket
        self.region = region
        self.prefix = prefix
        self.timeout = timeout
        self.page_size = page_size
        self._signer = SigV4Signer(access_key, secret_key, region)
        self._client = client

    def __repr__(self) -> str:
        return (
            f"S3Store(endpoint_url={self.endpoint_url!r}, bucket={self.bucket!r}, "
            f"region={self.region!r}, prefix={self.prefix!r}, secret_key=...)"
        )

    @property
    def bucket_url(self) -> str:
        return f"{self.endpoint_url}/{self.bucket}"

    def object_url(self, key: str) -> str:
        return f"{self.bucket_url}/{quote(self.prefix + key, safe='/-_.~')}"

    async def put(self, key: str, data: bytes) -> None:
        check_key(key)
        response = await self._request("PUT", self.object_url(key), content=bytes(data))
        if not response.is_success:
            self._fail(response)

    async def get(self, key: str) -> bytes:
        check_key(key)
        response = await self._request("GET", self.object_url(key))
        if not response.is_success:
            self._fail(response, missing=key)
        return response.content

    async def delete(self, key: str) -> None:
        check_key(key)
        response = await self._request("DELETE", self.object_url(key))
        if response.is_success:
            return
        with contextlib.suppress(BlobNotFound):  # some services answer 404, S3 itself 204
            self._fail(response, missing=key)

    async def delete_prefix(self, prefix: str) -> int:
        check_key(prefix, prefix=True)
        full = self.prefix + prefix
        count = 0
        token: str | None = None
        async with self._connection() as client:
            while True:
                params = {"list-type": "2", "prefix": full, "max-keys": str(self.page_size)}
                if token is not None:
                    params["continuation-token"] = token
                url = f"{self.bucket_url}?{canonical_query(params)}"
                response = await self._request("GET", url, client=client)
                if not response.is_success:
                    self._fail(response)
                listing = self._listing(response.content)
                # A key outside the prefix in the answer would be a server bug: never act on it.
                keys = [key for key in listing.keys if key.startswith(full)]
                if keys:
                    count += await self._delete_batch(keys, client)
                if not listing.truncated:
                    return count
                if not listing.next_token:
                    raise ProviderUnavailable(self.name, "truncated listing without a token")
                token = listing.next_token

    async def _delete_batch(self, keys: list[str], client: httpx.AsyncClient) -> int:
        """One DeleteObjects request; returns how many went, raises if any did not."""
        root = ET.Element("Delete", xmlns=_S3_NS)
        ET.SubElement(root, "Quiet").text = "true"
        for key in keys:
            ET.SubElement(ET.SubElement(root, "Object"), "Key").text = key
        body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        # DeleteObjects requires an integrity header; Content-MD5 is the one every service takes.
        digest = hashlib.md5(body, usedforsecurity=False).digest()
        headers = {
            "Content-Type": "application/xml",
            "Content-MD5": base64.b64encode(digest).decode(),
        }
        url = f"{self.bucket_url}?delete"
        response = await self._request("POST", url, content=body, headers=headers, client=client)
        if not response.is_success:
            self._fail(response)
        result = _parse_xml(response.content)
        if result is None:
            raise ProviderUnavailable(self.name, "unreadable DeleteObjects response")
        codes = [
            _child_text(error, "Code") or "unknown"
            for error in result
            if _local_name(error.tag) == "Error"
        ]
        if codes:
            reason = f"{len(codes)} of {len(keys)} objects not deleted ({_safe_code(codes[0])})"
            if "AccessDenied" in codes:
                raise ProviderRejected(self.name, reason)
            raise ProviderUnavailable(self.name, reason)
        return len(keys)

    def _listing(self, body: bytes) -> _Listing:
        root = _parse_xml(body)
        if root is None or _local_name(root.tag) != "ListBucketResult":
            raise ProviderUnavailable(self.name, "unreadable ListObjectsV2 response")
        keys = [
            key
            for element in root
            if _local_name(element.tag) == "Contents"
            and (key := _child_text(element, "Key")) is not None
        ]
        return _Listing(
            keys=keys,
            truncated=(_child_text(root, "IsTruncated") or "").lower() == "true",
            next_token=_child_text(root, "NextContinuationToken"),
        )

    async def _request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> httpx.Response:
        # Wall-clock time, not the server's (freezable) clock: S3 refuses a signature more
        # than 15 minutes off its own time.
        signed = self._signer.sign(
            method, url, headers or {}, content or b"", now=datetime.now(UTC)
        )
        return await exchange(
            self.name,
            client or self._client,
            method,
            url,
            headers=signed,
            content=content,
            seconds=self.timeout,
        )

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[httpx.AsyncClient]:
        """The given client, or one client for a whole multi-request operation."""
        if self._client is not None:
            yield self._client
            return
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            yield client

    def _fail(self, response: httpx.Response, *, missing: str | None = None) -> NoReturn:
        """Raise for a non-2xx response: BlobNotFound for a missing `missing` key (404 with
        NoSuchKey, or with no S3 error body), else ProviderRejected / ProviderUnavailable with
        the status and S3 error code, never the rest of the body."""
        code = _error_code(response.content)
        if response.status_code == 404 and missing is not None and code in (None, "NoSuchKey"):
            raise BlobNotFound(self.name, missing)
        raise_for_status(self.name, response, code)
        raise ProviderUnavailable(self.name, f"unexpected HTTP {response.status_code}")


def _parse_xml(body: bytes) -> ET.Element | None:
    # The body comes from the operator's own storage endpoint, ElementTree never fetches
    # external entities, and expat >= 2.4.1 caps entity expansion: defusedxml adds nothing.
    try:
        return ET.fromstring(body)  # noqa: S314
    except ET.ParseError:
        return None


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child_text(element: ET.Element, name: str) -> str | None:
    for child in element:
        if _local_name(child.tag) == name:
            return child.text or ""
    return None


def _safe_code(code: str) -> str:
    return code if _ERROR_CODE.fullmatch(code) else "unrecognised error code"


def _error_code(body: bytes) -> str | None:
    """The <Code> of an S3 error body, if it has one that looks like a code."""
    if not body.lstrip().startswith(b"<"):
        return None
    root = _parse_xml(body)
    if root is None or _local_name(root.tag) != "Error":
        return None
    code = _child_text(root, "Code")
    return code if code and _ERROR_CODE.fullmatch(code) else None
