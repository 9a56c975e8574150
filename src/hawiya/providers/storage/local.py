"""The embedded blob store: one file per blob under a root directory (<data_dir>/blobs by default).

Every path below the root is reached one segment at a time through directory file descriptors
opened with O_NOFOLLOW, so a symbolic link anywhere below the root (planted, or left by a
restore) is refused rather than followed: no key can read, write or delete outside the root,
and there is no gap between a check and the use of the path for a rename to slip into. The root
itself is opened normally, so an operator may make it a link to another disk.

A write goes to a temporary file in the target directory (a name with "~", which no key can
contain), is fsynced, renamed over the target and the directory fsynced: after `put` returns the
blob survives a crash, and a reader never sees half of it. Files are 0600 and directories 0700:
the bytes are ciphertext, but who can list whose transactions is still nobody's business.
Blocking file I/O runs in a worker thread.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Final, TypeVar

import anyio.to_thread

from hawiya.providers.errors import ProviderRejected, ProviderUnavailable
from hawiya.providers.storage.base import BlobNotFound, check_key

FILE_MODE: Final = 0o600
DIR_MODE: Final = 0o700
_DIR_FLAGS: Final = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: opening a FIFO someone left under the root must not hang a worker thread.
_READ_FLAGS: Final = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
_WRITE_FLAGS: Final = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_TEMP_MARK: Final = "~"  # not a key character: a temporary file is never taken for a blob
_PUT_ATTEMPTS: Final = 3

T = TypeVar("T")


class _Refusal(Exception):
    """Raised in the worker thread; becomes ProviderRejected (retrying will not help)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _SymlinkRefused(_Refusal):
    pass


class _NotADirectory(_Refusal):
    """A blob sits where the key needs a directory ("a" exists and the key is "a/b")."""


class LocalFileStore:
    """Blobs as files under `root`; see the module docstring for the guarantees."""

    def __init__(self, root: Path) -> None:
        self.name = "local"
        # Absolute now, so a later chdir cannot move the store; no I/O until the first call.
        self.root = Path(os.path.abspath(root))

    def __repr__(self) -> str:
        return f"LocalFileStore(root={str(self.root)!r})"

    async def put(self, key: str, data: bytes) -> None:
        check_key(key)
        await self._run(partial(self._put, key, bytes(data)))

    async def get(self, key: str) -> bytes:
        check_key(key)
        return await self._run(partial(self._get, key))

    async def delete(self, key: str) -> None:
        check_key(key)
        await self._run(partial(self._delete, key))

    async def delete_prefix(self, prefix: str) -> int:
        check_key(prefix, prefix=True)
        return await self._run(partial(self._delete_prefix, prefix))

    async def _run(self, work: Callable[[], T]) -> T:
        try:
            return await anyio.to_thread.run_sync(work)
        except _Refusal as exc:
            raise ProviderRejected(self.name, exc.reason) from None
        except OSError as exc:
            detail = exc.strerror or type(exc).__name__
            raise ProviderUnavailable(self.name, f"file system error: {detail}") from exc

    # --- in the worker thread -------------------------------------------------------------

    def _open_root(self, *, create: bool) -> int:
        if create:
            try:
                self.root.mkdir(mode=DIR_MODE)
            except FileNotFoundError:
                self.root.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(FileExistsError):
                    self.root.mkdir(mode=DIR_MODE)
                    os.chmod(self.root, DIR_MODE)  # whatever the umask
            except FileExistsError:
                pass  # an existing root keeps the mode its operator gave it
            else:
                os.chmod(self.root, DIR_MODE)
        return os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def _open_dir(self, segments: Sequence[str], *, create: bool) -> int:
        """A descriptor for root/segments..., never following a link; the caller closes it.

        Raises FileNotFoundError (create=False and a directory is missing), _SymlinkRefused or
        _NotADirectory.
        """
        current = self._open_root(create=create)
        try:
            for segment in segments:
                created = False
                if create:
                    try:
                        os.mkdir(segment, DIR_MODE, dir_fd=current)
                        created = True
                    except FileExistsError:
                        pass
                try:
                    child = os.open(segment, _DIR_FLAGS, dir_fd=current)
                except OSError as exc:
                    _explain(current, segment, exc)
                    raise
                if created:
                    # The umask may have narrowed the mode; and the new entry must be durable.
                    os.fchmod(child, DIR_MODE)
                    os.fsync(current)
                os.close(current)
                current = child
        except BaseException:
            os.close(current)
            raise
        return current

    def _put(self, key: str, data: bytes) -> None:
        *segments, name = key.split("/")
        for attempt in range(1, _PUT_ATTEMPTS + 1):
            try:
                directory = self._open_dir(segments, create=True)
            except FileNotFoundError:
                # A concurrent delete pruned a directory between our mkdir and open.
                if attempt == _PUT_ATTEMPTS:
                    raise
                continue
            try:
                _write_atomically(directory, name, data)
                return
            except FileNotFoundError:
                # The same race, after the open: the directory is gone from under us.
                if attempt == _PUT_ATTEMPTS:
                    raise
            finally:
                os.close(directory)

    def _get(self, key: str) -> bytes:
        *segments, name = key.split("/")
        try:
            directory = self._open_dir(segments, create=False)
        except (FileNotFoundError, _NotADirectory):
            raise BlobNotFound(self.name, key) from None
        try:
            try:
                fd = os.open(name, _READ_FLAGS, dir_fd=directory)
            except FileNotFoundError:
                raise BlobNotFound(self.name, key) from None
            except OSError as exc:
                _explain(directory, name, exc)
                raise
        finally:
            os.close(directory)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # a directory: "a" when "a/b" exists
                raise BlobNotFound(self.name, key)
            chunks: list[bytes] = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def _delete(self, key: str) -> None:
        *segments, name = key.split("/")
        try:
            directory = self._open_dir(segments, create=False)
        except (FileNotFoundError, _NotADirectory):
            return
        try:
            if not _is_dir(directory, name):  # a directory under the key is not a blob
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=directory)  # a link itself goes, never its target
        finally:
            os.close(directory)
        self._prune(segments)

    def _delete_prefix(self, prefix: str) -> int:
        head, _, start = prefix.rpartition("/")
        segments = head.split("/") if head else []
        try:
            directory = self._open_dir(segments, create=False)
        except (FileNotFoundError, _NotADirectory):
            return 0
        count = 0
        try:
            for name in sorted(os.listdir(directory)):
                if name.startswith(start):
                    count += _remove(directory, name)
        finally:
            os.close(directory)
        self._prune(segments)
        return count

    def _prune(self, segments: Sequence[str]) -> None:
        """Remove the now empty directories of `segments`, deepest first, up to the root.

        Best effort: a directory that is not empty (or already gone) ends the climb. A put
        racing with this retries (see _put).
        """
        for depth in range(len(segments), 0, -1):
            try:
                parent = self._open_dir(segments[: depth - 1], create=False)
            except (OSError, _Refusal):
                return
            try:
                os.rmdir(segments[depth - 1], dir_fd=parent)
                os.fsync(parent)
            except OSError:
                return
            finally:
                os.close(parent)


def _write_atomically(directory: int, name: str, data: bytes) -> None:
    temp = f".{name}{_TEMP_MARK}{secrets.token_hex(8)}.tmp"
    fd = os.open(temp, _WRITE_FLAGS, FILE_MODE, dir_fd=directory)
    try:
        try:
            os.fchmod(fd, FILE_MODE)  # whatever the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        # rename(2) replaces a link under the name rather than writing through it.
        os.replace(temp, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=directory)
        if isinstance(exc, IsADirectoryError):
            raise _NotADirectory("a directory already exists under this key") from None
        raise
    os.fsync(directory)


def _remove(directory: int, name: str) -> int:
    """Remove the entry `name` (a whole tree for a directory, without following links);
    return how many blobs went with it."""
    mode = os.lstat(name, dir_fd=directory).st_mode
    if not stat.S_ISDIR(mode):
        os.unlink(name, dir_fd=directory)
        return int(stat.S_ISREG(mode) and _TEMP_MARK not in name)
    count = 0
    for _, dirnames, filenames, dirfd in os.fwalk(name, dir_fd=directory, topdown=False):
        for entry in filenames:
            entry_mode = os.lstat(entry, dir_fd=dirfd).st_mode
            count += int(stat.S_ISREG(entry_mode) and _TEMP_MARK not in entry)
            os.unlink(entry, dir_fd=dirfd)
        for entry in dirnames:
            # fwalk lists a link to a directory among dirnames without entering it.
            if _is_dir(dirfd, entry):
                os.rmdir(entry, dir_fd=dirfd)
            else:
                os.unlink(entry, dir_fd=dirfd)
    os.rmdir(name, dir_fd=directory)
    return count


def _is_dir(directory: int, name: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(name, dir_fd=directory).st_mode)
    except FileNotFoundError:
        return False


def _explain(directory: int, name: str, exc: OSError) -> None:
    """Turn an open() failure caused by a link or by a file in the way into a refusal."""
    if exc.errno not in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
        return
    try:
        mode = os.lstat(name, dir_fd=directory).st_mode
    except OSError:
        return
    if stat.S_ISLNK(mode):
        raise _SymlinkRefused("a path below the store root is a symbolic link") from None
    if not stat.S_ISDIR(mode):
        raise _NotADirectory("a blob exists where the key needs a directory") from None
