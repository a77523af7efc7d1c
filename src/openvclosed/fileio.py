"""Safe file reading and writing.

Reading (:func:`read_input_bytes`, :func:`read_input_text`, :func:`input_file_size`): regular
files only — a FIFO, device, socket or directory is refused with one line before anything is
read, so ``/dev/zero`` or a named pipe cannot hang or exhaust ``ovc`` — and never more than a
stated number of bytes.

Writing (:func:`safe_write_text`, :func:`safe_write_bytes`, :func:`write_stream_atomic`,
:func:`atomic_write_text`): a temporary file in the target's directory, fsync, then rename,
so readers see the old file or the new one, never half of one. The target is never a
symbolic link (refused, not followed), never one of the command's inputs, and an existing
file is only replaced when asked (``--force``); a replaced file keeps its permissions. On any
failure, Ctrl-C included, the temporary file is removed and the target is left as it was.

Every problem is an :class:`~openvclosed.errors.InputError` with one line naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from openvclosed.errors import InputError

__all__ = ["atomic_write_text", "check_write_target", "input_file_size", "read_input_bytes", "read_input_text",
           "safe_write_text", "safe_write_bytes", "write_stream_atomic"]

PathLike = str | os.PathLike


# --------------------------------------------------------------------------------------------
# reading

def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"  # pragma: no cover - door, whiteout


def _require_regular(mode: int, label: str, expected: str) -> None:
    if not stat.S_ISREG(mode):
        raise InputError(f"{label}: is {_kind(mode)}, expected {expected} (only regular files are read)")


def _stat_input(path: PathLike, label: str) -> os.stat_result:
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"{label}: no such file") from None
    except OSError as e:
        raise InputError(f"{label}: cannot read ({e.strerror or e})") from None
    except ValueError:  # embedded NUL byte in the name
        raise InputError(f"{label}: not a valid file name") from None


def input_file_size(path: PathLike, expected: str) -> int:
    """Size in bytes of an input file, or one clear error: missing, unreadable, or not a
    regular file (directory, FIFO, device, socket).

    ``expected`` names what the file should be, e.g. "a YAML file".
    """
    label = str(path)
    st = _stat_input(path, label)
    _require_regular(st.st_mode, label, expected)
    return st.st_size


def _limit_error(label: str, size: int | None, max_bytes: int, expected: str, flag: str | None) -> InputError:
    amount = f"{size:,} bytes is" if size is not None and size > max_bytes else "it is"
    hint = f"; raise the limit with {flag}" if flag else ""
    return InputError(f"{label}: {amount} over the {max_bytes:,}-byte limit for {expected}{hint}")


def read_input_bytes(path: PathLike, expected: str, max_bytes: int, *, flag: str | None = None) -> bytes:
    """The bytes of a regular input file of at most ``max_bytes`` bytes.

    Refuses (one line, naming ``path`` and ``expected``, e.g. "a YAML file"): a missing or
    unreadable file, a directory, FIFO, device or socket (checked before opening, and again on
    the open descriptor; the open is non-blocking so a FIFO swapped in cannot hang), and a
    file over ``max_bytes`` (at most ``max_bytes + 1`` bytes are ever read). ``flag`` names
    the option that raises the limit, if there is one.
    """
    label = str(path)
    st = _stat_input(path, label)
    _require_regular(st.st_mode, label, expected)
    if st.st_size > max_bytes:
        raise _limit_error(label, st.st_size, max_bytes, expected, flag)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
        | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"{label}: no such file") from None
    except OSError as e:
        raise InputError(f"{label}: cannot read ({e.strerror or e})") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        _require_regular(st.st_mode, label, expected)  # replaced between stat and open
        try:
            data = fh.read(max_bytes + 1)
        except OSError as e:
            raise InputError(f"{label}: cannot read ({e.strerror or e})") from None
    if len(data) > max_bytes:
        raise _limit_error(label, None, max_bytes, expected, flag)
    return data


def read_input_text(path: PathLike, expected: str, max_bytes: int, *, flag: str | None = None) -> str:
    """:func:`read_input_bytes` decoded as UTF-8; a file that is not UTF-8 is one error line
    giving the byte offset of the first invalid byte."""
    data = read_input_bytes(path, expected, max_bytes, flag=flag)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text (invalid byte at offset {e.start}); "
                         f"expected {expected}") from None


# --------------------------------------------------------------------------------------------
# writing

def _current_umask() -> int:
    """The process umask, without changing it where the OS reports it (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _label(path: PathLike, what: str) -> str:
    return f"{what} {path}" if what else str(path)


def _same_file(a: str, b: PathLike) -> bool:
    try:
        if os.path.samefile(a, b):
            return True
    except (OSError, ValueError):
        pass
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return False


class _Target:
    """Checked write target: where the temporary file goes and which mode the result gets."""

    def __init__(self, path: PathLike, force: bool, inputs: Iterable[PathLike], what: str):
        self.path = os.fspath(path)
        self.label = label = _label(path, what)
        self.force = force
        if not self.path:
            raise InputError(f"{label}: empty file name")
        self.parent = os.path.dirname(self.path) or "."
        try:
            pst = os.stat(self.parent)
        except (FileNotFoundError, NotADirectoryError):
            raise InputError(f"{label}: directory {self.parent} does not exist") from None
        except OSError as e:
            raise InputError(f"{label}: cannot use directory {self.parent} ({e.strerror or e})") from None
        except ValueError:
            raise InputError(f"{label}: not a valid file name") from None
        if not stat.S_ISDIR(pst.st_mode):
            raise InputError(f"{label}: {self.parent} is not a directory")
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            st = None
        except OSError as e:
            raise InputError(f"{label}: cannot write ({e.strerror or e})") from None
        self.existed = st is not None
        if st is not None:
            if stat.S_ISLNK(st.st_mode):
                raise InputError(f"{label}: is a symbolic link; refusing to write through it "
                                 "(remove the link or choose another path)")
            if stat.S_ISDIR(st.st_mode):
                raise InputError(f"{label}: is a directory; give a file path")
            if not stat.S_ISREG(st.st_mode):
                raise InputError(f"{label}: is {_kind(st.st_mode)}; refusing to replace it")
        for inp in inputs:
            if inp is not None and _same_file(self.path, inp):
                raise InputError(f"{label}: is also an input ({inp}); refusing to overwrite it, "
                                 "write the output somewhere else")
        if st is not None and not force:
            raise InputError(f"{label}: exists; pass --force to replace it")
        self.mode = stat.S_IMODE(st.st_mode) if st is not None else (0o666 & ~_current_umask())

    def create_temp(self) -> tuple[int, str]:
        name = os.path.basename(self.path)
        try:
            return tempfile.mkstemp(prefix=f".{name[:100]}.", suffix=".tmp", dir=self.parent)
        except OSError as e:
            raise InputError(f"{self.label}: cannot write in {self.parent} ({e.strerror or e})") from None

    def finish_temp(self, fd: int, tmp: str) -> None:
        """Set the final mode on the (still open) temporary file and flush it to disk."""
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, self.mode)
            else:  # pragma: no cover - Windows
                os.chmod(tmp, self.mode)
            os.fsync(fd)
        except OSError as e:
            raise InputError(f"{self.label}: cannot write ({e.strerror or e})") from None

    def commit(self, tmp: str) -> None:
        """Move the finished temporary file into place."""
        try:
            if not self.force:
                # create-only: a file that appeared since the check is not silently replaced
                try:
                    os.link(tmp, self.path)
                except FileExistsError:
                    raise InputError(f"{self.label}: exists; pass --force to replace it") from None
                except OSError as e:
                    if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV,
                                       errno.EMLINK, errno.ENOSYS, errno.EACCES):
                        raise
                    os.replace(tmp, self.path)  # file system without hard links
                else:
                    os.unlink(tmp)
            else:
                st = _lstat_or_none(self.path)
                if st is not None and stat.S_ISDIR(st.st_mode):
                    raise InputError(f"{self.label}: is a directory; give a file path")
                os.replace(tmp, self.path)  # replaces a link itself, never writes through it
        except OSError as e:
            raise InputError(f"{self.label}: cannot write ({e.strerror or e})") from None
        _fsync_dir(self.parent)


_WRITE_ERRNOS = {getattr(errno, n) for n in ("ENOSPC", "EFBIG", "EDQUOT", "EIO", "EROFS", "EFAULT")
                 if hasattr(errno, n)}
"""Errors of a write that name no file themselves: the message names the target."""


def _lstat_or_none(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _fsync_dir(path: str) -> None:
    """Make the rename durable (POSIX); best effort."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def check_write_target(path: PathLike, *, force: bool = False, inputs: Iterable[PathLike] = (),
                       what: str = "--output") -> None:
    """The checks the writers make on ``path``, without writing: call it before long work so a
    bad target fails first. Raises the same one-line :class:`InputError` the writers would."""
    _Target(path, force, inputs, what)


@contextlib.contextmanager
def write_stream_atomic(path: PathLike, *, force: bool = False, inputs: Iterable[PathLike] = (),
                        what: str = "--output", binary: bool = False, encoding: str = "utf-8",
                        newline: str | None = None,
                        validate: Callable[[str], object] | None = None) -> Iterator[IO]:
    """Context manager: a file handle whose content replaces ``path`` only if the block ends
    without an exception.

    Same checks and guarantees as :func:`safe_write_bytes`. Yields a text handle (``encoding``,
    ``newline`` as for :func:`open`; pass ``newline=""`` to the :mod:`csv` module) or, with
    ``binary=True``, a binary one. ``validate(tmp_path)`` runs on the complete temporary file.
    On an exception (Ctrl-C included) the temporary file is removed, ``path`` untouched.
    """
    target = _Target(path, force, inputs, what)
    fd, tmp = target.create_temp()
    try:
        fh = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline=newline)
    except BaseException:
        os.close(fd)
        _remove(tmp)
        raise
    try:
        try:
            with fh:
                yield fh
                fh.flush()
                target.finish_temp(fh.fileno(), tmp)
        except OSError as e:  # a full disk (ENOSPC), the file-size limit (EFBIG)... in the caller's writes
            if e.filename is not None or e.errno not in _WRITE_ERRNOS:
                raise
            raise InputError(f"{target.label}: cannot write ({e.strerror or e}); "
                             f"{target.path} was left as it was") from None
        if validate is not None:
            try:
                validate(tmp)
            except InputError as e:  # the message names the target, never our temporary file
                raise InputError(str(e).replace(tmp, target.path)) from None
        target.commit(tmp)
    except BaseException:
        _remove(tmp)
        raise


def safe_write_bytes(path: PathLike, data: bytes, *, force: bool = False, inputs: Iterable[PathLike] = (),
                     validate: Callable[[str], object] | None = None, what: str = "--output") -> None:
    """Write ``data`` to ``path`` atomically (temporary file in the same directory, fsync, rename).

    Refuses, with one line naming ``what`` (the option, e.g. ``--output``) and ``path``: an
    existing file unless ``force``; a symbolic link (even with ``force``: it is never
    followed); a directory, FIFO or device; any of ``inputs`` (same file by inode or by
    resolved path); a missing parent directory. A replaced file keeps its permission bits; a
    new one gets ``0o666`` minus the umask, like :func:`open`. ``validate(tmp_path)`` may raise
    to abort. On any exception, Ctrl-C included, the temporary file is removed and ``path`` is
    left byte-for-byte as it was.
    """
    with write_stream_atomic(path, force=force, inputs=inputs, what=what, binary=True,
                             validate=validate) as fh:
        try:
            fh.write(data)
        except OSError as e:
            raise InputError(f"{_label(path, what)}: cannot write ({e.strerror or e})") from None


def safe_write_text(path: PathLike, text: str, *, force: bool = False, inputs: Iterable[PathLike] = (),
                    validate: Callable[[str], object] | None = None, what: str = "--output",
                    encoding: str = "utf-8") -> None:
    """:func:`safe_write_bytes` for text, encoded as ``encoding`` (UTF-8); newlines unchanged."""
    safe_write_bytes(path, text.encode(encoding), force=force, inputs=inputs, validate=validate, what=what)


def atomic_write_text(path: str | Path, text: str, validate=None) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half.

    Replaces an existing regular file (keeping its permissions) — callers check ``--force``
    themselves — but never writes through a symbolic link and never replaces a directory.
    ``validate(tmp_path)`` may raise to abort: the temporary file is removed, ``path`` untouched.
    """
    safe_write_text(path, text, force=True, validate=validate, what="")
