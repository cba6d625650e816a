"""A progress bar for long runs on a terminal, and the decision of when to show one.

The runner reports `(done, total, label)` through an optional callback while it parses files
and runs rules; it knows nothing of terminals. The bar is drawn on stderr only where a person
is watching: the text format (machine formats are read by programs, and their logs should be
the report alone), stderr a terminal (not a pipe or a file), not CI (CI logs keep every
redraw as a line), not TERM=dumb, and a tree large enough for a bar to be worth its flicker.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import IO, Any

Progress = Callable[[int, int, str], None]  # (done, total, label), e.g. (12, 340, "parsing")

LARGE_TREE = 200  # files; smaller trees lint in well under a second
_FALSE = ("", "0", "false", "no")


def progress_allowed(fmt: str, stderr_tty: bool, environ: Mapping[str, str]) -> bool:
    """Whether a progress bar may be drawn at all, before the tree size is known."""
    in_ci = environ.get("CI", "").strip().lower() not in _FALSE
    return fmt == "text" and stderr_tty and not in_ci and environ.get("TERM") != "dumb"


def large_tree(files: int) -> bool:
    return files > LARGE_TREE


class ProgressBar:
    """The runner's progress callback: a transient rich bar, started only for a large tree.

    The first report comes from the parsing phase, whose total is the number of files to
    parse; if that is small the bar stays off for the whole run. Call `close()` when done.

    The bar is redrawn from these calls, at most every `REDRAW_SECONDS`, never by rich's own
    refresh thread: a run forks children on a large tree (lint/forked.py), which is only safe
    while the process has a single thread.
    """

    REDRAW_SECONDS = 0.1

    def __init__(self, file: IO[str] | None = None) -> None:
        self._file = file
        self._enabled: bool | None = None
        self._progress: Any = None  # rich.progress.Progress, imported only when drawn
        self._task: Any = None
        self._label = ""
        self._drawn_at = 0.0

    @property
    def started(self) -> bool:
        return self._progress is not None

    def __call__(self, done: int, total: int, label: str) -> None:
        if self._enabled is None:
            self._enabled = large_tree(total)
        if not self._enabled:
            return
        if self._progress is None:
            self._progress = self._start()
        if label != self._label or self._task is None:
            if self._task is not None:
                self._progress.remove_task(self._task)
            self._task = self._progress.add_task(label, total=total)
            self._label = label
        self._progress.update(self._task, completed=done, total=total)
        now = time.monotonic()
        if now - self._drawn_at >= self.REDRAW_SECONDS or done == total:
            self._progress.refresh()
            self._drawn_at = now

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _start(self) -> Any:
        import sys

        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(file=self._file or sys.stderr),
            transient=True,  # the report, not the bar, is what stays on screen
            auto_refresh=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        progress.start()
        return progress
