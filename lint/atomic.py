"""Replacing a file so that a crash leaves the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def replace_file(
    path: Path, data: bytes, *, mode: int | None = None, durable: bool = False
) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`.

    `mode`: the permission bits to give the new file (`--fix` keeps the user's); `durable`:
    fsync before the rename, for a user's file (a cache entry can always be rebuilt).
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".k8slint")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
