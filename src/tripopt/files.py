"""Atomic file output: a reader never sees a half-written file, even after Ctrl-C."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError, Problem


def check_writable(path: Path | str) -> Path:
    """Fail before the work, not after it: the folder must exist and take new files."""
    target = Path(path)
    if not target.parent.is_dir():
        raise InputError(Problem(str(target), f"folder {target.parent} does not exist"))
    if target.is_dir():
        raise InputError(Problem(str(target), "is a folder, not a file"))
    if not os.access(target.parent, os.W_OK):
        raise InputError(Problem(str(target), f"folder {target.parent} is not writable"))
    return target


def write_atomic(path: Path | str, data: str | bytes) -> None:
    """Write to a temporary file in the same folder, then rename it over `path`.

    A missing folder or an unwritable path is the user's input error (exit 2).
    """
    target = check_writable(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(Problem(str(target), f"cannot write here ({exc.strerror})")) from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as a plain open() would: mkstemp makes 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(Problem(str(target), f"cannot write here ({exc.strerror or exc})")) from None
        raise


def _umask() -> int:
    """The process umask (reading it means setting it; put it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
