"""The cache across runs: a finished run's result, found again when no input changed.

Where: `$XDG_CACHE_HOME/k8slint` (else `~/.cache/k8slint`); `k8slint --no-cache` neither reads
nor writes it. Entries live under `runs/`, one file per run key; a handful are kept.

What makes a run the same run (the key): k8slint's own code (the size and mtime of every module
and schema, so an edited checkout never reuses an old result), the schemas package, the Python
version, the project root, the configuration, the options, the paths asked for, every
discovered file's name, and the text of every editor buffer. Whether the inputs are unchanged
is then checked against the entry's manifest: every file the run read, with its size, mtime and
the SHA-256 of its bytes, and every path it only probed (exists? a directory?). A file whose
size and mtime are unchanged is taken as unchanged (git's index makes the same bet); one whose
stat changed is hashed again, so a `touch` or a checkout that rewrites the same bytes still
hits. Content decides: a result is never served for inputs that differ from what it was made
from.

Writes are atomic (a temporary file, then a rename); an unreadable, truncated or foreign entry
is ignored, removed and rebuilt, never an error. A cache directory that cannot be created or
written (read-only home, full disk) only means no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from k8slint.lint.atomic import replace_file

FORMAT = 1  # bump when the layout of an entry changes
KEEP_RUNS = 16  # entries kept under runs/ (the newest); a run key per root and option set
_PACKAGE = Path(__file__).resolve().parents[1]  # the installed k8slint/ (lint, rules, schemas)


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CACHE_HOME/k8slint`, else `~/.cache/k8slint` (XDG base directory spec)."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CACHE_HOME", "")
    if not base or not os.path.isabs(base):  # the spec: a relative value is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "k8slint"


def code_fingerprint() -> str:
    """k8slint's own code and data, and the schemas it validates against, by size and mtime."""
    digest = hashlib.sha256(f"{FORMAT}:{sys.version}".encode())
    folders = [_PACKAGE / name for name in ("lint", "rules", "schemas")]
    folders = [f for f in folders if f.is_dir()] or [Path(__file__).resolve().parent]
    for folder in folders:
        for path, info in sorted(_files_under(folder)):
            digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    try:
        import importlib.util

        spec = importlib.util.find_spec("kubernetes_validate")  # located, not imported
        origin = spec.origin if spec is not None else None
        if origin:
            info = os.stat(os.path.dirname(origin))
            digest.update(f"kv\0{origin}\0{info.st_mtime_ns}\n".encode())
    except (ImportError, ValueError, OSError):
        pass
    return digest.hexdigest()


def _files_under(folder: Path) -> Iterable[tuple[str, os.stat_result]]:
    stack = [str(folder)]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if entry.name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.name.endswith((".py", ".json", ".yaml")):
                try:
                    yield entry.path, entry.stat()
                except OSError:
                    continue


def run_key(parts: Sequence[object]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


# -- the manifest: what a run read, and whether it is still the same --------------------------


@dataclass(frozen=True)
class FileState:
    """A file as a run read it: None for missing; else size, mtime and the bytes' SHA-256."""

    size: int
    mtime_ns: int
    sha256: str


def file_state(info: os.stat_result, data: bytes) -> FileState:
    return FileState(info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())


def probe_state(path: str | Path) -> str:
    """What a check that read no content sees: missing, a directory, or a file (and its stat,
    for files that were skipped as too large, unreadable or not regular)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return "missing"
    if stat.S_ISDIR(info.st_mode):
        return "dir"
    return f"{stat.S_IFMT(info.st_mode)}:{info.st_size}:{info.st_mtime_ns}:{info.st_mode}"


def unchanged(path: str, state: FileState) -> bool:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if info.st_size == state.size and info.st_mtime_ns == state.mtime_ns:
        return True
    if info.st_size != state.size:
        return False
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest() == state.sha256
    except OSError:
        return False


@dataclass
class Entry:
    key: str
    files: dict[str, FileState]  # relative path -> state when read
    probes: dict[str, str]  # relative path -> probe_state
    value: Any

    def current(self, root: Path) -> bool:
        base = str(root)
        join = os.path.join
        return all(unchanged(join(base, rel), s) for rel, s in self.files.items()) and all(
            probe_state(join(base, rel)) == state for rel, state in self.probes.items()
        )


class RunCache:
    """Finished runs under `<cache dir>/runs`, each valid while its manifest holds."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = (directory or cache_dir()) / "runs"

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.pickle"

    def get(self, key: str, root: Path) -> Any | None:
        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                entry = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception:  # truncated, foreign or from another version: drop and rebuild
            _remove(path)
            return None
        if not isinstance(entry, Entry) or entry.key != key:
            _remove(path)
            return None
        if not entry.current(root):
            return None
        return entry.value

    def put(self, entry: Entry) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
            replace_file(self._path(entry.key), data)
            self._prune()
        except Exception:  # a cache that cannot be written is no cache, never an error
            return

    def _prune(self) -> None:
        entries = []
        for path in self.directory.glob("*.pickle"):
            try:
                entries.append((path.stat().st_mtime_ns, path))
            except OSError:
                continue
        for _mtime, path in sorted(entries, reverse=True)[KEEP_RUNS:]:
            _remove(path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
