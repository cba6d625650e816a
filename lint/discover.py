"""Find the project root and the files under it that k8slint reads.

Never follows a symlink: one that leaves the root must not be read, and one that stays inside
names a file or directory the walk lists under its real name (reporting it twice, or under a name
pre-commit never passes, would be wrong; following directory links also invites loops). Lists
only regular files: FIFOs (opening one blocks), sockets and devices are left out. Skips
version-control, dependency and build directories, and Helm chart `templates/` (Go templates,
not YAML until rendered).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "vendor",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".terraform",
        "bower_components",
        ".idea",
        ".vscode",
        "site-packages",
    }
)
ROOT_MARKERS = (".git", ".k8slint.yaml")


def find_root(paths: Iterable[Path]) -> Path:
    """The nearest ancestor of the paths holding .git or .k8slint.yaml, else their common parent."""
    resolved = [p.resolve() for p in paths] or [Path.cwd().resolve()]
    dirs = [p if p.is_dir() else p.parent for p in resolved]
    common = Path(os.path.commonpath([str(d) for d in dirs]))
    for candidate in (common, *common.parents):
        if any((candidate / marker).exists() for marker in ROOT_MARKERS):
            return candidate
    return common


def is_excluded(rel: str, patterns: Iterable[str]) -> bool:
    """gitignore-like matching: a pattern matches the path, any parent dir, or the basename."""
    parts = rel.split("/")
    for pattern in patterns:
        pat = pattern.rstrip("/")
        if pat.startswith("/"):
            pat = pat[1:]
        elif "/" not in pat:
            if any(fnmatch.fnmatchcase(part, pat) for part in parts):
                return True
            continue
        for end in range(1, len(parts) + 1):
            if fnmatch.fnmatchcase("/".join(parts[:end]), pat) or fnmatch.fnmatchcase(
                "/".join(parts[:end]), pat + "/**"
            ):
                return True
    return False


def walk(root: Path, start: str = "", excludes: Iterable[str] = ()) -> Iterator[str]:
    """Yield the regular files under root/start as POSIX paths relative to root, each
    directory's files in name order before its subdirectories."""
    excludes = tuple(excludes)
    real_root = os.path.realpath(root)
    base = root / start if start else root
    if start and not resolves_inside(base, real_root):
        return
    seen_dirs: set[tuple[int, int]] = set()
    stack = [(base, start)]
    while stack:
        directory, rel_dir = stack.pop()
        try:
            info = os.stat(directory)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in seen_dirs:  # bind-mount loops (symlinks are skipped)
            continue
        seen_dirs.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        chart_dir = any(e.name == "Chart.yaml" for e in entries)
        subdirs = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if excludes and is_excluded(rel, excludes):
                continue
            try:
                if entry.is_symlink():
                    continue
                # the directory entry's type: no stat call where the file system reports it
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIPPED_DIRS or (chart_dir and entry.name == "templates"):
                    continue
                subdirs.append((Path(entry.path), rel))
            elif is_file:
                yield rel
        stack.extend(reversed(subdirs))


def resolves_inside(path: str | Path, real_root: str) -> bool:
    """Whether `path`, with `..` and symlinks resolved, stays inside `real_root` (a realpath)."""
    try:
        resolved = os.path.realpath(path)
    except (OSError, ValueError):
        return False
    return within_root(resolved, real_root)


def within_root(resolved: str, real_root: str) -> bool:
    """Whether a resolved path (no `..`, no symlinks) is `real_root` or under it."""
    return resolved == real_root or resolved.startswith(real_root.rstrip(os.sep) + os.sep)
