"""Two file-system effects everyone needs: an atomic write, and the process lock that keeps runs apart."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from eumonitor.model import EumonitorError


def atomic_write(path: Path, text: str | bytes) -> None:
    """Write beside the file, flush to disk, then rename over it: readers see the old or the new file, never half."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class LockError(EumonitorError):
    """Another eumonitor process holds the lock, so this one must not collect or send."""


@contextmanager
def process_lock(path: Path) -> Iterator[None]:
    """An exclusive, non-blocking lock on `path`, released when the process ends however it ends.

    flock belongs to the open file, so a crashed process never leaves a stale lock behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        handle.seek(0)
        holder = handle.read().strip() or "ukjent"
        handle.close()
        raise LockError(f"En annen eumonitor-prosess (pid {holder}) kjører allerede; låsfil {path}") from exc
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
