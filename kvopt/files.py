"""The file system, safely: opening inputs, checking and writing outputs.

One place for each rule about files, used by every reader and writer of kvopt:

* :func:`open_regular_file` opens every input, refusing what is not a regular file (a
  FIFO would block forever, ``/dev/zero`` never ends) and naming symbolic-link loops;
* :func:`check_output` tells, before a long computation, whether an output path can
  ever be written (a file in the way, a directory, a name too long for the file system);
* :func:`write_atomic` writes through a temporary file and an atomic rename, with the
  permissions ordinary tools give (``0666`` minus the umask), and removes the
  temporaries that killed kvopt processes left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import socket
import stat
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from kvopt.errors import FormatError, OutputError
from kvopt.workers import process_alive

#: What a path that is not a regular file is, by its ``stat`` mode.
_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_reason(e: OSError) -> str:
    """Why a file could not be opened or read, in words."""
    reasons = {
        errno.ENOENT: "no such file",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ELOOP: "too many levels of symbolic links (a symbolic-link loop?)",
        errno.ENAMETOOLONG: "file name too long",
        errno.ENOTDIR: "a component of the path is not a directory",
        errno.ENXIO: "not a regular file (a socket or a device without a reader)",
    }
    return reasons.get(e.errno, e.strerror or type(e).__name__)


def open_regular_file(path: str | os.PathLike[str], *, newline: str | None = None) -> TextIO:
    """Open ``path`` for reading as UTF-8 text, refusing anything but a regular file.

    The file is opened without blocking (a FIFO with no writer would otherwise block
    the open itself), then checked with ``fstat`` on the open descriptor, so what is
    checked is what is read.

    Parameters
    ----------
    path
        The file.
    newline
        Passed to :func:`open` (``""`` for CSV readers).

    Raises
    ------
    FormatError
        Naming the file and why it cannot be read: missing, permission denied, a
        directory, a FIFO, a device or socket, a symbolic-link loop, ...
    """
    p = str(os.fspath(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(p, flags)
    except OSError as e:
        raise FormatError(read_reason(e), file=p) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((what for test, what in _NOT_REGULAR if test(mode)), "a special file")
            if kind == "a directory":
                raise FormatError("is a directory, not a file", file=p)
            raise FormatError(f"is {kind}, not a regular file", file=p)
        os.set_blocking(fd, True)
        return open(fd, encoding="utf-8", newline=newline)
    except BaseException:
        os.close(fd)
        raise


def _os_reason(e: OSError) -> str:
    return e.strerror or type(e).__name__


def ensure_directory(path: str | os.PathLike[str]) -> Path:
    """Create directory ``path`` (and its parents) if missing.

    Raises
    ------
    OutputError
        If it cannot be created (a regular file is in the way, no permission, ...),
        naming the path.
    """
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        msg = "cannot create the directory: a file is in the way"
        raise OutputError(msg, file=str(p)) from None
    except OSError as e:
        raise OutputError(f"cannot create the directory: {_os_reason(e)}", file=str(p)) from None
    return p


def _limit(directory: Path, name: str, default: int) -> int:
    """A ``pathconf`` limit of the file system holding ``directory``."""
    try:
        return int(os.pathconf(directory, name))
    except (OSError, ValueError, AttributeError):
        return default


def _check_lengths(p: Path, existing: Path) -> None:
    """Refuse a path whose names or total length the file system cannot hold."""
    name_max = _limit(existing, "PC_NAME_MAX", 255)
    for part in p.parts:
        size = len(os.fsencode(part))
        if size > name_max:
            raise OutputError(
                f"file name too long ({size} bytes; the file system allows {name_max})",
                file=str(p),
            )
    size = len(os.fsencode(os.path.abspath(p)))
    path_max = _limit(existing, "PC_PATH_MAX", 4096)
    if size >= path_max:
        raise OutputError(
            f"path too long ({size} bytes; the file system allows {path_max - 1})", file=str(p)
        )


def check_output(path: str | os.PathLike[str], *, directory: bool = False) -> None:
    """Fail now, before a long computation, if ``path`` can never be written.

    Creates nothing: it only checks that ``path`` is not a directory (or, with
    ``directory``, not a regular file), that no regular file stands where one of its
    parent directories would have to be, and that its names fit the file system
    (``NAME_MAX``, usually 255 bytes, and ``PATH_MAX``).

    Raises
    ------
    OutputError
        Naming the path and what is in the way.
    """
    p = Path(path)
    existing = Path(".")
    for parent in p.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(
                    "cannot create the directory: a file is in the way", file=str(parent)
                )
            existing = parent
            break
    _check_lengths(p, existing)
    if p.exists() and p.is_dir() != directory:
        what = "a directory, not a file" if not directory else "a file, not a directory"
        raise OutputError(f"is {what}", file=str(p))


#: Temporary files end with this; their name also says which process wrote them.
TEMP_SUFFIX = ".kvopt-tmp"
#: Bytes a temporary's name adds to the target's: ".", ".HHHHHH-PID-TTTTTTTT", suffix.
_TEMP_EXTRA = 2 + 6 + 1 + 10 + 1 + 8 + len(TEMP_SUFFIX)


def _host_tag() -> str:
    """Six hex digits naming this machine (temporaries of other machines are kept)."""
    return f"{zlib.crc32(socket.gethostname().encode()) & 0xFFFFFF:06x}"


def _temp_name(target: Path) -> str:
    """``.NAME.HOST-PID-TOKEN.kvopt-tmp``, with NAME shortened to fit the file system."""
    room = _limit(target.parent, "PC_NAME_MAX", 255) - _TEMP_EXTRA
    stem = os.fsencode(target.name)[: max(room, 1)].decode("utf-8", "ignore") or "x"
    return f".{stem}.{_host_tag()}-{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}"


def stale_temporaries(directory: str | os.PathLike[str]) -> list[Path]:
    """kvopt's temporary files in ``directory`` whose writer process is dead.

    A temporary is stale when it was written on this machine (its host tag) by a
    process id that no longer exists, e.g. after ``kill -9`` during a write.
    Temporaries of live processes and of other machines are not listed.
    """
    out = []
    host = _host_tag()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    for entry in entries:
        name = entry.name
        if not (name.startswith(".") and name.endswith(TEMP_SUFFIX)):
            continue
        tag = name[: -len(TEMP_SUFFIX)].rsplit(".", 1)[-1].split("-")
        if len(tag) == 3 and tag[0] == host and tag[1].isdigit() and not process_alive(int(tag[1])):
            out.append(Path(entry.path))
    return out


_CLEANED: set[str] = set()


def _remove_stale(directory: Path) -> None:
    """Remove the stale temporaries of ``directory``, once per process and directory."""
    key = os.path.abspath(directory)
    if key in _CLEANED:
        return
    _CLEANED.add(key)
    for tmp in stale_temporaries(directory):
        with contextlib.suppress(OSError):  # another process removed it first
            tmp.unlink()


def write_atomic(path: str | os.PathLike[str], write: Callable[[str], None]) -> None:
    """Write ``path`` through a temporary file in its directory and an atomic rename.

    ``write(tmp)`` writes the whole content to the temporary path ``tmp``. A crash or a
    Ctrl-C in between leaves no half-written ``path``. The file gets the permissions
    of a new file (``0666`` minus the umask, ``0644`` by default), or keeps those of
    the file it replaces. The temporary is named ``.NAME.HOST-PID-TOKEN.kvopt-tmp``; a
    ``kill -9`` during the write leaves it behind, and the next kvopt process writing
    into that directory removes it (:func:`stale_temporaries`).

    Raises
    ------
    OutputError
        If ``path`` cannot be written (its directory cannot be created, it is a
        directory, no permission, ...), naming the path.
    """
    p = Path(path)
    check_output(p)
    ensure_directory(p.parent)
    _remove_stale(p.parent)
    tmp = str(p.parent / _temp_name(p))
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except OSError as e:
        raise OutputError(f"cannot write: {_os_reason(e)}", file=str(p)) from None
    try:
        try:
            os.fchmod(fd, stat.S_IMODE(os.stat(p).st_mode))  # replacing: keep its mode
        except FileNotFoundError:
            pass
        finally:
            os.close(fd)
        write(tmp)
        os.replace(tmp, p)
    except OSError as e:
        raise OutputError(f"cannot write: {_os_reason(e)}", file=str(p)) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename."""

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    write_atomic(path, write)


def write_output(path: str | os.PathLike[str], text: str) -> None:
    """``text`` to standard output when ``path`` is ``-``, else atomically into ``path``."""
    if str(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_text_atomic(path, text)
