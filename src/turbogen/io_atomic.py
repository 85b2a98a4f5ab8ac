"""Write files so that a reader never sees half of one: temp file in the same folder, then rename."""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError


def _check_parent(path: Path) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"cannot write {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(f"cannot write {path}: folder {parent} is not writable")


def check_writable(path: str | os.PathLike) -> None:
    """InputError unless a file could be created at `path` (its folder exists, is writable)."""
    _check_parent(Path(path))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    path = Path(path)
    _check_parent(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        # mkstemp makes the file 0600; give it the mode open() would have (0666 minus umask)
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def check_directory_target(path: str | os.PathLike, overwrite: bool = False) -> None:
    """Raise InputError now if `atomic_directory(path, overwrite)` would refuse `path` later."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"cannot write into {path}: it is a file, not a folder")
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise InputError(f"{path} already exists and is not empty; choose another folder "
                         "or pass --overwrite")
    _check_parent(path)


@contextmanager
def atomic_directory(path: str | os.PathLike, overwrite: bool = False):
    """Yield a temporary folder beside `path`; on success it becomes `path`, on failure it goes.

    An existing non-empty `path` is an error unless `overwrite` is set.
    """
    path = Path(path)
    check_directory_target(path, overwrite)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
