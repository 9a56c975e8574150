"""Blob stores: the key rule, the same behaviour checks against LocalFileStore and against S3Store
talking to a real S3-compatible server (moto's, on 127.0.0.1, with signature checking on), then
what is particular to each: file modes, atomic writes and symbolic links for the local store;
signing, credentials, outages and paged purges for S3."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import os
import stat
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from hawiya.providers.errors import ProviderRejected, ProviderUnavailable
from hawiya.providers.storage import (
    BlobNotFound,
    BlobStore,
    LocalFileStore,
    S3Store,
    build_blob_store,
    check_key,
)
from hawiya.providers.storage.s3 import SigV4Signer, canonical_query
from tests.providers.receivers import SilentServer, closed_port

KEY = "tenants/7f0c8e4e-0d7e-4d55-9a51-0b8f1f3c2a10/transactions/5b1e/front.jpg.enc"
BLOB = bytes(range(256)) * 4 + b"\x00\r\n\x1a end"
BUCKET = "hawiya-test"

# --- the key rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        KEY,
        "a",
        "A-Z_a-z.0-9",
        "tenants/x/.hidden",
        "x" * 200,
        "/".join(["abcdefgh"] * 56) + "/abcd",  # 512 characters
    ],
)
def test_good_keys_pass_unchanged(key: str) -> None:
    assert check_key(key) == key


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "empty"),
        ("x" * 513, "longer than 512"),
        ("/tenants/x", "relative"),
        ("tenants/../etc/passwd", "'..'"),
        ("..", "'..'"),
        ("a/..", "'..'"),
        ("a..b", "'..'"),
        ("tenants\\x", "backslash"),
        ("tenants/x\x00.jpg", "NUL"),
        ("tenants/x y", "may contain only"),
        ("tenants/é", "may contain only"),
        ("tenants/x~1", "may contain only"),
        ("tenants/x%2F", "may contain only"),
        ("tenants/x\n", "may contain only"),
        ("tenants//x", "empty path segment"),
        ("tenants/x/", "empty path segment"),
        ("./x", "'.' path segment"),
        ("a/./x", "'.' path segment"),
        ("a/" + "x" * 201, "longer than 200"),
    ],
    ids=lambda value: repr(value)[:30],
)
def test_bad_keys_are_refused(key: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_key(key)


def test_a_prefix_may_end_with_a_slash_or_a_partial_segment() -> None:
    assert check_key("tenants/x/", prefix=True) == "tenants/x/"
    assert check_key("tenants/x", prefix=True) == "tenants/x"
    for bad in ("", "/", "/tenants/", "tenants//", "../", "tenants/*"):
        with pytest.raises(ValueError, match="prefix"):
            check_key(bad, prefix=True)


# --- a real S3-compatible server -----------------------------------------------------------


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 on an ephemeral port, with IAM authentication on: a request with a bad
    signature is refused, so the signing is checked by a server, not only by our tests.

    The user is made through moto's in-process IAM backend (the server runs in this process);
    the bucket is made over HTTP with our own signed PUT.
    """
    from moto.core import enable_iam_authentication
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        with enable_iam_authentication():
            iam = iam_backends[DEFAULT_ACCOUNT_ID]["aws"]
            iam.create_user("us-east-1", "hawiya")
            policy = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
            }
            iam.put_user_policy("hawiya", "blobs", json.dumps(policy))
            access = iam.create_access_key("hawiya")
            s3 = S3Server(f"http://{host}:{port}", access.access_key_id, access.secret_access_key)
            url = f"{s3.endpoint_url}/{BUCKET}"
            signer = SigV4Signer(s3.access_key, s3.secret_key, "us-east-1")
            headers = signer.sign("PUT", url, {}, b"", now=datetime.now(UTC))
            response = httpx.put(url, headers=headers, timeout=10)
            assert response.status_code == 200, response.text
            yield s3
    finally:
        server.stop()


_prefixes = itertools.count(1)


def s3_store(server: S3Server, **kwargs: Any) -> S3Store:
    """A store under a prefix of its own, so tests sharing the bucket never see each other."""
    options: dict[str, Any] = {
        "endpoint_url": server.endpoint_url,
        "bucket": BUCKET,
        "access_key": server.access_key,
        "secret_key": server.secret_key,
        "prefix": f"test-{next(_prefixes)}",
        "timeout": 10,
    }
    options.update(kwargs)
    return S3Store(**options)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalFileStore(tmp_path / "blobs")
    server: S3Server = request.getfixturevalue("s3_server")
    return s3_store(server)


# --- behaviour every store shares ----------------------------------------------------------


def test_is_a_blob_store(store: BlobStore) -> None:
    assert isinstance(store, BlobStore)
    assert store.name in ("local", "s3")


async def test_round_trip_keeps_every_byte(store: BlobStore) -> None:
    large = os.urandom(3 * 1024 * 1024 + 7)

    await store.put(KEY, BLOB)
    await store.put("tenants/t/large.bin.enc", large)
    await store.put("tenants/t/empty.enc", b"")

    assert await store.get(KEY) == BLOB
    assert await store.get("tenants/t/large.bin.enc") == large
    assert await store.get("tenants/t/empty.enc") == b""


async def test_put_replaces_the_blob(store: BlobStore) -> None:
    await store.put(KEY, b"first, and longer than the second")
    await store.put(KEY, b"second")

    assert await store.get(KEY) == b"second"


async def test_a_missing_key_is_blob_not_found(store: BlobStore) -> None:
    with pytest.raises(BlobNotFound) as caught:
        await store.get(KEY)
    assert caught.value.key == KEY
    assert caught.value.provider == store.name

    await store.put("tenants/t/a.enc", b"a")
    with pytest.raises(BlobNotFound):
        await store.get("tenants/t/b.enc")
    with pytest.raises(BlobNotFound):  # a "directory" is not a blob
        await store.get("tenants/t")


async def test_delete_is_idempotent(store: BlobStore) -> None:
    await store.delete(KEY)  # never existed

    await store.put(KEY, BLOB)
    await store.put(KEY + ".2", BLOB)
    await store.delete(KEY)
    await store.delete(KEY)

    with pytest.raises(BlobNotFound):
        await store.get(KEY)
    assert await store.get(KEY + ".2") == BLOB


async def test_delete_prefix_removes_and_counts_exactly_the_prefix(store: BlobStore) -> None:
    keys = {
        "tenants/A/transactions/1/front.jpg.enc",
        "tenants/A/transactions/1/back.jpg.enc",
        "tenants/A/transactions/2/selfie.jpg.enc",
        "tenants/A/profile.enc",
        "tenants/AB/transactions/1/front.jpg.enc",
        "tenants/B/transactions/1/front.jpg.enc",
        "other.enc",
    }
    for key in sorted(keys):
        await store.put(key, key.encode())

    assert await store.delete_prefix("tenants/A/transactions/1/") == 2
    assert await store.delete_prefix("tenants/A/") == 2
    assert await store.delete_prefix("tenants/A/") == 0
    assert await store.delete_prefix("nothing/here/") == 0

    for key in sorted(k for k in keys if k.startswith("tenants/A/")):
        with pytest.raises(BlobNotFound):
            await store.get(key)
    assert await store.get("tenants/AB/transactions/1/front.jpg.enc") == (
        b"tenants/AB/transactions/1/front.jpg.enc"
    )
    assert await store.get("other.enc") == b"other.enc"

    # A plain string prefix, as in S3: "tenants/A" also covers "tenants/AB/...".
    await store.put("tenants/A/again.enc", b"x")
    assert await store.delete_prefix("tenants/A") == 2
    assert await store.get("tenants/B/transactions/1/front.jpg.enc")

    # Blobs written after a purge are kept apart from the purged ones.
    await store.put("tenants/A/new.enc", b"new")
    assert await store.get("tenants/A/new.enc") == b"new"


async def test_concurrent_puts_and_gets(store: BlobStore) -> None:
    keys = [f"tenants/c/transactions/{i % 3}/{i}.enc" for i in range(24)]

    await asyncio.gather(*(store.put(key, key.encode() * 100) for key in keys))
    blobs = await asyncio.gather(*(store.get(key) for key in keys))

    assert blobs == [key.encode() * 100 for key in keys]
    assert await store.delete_prefix("tenants/c/") == 24


@pytest.mark.parametrize("key", ["../escape", "/abs", "a\\b", "a//b", "a b"])
async def test_bad_keys_are_refused_before_any_io(store: BlobStore, key: str) -> None:
    with pytest.raises(ValueError, match="blob key"):
        await store.put(key, b"x")
    with pytest.raises(ValueError, match="blob key"):
        await store.get(key)
    with pytest.raises(ValueError, match="blob key"):
        await store.delete(key)
    with pytest.raises(ValueError, match="blob prefix"):
        await store.delete_prefix(key)
    with pytest.raises(ValueError, match="blob prefix is empty"):
        await store.delete_prefix("")  # never "everything"


# --- the local store -----------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


async def test_local_files_are_0600_and_directories_0700_whatever_the_umask(
    tmp_path: Path,
) -> None:
    store = LocalFileStore(tmp_path / "data" / "blobs")
    old = os.umask(0o277)  # would leave 0500 directories and 0400 files
    try:
        await store.put(KEY, BLOB)
    finally:
        os.umask(old)
    os.umask(0)  # would leave anything as asked: the store asks for owner-only
    try:
        await store.put("tenants/other/x.enc", BLOB)
    finally:
        os.umask(old)

    root = store.root
    assert mode(root) == 0o700
    assert mode(root / KEY) == 0o600
    assert mode(root / "tenants/other/x.enc") == 0o600
    for directory in [p for p in root.rglob("*") if p.is_dir()]:
        assert mode(directory) == 0o700, directory


async def test_local_put_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)

    await store.put("t/a.enc", b"one")
    await store.put("t/a.enc", b"two")

    assert tree(tmp_path) == ["t", "t/a.enc"]


async def test_a_failed_local_write_keeps_the_old_blob(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalFileStore(tmp_path)
    await store.put("t/a.enc", b"old")

    def full_disk(fd: int, data: Any) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(ProviderUnavailable, match="No space left"):
        await store.put("t/a.enc", b"new")
    monkeypatch.undo()

    assert await store.get("t/a.enc") == b"old"
    assert tree(tmp_path) == ["t", "t/a.enc"]


async def test_local_store_without_a_root_yet(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "not-yet")

    with pytest.raises(BlobNotFound):
        await store.get(KEY)
    await store.delete(KEY)
    assert await store.delete_prefix("tenants/") == 0
    assert not store.root.exists()


async def test_local_delete_prunes_empty_directories(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "blobs")
    await store.put("tenants/a/transactions/1/front.enc", b"f")
    await store.put("tenants/a/transactions/1/back.enc", b"b")
    await store.put("tenants/b/x.enc", b"x")

    await store.delete("tenants/a/transactions/1/front.enc")
    assert tree(store.root) == [
        "tenants",
        "tenants/a",
        "tenants/a/transactions",
        "tenants/a/transactions/1",
        "tenants/a/transactions/1/back.enc",
        "tenants/b",
        "tenants/b/x.enc",
    ]
    await store.delete("tenants/a/transactions/1/back.enc")
    assert tree(store.root) == ["tenants", "tenants/b", "tenants/b/x.enc"]
    assert await store.delete_prefix("tenants/b/") == 1
    assert tree(store.root) == []
    assert store.root.is_dir()


async def test_local_refuses_a_blob_where_a_directory_is_needed(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    await store.put("t/a", b"blob")

    with pytest.raises(ProviderRejected, match="needs a directory"):
        await store.put("t/a/b", b"x")
    with pytest.raises(BlobNotFound):
        await store.get("t/a/b")
    await store.delete("t/a/b")
    with pytest.raises(ProviderRejected, match="directory already exists"):
        await store.put("t", b"x")
    assert await store.get("t/a") == b"blob"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory beside the store root holding something a key must never reach."""
    directory = tmp_path / "outside"
    (directory / "x").mkdir(parents=True)
    (directory / "x" / "secret.enc").write_bytes(b"not yours")
    (directory / "file.enc").write_bytes(b"not yours either")
    return directory


async def test_local_never_follows_a_directory_link_out_of_the_root(
    tmp_path: Path, outside: Path
) -> None:
    store = LocalFileStore(tmp_path / "blobs")
    store.root.mkdir()
    (store.root / "tenants").symlink_to(outside, target_is_directory=True)
    before = tree(outside)

    with pytest.raises(ProviderRejected, match="symbolic link"):
        await store.get("tenants/x/secret.enc")
    with pytest.raises(ProviderRejected, match="symbolic link"):
        await store.put("tenants/x/new.enc", b"planted")
    with pytest.raises(ProviderRejected, match="symbolic link"):
        await store.delete("tenants/x/secret.enc")
    with pytest.raises(ProviderRejected, match="symbolic link"):
        await store.delete_prefix("tenants/x/")
    # Purging the parent removes the link itself, never what it points to.
    assert await store.delete_prefix("tenants") == 0

    assert not (store.root / "tenants").exists()
    assert tree(outside) == before
    assert (outside / "x" / "secret.enc").read_bytes() == b"not yours"


async def test_local_never_follows_a_file_link_out_of_the_root(
    tmp_path: Path, outside: Path
) -> None:
    store = LocalFileStore(tmp_path / "blobs")
    (store.root / "t").mkdir(parents=True)
    (store.root / "t" / "a.enc").symlink_to(outside / "file.enc")
    (store.root / "t" / "b.enc").symlink_to(outside / "file.enc")
    (store.root / "t" / "dir").symlink_to(outside / "x", target_is_directory=True)

    with pytest.raises(ProviderRejected, match="symbolic link"):
        await store.get("t/a.enc")
    await store.put("t/a.enc", b"mine")  # replaces the link, does not write through it
    assert await store.get("t/a.enc") == b"mine"
    assert not (store.root / "t" / "a.enc").is_symlink()
    await store.delete("t/b.enc")  # removes the link only
    assert not (store.root / "t" / "b.enc").exists()

    await store.put("t/sub/c.enc", b"c")
    (store.root / "t" / "sub" / "link").symlink_to(outside, target_is_directory=True)
    assert await store.delete_prefix("t/") == 2  # a.enc and sub/c.enc; links are not blobs

    assert (outside / "file.enc").read_bytes() == b"not yours either"
    assert (outside / "x" / "secret.enc").read_bytes() == b"not yours"


def test_local_repr_and_absolute_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = LocalFileStore(Path("relative"))
    assert store.root == tmp_path / "relative"
    assert repr(store) == f"LocalFileStore(root={str(tmp_path / 'relative')!r})"


# --- S3: signing ---------------------------------------------------------------------------

AWS_EXAMPLE = SigV4Signer(
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1"
)
AWS_EXAMPLE_TIME = datetime(2013, 5, 24, tzinfo=UTC)


@pytest.mark.parametrize(
    ("method", "url", "headers", "payload", "signed_headers", "signature"),
    [
        (
            "GET",
            "https://examplebucket.s3.amazonaws.com/test.txt",
            {"Range": "bytes=0-9"},
            b"",
            "host;range;x-amz-content-sha256;x-amz-date",
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        ),
        (
            "PUT",
            "https://examplebucket.s3.amazonaws.com/test%24file.text",
            {
                "Date": "Fri, 24 May 2013 00:00:00 GMT",
                "x-amz-storage-class": "REDUCED_REDUNDANCY",
            },
            b"Welcome to Amazon S3.",
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        ),
        (
            "GET",
            "https://examplebucket.s3.amazonaws.com/?lifecycle",
            {},
            b"",
            "host;x-amz-content-sha256;x-amz-date",
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        ),
        (
            "GET",
            "https://examplebucket.s3.amazonaws.com/?"
            + canonical_query({"prefix": "J", "max-keys": "2"}),
            {},
            b"",
            "host;x-amz-content-sha256;x-amz-date",
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        ),
    ],
    ids=["get-object", "put-object", "get-lifecycle", "list-objects"],
)  # fmt: skip
def test_signing_matches_the_aws_documentation_examples(
    method: str,
    url: str,
    headers: dict[str, str],
    payload: bytes,
    signed_headers: str,
    signature: str,
) -> None:
    """The worked examples of "Signature Calculations for the Authorization Header" in the
    Amazon S3 API reference (SigV4, header-based auth)."""
    signed = AWS_EXAMPLE.sign(method, url, headers, payload, now=AWS_EXAMPLE_TIME)

    assert signed["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )
    assert signed["x-amz-date"] == "20130524T000000Z"
    assert signed["Host"] == "examplebucket.s3.amazonaws.com"


def test_signed_host_keeps_only_a_non_default_port() -> None:
    def host(url: str) -> str:
        return AWS_EXAMPLE.sign("GET", url, {}, b"", now=AWS_EXAMPLE_TIME)["Host"]

    assert host("https://s3.example:443/b/k") == "s3.example"
    assert host("http://s3.example:80/b/k") == "s3.example"
    assert host("http://127.0.0.1:9000/b/k") == "127.0.0.1:9000"
    assert host("http://[::1]:9000/b/k") == "[::1]:9000"


def test_canonical_query_sorts_and_encodes() -> None:
    assert canonical_query({"prefix": "a b/+", "list-type": "2", "continuation-token": "x=="}) == (
        "continuation-token=x%3D%3D&list-type=2&prefix=a%20b%2F%2B"
    )


# --- S3: against the server ----------------------------------------------------------------


async def test_s3_keys_live_under_the_prefix(s3_server: S3Server) -> None:
    mine = s3_store(s3_server, prefix="deployment-a")
    theirs = s3_store(s3_server, prefix="deployment-b/")
    whole = s3_store(s3_server, prefix="")
    assert mine.prefix == "deployment-a/"

    await mine.put("t/a.enc", b"a")

    assert await whole.get("deployment-a/t/a.enc") == b"a"
    with pytest.raises(BlobNotFound):
        await theirs.get("t/a.enc")
    assert await theirs.delete_prefix("t/") == 0
    assert await mine.delete_prefix("t/") == 1


async def test_s3_requests_carry_the_hash_of_the_body_they_send(s3_server: S3Server) -> None:
    """moto checks the signature but not the body against x-amz-content-sha256; S3 does."""
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as client:
        store = s3_store(s3_server, client=client)
        await store.put("t/a.enc", BLOB)
        await store.get("t/a.enc")
        await store.delete_prefix("t/")
        await store.delete("t/a.enc")

    assert [r.method for r in sent] == ["PUT", "GET", "GET", "POST", "DELETE"]
    for request in sent:
        body = request.content
        assert request.headers["x-amz-content-sha256"] == hashlib.sha256(body).hexdigest()
        assert "x-amz-content-sha256" in request.headers["authorization"]
    assert sent[0].content == BLOB


async def test_s3_delete_prefix_pages_through_the_listing(s3_server: S3Server) -> None:
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as client:
        store = s3_store(s3_server, page_size=2, client=client)
        for i in range(7):
            await store.put(f"tenants/p/{i}.enc", b"x")
        await store.put("tenants/q/keep.enc", b"keep")
        sent.clear()

        assert await store.delete_prefix("tenants/p/") == 7

        lists = [r for r in sent if r.method == "GET"]
        deletes = [r for r in sent if r.method == "POST"]
        assert len(lists) == 4  # 2 + 2 + 2 + 1
        assert "continuation-token" not in lists[0].url.params
        assert all("continuation-token" in r.url.params for r in lists[1:])
        assert all(r.url.params["max-keys"] == "2" for r in lists)
        assert len(deletes) == 4
        for i in range(7):
            with pytest.raises(BlobNotFound):
                await store.get(f"tenants/p/{i}.enc")
        assert await store.get("tenants/q/keep.enc") == b"keep"


def every_call(store: BlobStore) -> list[Callable[[], Awaitable[object]]]:
    return [
        lambda: store.put(KEY, b"x"),
        lambda: store.get(KEY),
        lambda: store.delete(KEY),
        lambda: store.delete_prefix("tenants/"),
    ]


async def test_s3_wrong_secret_is_rejected(s3_server: S3Server) -> None:
    store = s3_store(s3_server, secret_key="not-the-secret")

    for call in every_call(store):
        with pytest.raises(ProviderRejected, match="HTTP 403") as caught:
            await call()
        assert "not-the-secret" not in str(caught.value)
        assert not isinstance(caught.value, BlobNotFound)


async def test_s3_unknown_access_key_is_rejected(s3_server: S3Server) -> None:
    store = s3_store(s3_server, access_key="AKIANOBODYNOBODY1234")

    with pytest.raises(ProviderRejected, match="HTTP 403"):
        await store.get(KEY)


async def test_s3_missing_bucket_is_not_a_missing_blob(s3_server: S3Server) -> None:
    store = S3Store(
        s3_server.endpoint_url, "no-such-bucket", s3_server.access_key, s3_server.secret_key
    )

    with pytest.raises(ProviderRejected, match="NoSuchBucket") as caught:
        await store.get(KEY)
    assert not isinstance(caught.value, BlobNotFound)


async def test_s3_server_down_is_unavailable() -> None:
    store = S3Store(f"http://127.0.0.1:{closed_port()}", BUCKET, "AKIAX", "secret", timeout=2)

    for call in every_call(store):
        with pytest.raises(ProviderUnavailable):
            await call()


async def test_s3_silent_server_times_out(silent_server: SilentServer) -> None:
    store = S3Store(f"http://127.0.0.1:{silent_server.port}", BUCKET, "AKIAX", "s", timeout=0.3)

    with pytest.raises(ProviderUnavailable, match=r"timed out after 0\.3 s"):
        await store.get(KEY)


def test_s3_repr_hides_the_secret() -> None:
    store = S3Store("https://s3.example", BUCKET, "AKIAX", "very-secret")
    assert "very-secret" not in repr(store)
    assert "very-secret" not in repr(store._signer)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"endpoint_url": "s3.example"}, "endpoint_url"),
        ({"endpoint_url": "ftp://s3.example"}, "endpoint_url"),
        ({"endpoint_url": "https://user:pw@s3.example"}, "credentials"),
        ({"bucket": "ab"}, "bucket"),
        ({"bucket": "a/b/c"}, "bucket"),
        ({"access_key": ""}, "access_key"),
        ({"secret_key": ""}, "secret_key"),
        ({"region": "us/east"}, "region"),
        ({"prefix": "/abs"}, "prefix"),
        ({"prefix": "a/../b"}, "prefix"),
        ({"timeout": 0}, "timeout"),
        ({"page_size": 1001}, "page_size"),
    ],
)
def test_s3_bad_settings(kwargs: dict[str, Any], message: str) -> None:
    options: dict[str, Any] = {
        "endpoint_url": "https://s3.example",
        "bucket": BUCKET,
        "access_key": "AKIAX",
        "secret_key": "s",
    }
    options.update(kwargs)
    with pytest.raises(ValueError, match=message):
        S3Store(**options)


# --- the factory ---------------------------------------------------------------------------

S3_CONFIG: dict[str, Any] = {
    "endpoint_url": "https://minio.internal:9000",
    "bucket": "hawiya",
    "access_key": "AKIAX",
    "secret_key": SecretStr("s-1"),
}


def test_builds_a_local_store(tmp_path: Path) -> None:
    default = build_blob_store("local", {}, data_dir=tmp_path)
    relative = build_blob_store("local", {"root": "elsewhere"}, data_dir=tmp_path)
    absolute = build_blob_store("local", {"kind": "local", "root": "/srv/blobs"}, data_dir=tmp_path)

    assert isinstance(default, LocalFileStore)
    assert default.root == tmp_path / "blobs"
    assert isinstance(relative, LocalFileStore)
    assert relative.root == tmp_path / "elsewhere"
    assert isinstance(absolute, LocalFileStore)
    assert absolute.root == Path("/srv/blobs")


def test_builds_an_s3_store(tmp_path: Path) -> None:
    plain = build_blob_store("s3", S3_CONFIG, data_dir=tmp_path)
    full = build_blob_store(
        "s3",
        {**S3_CONFIG, "region": "eu-west-3", "prefix": "hawiya", "timeout": 30},
        data_dir=tmp_path,
    )
    empty_prefix = build_blob_store("s3", {**S3_CONFIG, "prefix": ""}, data_dir=tmp_path)

    assert isinstance(plain, S3Store)
    assert (plain.endpoint_url, plain.bucket, plain.region, plain.prefix) == (
        "https://minio.internal:9000",
        "hawiya",
        "us-east-1",
        "",
    )
    assert plain.timeout == 10.0
    assert plain._signer.secret_key == "s-1"
    assert isinstance(full, S3Store)
    assert (full.region, full.prefix, full.timeout) == ("eu-west-3", "hawiya/", 30.0)
    assert isinstance(empty_prefix, S3Store)
    assert empty_prefix.prefix == ""


@pytest.mark.parametrize(
    ("kind", "config", "message"),
    [
        ("s3", {k: v for k, v in S3_CONFIG.items() if k != "endpoint_url"}, "'endpoint_url'"),
        ("s3", {k: v for k, v in S3_CONFIG.items() if k != "bucket"}, "'bucket'"),
        ("s3", {k: v for k, v in S3_CONFIG.items() if k != "access_key"}, "'access_key'"),
        ("s3", {k: v for k, v in S3_CONFIG.items() if k != "secret_key"}, "'secret_key'"),
        ("s3", {**S3_CONFIG, "secret": "x"}, "unknown configuration key"),
        ("s3", {**S3_CONFIG, "bucket": 5}, "'bucket' must be a string"),
        ("s3", {**S3_CONFIG, "timeout": "5"}, "'timeout' must be a positive"),
        ("s3", {**S3_CONFIG, "prefix": "../x"}, "prefix"),
        ("local", {"path": "/srv"}, "unknown configuration key"),
        ("local", {"root": 5}, "'root' must be a string"),
        ("gcs", {}, "unknown blob store kind 'gcs'"),
    ],
)
def test_bad_configuration(tmp_path: Path, kind: str, config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_blob_store(kind, config, data_dir=tmp_path)


def test_every_kind_builds_a_blob_store(tmp_path: Path) -> None:
    configs: dict[str, Callable[[], dict[str, Any]]] = {"local": dict, "s3": lambda: S3_CONFIG}
    for kind, config in configs.items():
        assert isinstance(build_blob_store(kind, config(), data_dir=tmp_path), BlobStore)
