"""Where a command's data goes: stdout, or a file written safely.

Everything that can be known before the work starts is checked before it starts (the
folder exists, the path is not a folder, not an existing file without ``--force``, not
one of the inputs by inode, so a hard link or a file inside an input folder counts). A
regular file is written to a temporary file beside it and renamed into place at the
end, so a failure leaves the old file whole and a reader never sees half a report.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

UTF8 = ("utf-8", "utf8")
# sendfile(2) cannot write to this output: copy through this process instead
_NO_SENDFILE = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF, errno.ESPIPE}


@dataclass(frozen=True, slots=True)
class Spooled:
    """UTF-8 text another process left in a file (a batch worker's result): the kernel
    copies it into the output, so it never passes through this process's memory."""

    fd: int  # open for reading while the piece is written
    offset: int
    length: int

    def read(self) -> bytes:
        return os.pread(self.fd, self.length, self.offset)


class OutputRefused(Exception):
    """The output cannot be used; known before any work is done (a usage error)."""


class OutputFailed(Exception):
    """Writing the output failed part-way (disk full, device error)."""


def identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """(device, inode) of an existing path, following symlinks; None if it is not there."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def stdin_identity() -> tuple[int, int] | None:
    """(device, inode) behind stdin, so `evaluate - -o F < F` is caught."""
    try:
        info = os.fstat(0)
    except OSError:
        return None
    return info.st_dev, info.st_ino


class Output:
    """A text sink: ``write`` pieces as they are ready, then ``commit`` (or ``abort``)."""

    def __init__(
        self,
        path: str | None,
        *,
        force: bool = False,
        protect: Iterable[tuple[int, int] | None] = (),
    ) -> None:
        self.path = None if path in (None, "-") else Path(path)
        self._temporary: Path | None = None
        self._force = force
        self._stream: TextIO
        if self.path is None:
            if sys.stdout is None or sys.stdout.closed:
                raise OutputRefused("stdout is closed; pass --output FILE")
            self._stream = sys.stdout
            return
        self._stream = self._open(self.path, force, {p for p in protect if p})

    def _open(self, path: Path, force: bool, protect: set[tuple[int, int]]) -> TextIO:
        shown = str(path)
        if path.is_dir():
            raise OutputRefused(f"--output {shown} is a folder; give a file name")
        if identity(path) in protect:
            raise OutputRefused(f"--output {shown} is one of the inputs; refusing to overwrite it")
        parent = path.parent
        if not parent.is_dir():
            raise OutputRefused(f"--output {shown}: folder {parent} does not exist")
        existing = None
        with contextlib.suppress(FileNotFoundError):
            existing = os.stat(path)
        if existing is not None and not force:
            raise OutputRefused(f"{shown} exists; pass --force to replace it")
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            # a device or FIFO the user named on purpose (/dev/null): write to it in place
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
                os.set_blocking(descriptor, True)
            except OSError as error:
                raise OutputRefused(f"--output {shown}: {error.strerror}") from None
            return os.fdopen(descriptor, "w", encoding="utf-8")
        try:
            descriptor, name = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as error:
            raise OutputRefused(
                f"--output {shown}: cannot write in {parent}: {error.strerror}"
            ) from None
        self._temporary = Path(name)
        mode = stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~_umask()
        os.fchmod(descriptor, mode)
        return os.fdopen(descriptor, "w", encoding="utf-8")

    def write(self, text: str | bytes | Spooled) -> None:
        """Write text, or text already encoded as UTF-8 (a batch worker's result), which
        goes to a UTF-8 stream's bytes as it is, with no decoding and encoding again."""
        if not text:
            return
        with self._failing():
            if isinstance(text, Spooled):
                self._copy(text)
            elif isinstance(text, bytes):
                raw = getattr(self._stream, "buffer", None)
                if raw is None or (self._stream.encoding or "").lower() not in UTF8:
                    self._stream.write(text.decode("utf-8"))
                else:
                    self._stream.flush()  # what was written as text goes first
                    raw.write(text)
            else:
                self._stream.write(text)
            if self.path is None:
                self._stream.flush()

    def _copy(self, piece: Spooled) -> None:
        """A spooled piece into the stream's descriptor by sendfile(2); through this
        process where the stream has no descriptor or takes no sendfile (a test's capture,
        an encoding other than UTF-8)."""
        raw: BinaryIO | None = getattr(self._stream, "buffer", None)
        if raw is None or (self._stream.encoding or "").lower() not in UTF8:
            self._stream.write(piece.read().decode("utf-8"))
            return
        self._stream.flush()  # what was written as text goes first
        try:
            target = raw.fileno()
        except (OSError, ValueError):  # io.UnsupportedOperation is both
            raw.write(piece.read())
            return
        offset, left = piece.offset, piece.length
        while left > 0:
            try:
                sent = os.sendfile(target, piece.fd, offset, left)
            except OSError as error:
                if error.errno not in _NO_SENDFILE or offset != piece.offset:
                    raise
                raw.write(piece.read())
                return
            if sent == 0:
                raise OSError(errno.EIO, "spool file shorter than its piece")
            offset, left = offset + sent, left - sent

    def commit(self) -> None:
        """Make the output whole: flush stdout, or rename the finished file into place."""
        with self._failing():
            self._stream.flush()
            if self.path is None:
                return
            if self._temporary is None:
                self._stream.close()
                return
            os.fsync(self._stream.fileno())
            self._stream.close()
            if self._force:
                os.replace(self._temporary, self.path)
            else:  # link(2) fails if someone created the file meanwhile: never replaced unasked
                os.link(self._temporary, self.path)
                self._temporary.unlink()
            self._temporary = None

    def abort(self) -> None:
        """Drop a half-written file; the old one (if any) stays as it was."""
        if self.path is not None:
            with contextlib.suppress(OSError, ValueError):
                self._stream.close()
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            self._temporary = None

    @contextlib.contextmanager
    def _failing(self) -> Iterator[None]:
        """One way to fail for `write` and `commit`: a closed pipe goes up as it is (the
        command exits quietly); any other write error drops the half-written file and
        becomes `OutputFailed`, naming where and why."""
        try:
            yield
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as error:
            where = "stdout" if self.path is None else str(self.path)
            reason = getattr(error, "strerror", None) or str(error)
            kept = "; the file was left as it was" if self._temporary is not None else ""
            self.abort()
            raise OutputFailed(f"could not write {where}: {reason}{kept}") from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
