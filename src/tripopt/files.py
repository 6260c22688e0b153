"""Output files: checked before the work, rendered in memory, then written together.

The rules (docs/output-safety.md):

- a path where nothing is, or a regular file, is written atomically: a temporary file in
  the same folder, then renamed over the path; an existing file keeps its permission bits
  (set-user/group-ID dropped) and, where the system lets us, its owner and group;
- a symlink is written through: its target is replaced the same way, the link stays;
- a character device (`/dev/null`, a terminal) or a FIFO is opened and written, never
  replaced, and `-` is standard output;
- refused (exit 2, before any work): a folder, a block device, a socket, a read-only file,
  a missing or unwritable folder, one of the run's own input files, or two outputs of one
  run at the same file;
- every output of a run is written by one `write_outputs` call: all regular files are
  staged as temporary files first, then the streams are written, then every temporary
  file is renamed into place (with signals held off for the renames), so a failure
  before the renames replaces nothing, and a temporary file never outlives the run, not
  even on SIGTERM, SIGHUP or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from .errors import InputError, Problem

STDOUT = "-"
_HELD = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # held off while the temporary files are renamed


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while outputs were being written (temporary files removed)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass(frozen=True)
class Target:
    """Where one output goes, as decided by `check_output`."""

    option: str  # "--out", "--ics", ...
    given: str  # the path as the user wrote it (for messages)
    kind: str  # "file": replaced atomically; "stream": a device or FIFO, written; "stdout"
    path: Path  # "file": the real path replaced (a symlink's target); "stream": the path opened
    binary: bool = False  # a workbook or a PNG: never to a terminal


def short(text: object, limit: int = 60) -> str:
    """Text from the user, shortened for a message (the middle elided)."""
    value = str(text)
    if len(value) <= limit:
        return value
    half = (limit - 3) // 2
    return f"{value[:half]}...{value[-half:]}"


def _refuse(option: str, given: str, message: str) -> InputError:
    return InputError(Problem(f"{option} {short(given)}", message))


def check_output(path: Path | str, option: str = "--out", protected: Iterable[tuple[str, Path]] = (),
                 binary: bool = False) -> Target:
    """Decide how `path` is written, or refuse it (InputError, exit 2) before any work.

    `protected` lists the run's input files as (what, path): an output may not be one of
    them, whatever name, symlink or hard link it is reached by. `binary` data (a workbook,
    a PNG) is not written to a terminal.
    """
    given = os.fspath(path)
    if given == STDOUT:
        if binary and sys.stdout.isatty():
            raise _refuse(option, given, "binary output is not written to a terminal: redirect standard output "
                          "to a file, or give a file name")
        return Target(option, given, "stdout", Path(STDOUT), binary)
    if not given or "\x00" in given:
        raise _refuse(option, given, "is not a usable file name")
    link = Path(given)
    real = link
    try:
        if link.is_symlink():
            real = Path(os.path.realpath(link))  # written through: the link stays, its target is replaced
            if real.is_symlink():
                raise _refuse(option, given, "is a symlink that never reaches a file (a loop)")
        info: os.stat_result | None = real.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _refuse(option, given, f"cannot be examined ({exc.strerror or exc})") from None
    for what, source in protected:
        if _same_file(real, info, source):
            raise _refuse(option, given, f"is the {what} ({short(source)}): tripopt never overwrites its input; "
                          "choose another output file")
    via = f" (the target of the symlink, {short(real)})" if real != link else ""
    if info is None:
        _check_folder(option, given, real)
        return Target(option, given, "file", real, binary)
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise _refuse(option, given, f"is a folder, not a file{via}")
    if stat.S_ISREG(mode):
        if not os.access(real, os.W_OK) or not mode & 0o222:
            raise _refuse(option, given, f"is read-only{via}: tripopt does not replace a file that may not be "
                          "written; make it writable or choose another name")
        _check_folder(option, given, real)
        return Target(option, given, "file", real, binary)
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        if not os.access(real, os.W_OK):
            raise _refuse(option, given, f"is not writable{via}")
        if binary and stat.S_ISCHR(mode) and _is_terminal(real):
            raise _refuse(option, given, "is a terminal: binary output is not written to a terminal")
        return Target(option, given, "stream", real, binary)
    kind = "a block device (a disk)" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a file"
    raise _refuse(option, given, f"is {kind}{via}: tripopt writes only to regular files, character devices "
                  "and FIFOs")


def check_folder_output(path: Path | str, option: str) -> Path:
    """A folder an output writes its files into (`--invites DIR`), checked before any
    work: a folder tripopt may write in, or nothing yet in a folder it may write in (made
    by `make_folder` when there is something to write). A file, device or anything else
    there is refused (InputError, exit 2)."""
    given = os.fspath(path)
    if not given or "\x00" in given:
        raise _refuse(option, given, "is not a usable folder name")
    if given == STDOUT:
        raise _refuse(option, given, "is a folder of files, which standard output cannot take: give a folder")
    folder = Path(given)
    if folder.is_dir():
        if not os.access(folder, os.W_OK | os.X_OK):
            raise _refuse(option, given, "is a folder tripopt may not write in")
        return folder
    if folder.exists() or folder.is_symlink():
        raise _refuse(option, given, "is not a folder: give a folder (one that does not exist yet is made)")
    _check_folder(option, given, folder)
    return folder


def make_folder(folder: Path, option: str) -> None:
    """The folder of `check_folder_output`, made if it is not there yet."""
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise _refuse(option, str(folder), f"cannot be made ({exc.strerror or exc})") from None


def check_distinct(targets: Sequence[Target]) -> None:
    """Two outputs of one run may not land on the same file, nor both on standard output."""
    seen: list[Target] = []
    for target in targets:
        for earlier in seen:
            if target.kind == earlier.kind == "stdout":
                raise _refuse(target.option, target.given, f"only one output can go to standard output, and "
                              f"{earlier.option} already does (--out goes there unless given a file)")
            if target.kind == earlier.kind == "file" and _same_file(target.path, _stat(target.path), earlier.path):
                raise _refuse(target.option, target.given, f"is the same file as {earlier.option} "
                              f"{short(earlier.given)}: give each output its own file")
        seen.append(target)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _same_file(real: Path, info: os.stat_result | None, other: Path) -> bool:
    """`real` (stat `info`, None when it does not exist) is `other`, by name or by inode."""
    try:
        if os.path.realpath(other) == os.path.realpath(real):
            return True
        theirs = other.stat()
    except OSError:
        return False
    return info is not None and (info.st_dev, info.st_ino) == (theirs.st_dev, theirs.st_ino)


def _check_folder(option: str, given: str, real: Path) -> None:
    folder = real.parent
    if not folder.is_dir():
        raise _refuse(option, given, f"folder {short(folder)} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refuse(option, given, f"folder {short(folder)} is not writable (a file is replaced by renaming "
                      "a new one over it)")


def _is_terminal(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


# -- writing ---------------------------------------------------------------------------


def write_atomic(path: Path | str, data: str | bytes, option: str = "--out") -> None:
    """Write one file by the rules above (for a single output such as a cache file)."""
    write_outputs([(check_output(Path(path), option), data)])


def write_outputs(outputs: Sequence[tuple[Target, str | bytes]]) -> None:
    """Write every output of a run, all or (where the system allows) none.

    Regular files are staged first (temporary file, data, flush, permissions), then the
    streams (standard output, devices, FIFOs) are written, then the staged files are
    renamed into place. A failure while staging or streaming leaves every regular file
    as it was; a write failure is an InputError naming the file (exit 2).
    """
    staged: list[tuple[str, Target]] = []
    with _signals_raise():
        try:
            for target, data in outputs:
                if target.kind == "file":
                    staged.append((_stage(target, data), target))
            for target, data in outputs:
                if target.kind != "file":
                    _stream(target, data)
            with _held_signals():
                while staged:
                    tmp, target = staged[0]
                    _rename(tmp, target)
                    staged.pop(0)
        finally:
            for tmp, _ in staged:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def _encoded(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _failed(target: Target, exc: OSError) -> InputError:
    return _refuse(target.option, target.given, f"cannot be written ({exc.strerror or exc})")


def _stage(target: Target, data: str | bytes) -> str:
    """The data in a temporary file next to the target, with the target's permissions."""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.path.parent, prefix=f".{target.path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _failed(target, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            _keep_permissions(handle.fileno(), target.path)
            handle.write(_encoded(data))
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _failed(target, exc) from None
        raise
    return tmp


def _keep_permissions(fd: int, path: Path) -> None:
    """An existing file's mode bits (no set-ID bits), owner and group where allowed; a
    new file's mode as a plain open() would give it (mkstemp makes 0600)."""
    try:
        before = path.stat()
    except FileNotFoundError:
        os.fchmod(fd, 0o666 & ~_umask())
        return
    if (before.st_uid, before.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, before.st_uid, before.st_gid)
        except PermissionError:  # not root: the group at least, if we are in it
            with contextlib.suppress(PermissionError):
                os.fchown(fd, -1, before.st_gid)
    os.fchmod(fd, stat.S_IMODE(before.st_mode) & ~(stat.S_ISUID | stat.S_ISGID))


def _rename(tmp: str, target: Target) -> None:
    """Rename the staged file over the target, unless the path became something else."""
    try:
        now = target.path.lstat()
    except FileNotFoundError:
        now = None
    except OSError as exc:
        raise _failed(target, exc) from None
    if now is not None and not stat.S_ISREG(now.st_mode):
        raise _refuse(target.option, target.given, "changed into something that is not a regular file while "
                      "tripopt ran; not replaced")
    try:
        os.replace(tmp, target.path)
    except OSError as exc:
        raise _failed(target, exc) from None


def _stream(target: Target, data: str | bytes) -> None:
    """Standard output, or a device or FIFO opened for writing (no truncation, no rename)."""
    if target.kind == "stdout":
        try:
            if isinstance(data, bytes):
                sys.stdout.flush()
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            else:
                try:
                    sys.stdout.write(data)
                except UnicodeEncodeError:  # a terminal that is not UTF-8: what it cannot show, escaped
                    sys.stdout.flush()
                    sys.stdout.buffer.write(data.encode(sys.stdout.encoding or "ascii", "backslashreplace"))
                sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _failed(target, exc) from None
        return
    try:
        fd = os.open(target.path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)  # a FIFO: waits for its reader
    except OSError as exc:
        raise _failed(target, exc) from None
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):  # replaced since it was checked: leave it
            raise _refuse(target.option, target.given, "is no longer a device or FIFO; not written")
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(_encoded(data))
    except OSError as exc:
        raise _failed(target, exc) from None
    finally:
        os.close(fd)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise `Terminated` meanwhile, so `finally` removes the temporary
    files (their default action would end the process on the spot). Ctrl-C raises already."""
    if not _in_main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    # only where the signal would end the process now: an ignored SIGHUP (nohup) stays ignored
    chosen = [sig for sig in (signal.SIGTERM, signal.SIGHUP) if signal.getsignal(sig) is signal.SIG_DFL]
    previous = {sig: signal.signal(sig, handler) for sig in chosen}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def _held_signals() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP for the few renames: they are delivered right after,
    so a run ends with all of its outputs in place or, before this, none."""
    if not _in_main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _umask() -> int:
    """The process umask (reading it means setting it; put it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
