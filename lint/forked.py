"""Work done in a forked child process, its result sent back pickled: both cores on large trees.

A fork is what makes this cheap: the child inherits the parsed project and the kustomize builds
copy-on-write, so only the result (findings, a few kilobytes) crosses the pipe, where a process
pool would pickle the whole workspace to each worker. It is used only where fork is safe and
usual, Linux, and only from a process without other threads (a CLI run, never the language
server). A child that fails for any reason yields None and the caller does the work itself, so
a fork can cost time but never change a result.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def available() -> bool:
    """Linux, and no other thread running: a thread holding a lock at the fork would leave it
    locked forever in the child (the CLI's progress bar redraws without a thread for this)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


class Forked(Generic[T]):
    """`work()` running in a child process; `result()` waits for it."""

    def __init__(self, work: Callable[[], T]) -> None:
        read_end, write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child: never returns
            os.close(read_end)
            _child(work, write_end)
        os.close(write_end)
        self._read_end = read_end

    def result(self) -> T | None:
        """The child's return value, or None when it raised, crashed or was killed."""
        chunks = []
        try:
            while chunk := os.read(self._read_end, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(self._read_end)
            _pid, status = os.waitpid(self._pid, 0)
        if status != 0 or not chunks:
            return None
        try:
            done, value = pickle.loads(b"".join(chunks))
        except Exception:  # a truncated result: treat as a failed child
            return None
        return value if done else None  # type: ignore[no-any-return]


def _child(work: Callable[[], T], write_end: int) -> None:
    """Run `work`, write `(done, value)` and leave at once: no atexit handlers, no flush of the
    parent's buffered output, no teardown of the inherited heap."""
    code = 0
    try:
        try:
            payload = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            payload = pickle.dumps((False, None))
        view = memoryview(payload)
        while view:
            view = view[os.write(write_end, view) :]
    except BaseException:
        code = 1
    finally:
        os._exit(code)
