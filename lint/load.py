"""Read and parse each file once: the only place that turns bytes into documents.

A file that cannot be read or parsed becomes a `LintError` with its line, never an exception.
`Project` caches every file it has read, so the model, the kustomize build and the app-source
scanner share one parse of each file per run.

Only regular files inside the root are read, and never by a call that can block (a FIFO).
Files over the size limit are skipped (the `file-skipped` rule reports them as infos); binary
or undecodable files are skipped silently, unless they are read as YAML: then they are errors.
"""

from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass, field
from pathlib import Path

from k8slint.lint.cache import FileState, file_state
from k8slint.lint.config import DEFAULT_MAX_FILE_SIZE
from k8slint.lint.discover import resolves_inside, within_root
from k8slint.lint.findings import LintError
from k8slint.lint.locate import split_lines
from k8slint.lint.yamlpos import DuplicateKey, ParsedDocument, YamlError, parse_documents

YAML_SUFFIXES = (".yaml", ".yml")
NOT_TEXT = "not UTF-8/UTF-16 text"
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


@dataclass
class SourceFile:
    """One file of the project: its text and, for YAML/JSON, its parsed documents."""

    path: str  # POSIX, relative to the project root
    text: str
    documents: list[ParsedDocument] = field(default_factory=list)
    duplicates: list[DuplicateKey] = field(default_factory=list)
    error: LintError | None = None
    template: bool = False  # a Helm/Go template that is not YAML: skipped, never an error


def decode(data: bytes) -> str | None:
    """Text of a file, or None for binary content; BOMs (UTF-8/16) are honoured."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def parse_text(path: str, text: str) -> SourceFile:
    """Parse YAML or JSON text that claims to be at `path`."""
    source = SourceFile(path, text)
    try:
        source.documents, source.duplicates = parse_documents(text, path)
    except YamlError as exc:
        if "{{" in text:  # Helm/Go templates are not YAML until rendered
            source.template = True
        else:
            source.error = LintError(path, exc.line, str(exc))
    return source


def _read_upto(fd: int, size: int, limit: int) -> bytes:
    """The bytes of an open regular file: `size` (from fstat) and whatever it has grown by
    since, up to one byte past `limit`. Plain `os.read` calls sized by fstat: a buffered
    reader asked for the limit allocates a 5 MB buffer per file, and costs twice as much even
    when sized."""
    chunks: list[bytes] = []
    read, wanted = 0, size + 1
    while read <= limit and (chunk := os.read(fd, wanted)):
        chunks.append(chunk)
        read += len(chunk)
        wanted = limit + 1 - read
    return b"".join(chunks)


class ParseCache:
    """Parsed files kept from one run to the next by a long-lived caller (the language server),
    so a file whose text has not changed is not parsed again.

    Parsed trees are never modified once built (the kustomize build works on copies, see
    lint/kustomize/nodes.py), so sharing them between runs is as safe as sharing them between
    the rules of one run. Only the files of the latest run are kept.
    """

    def __init__(self) -> None:
        self._last: dict[str, SourceFile] = {}
        self._this: dict[str, SourceFile] = {}

    def new_run(self) -> None:
        self._last, self._this = self._this, {}

    def parse(self, rel: str, text: str) -> SourceFile:
        source = self._last.get(rel)
        if source is None or source.text != text:
            source = parse_text(rel, text)
        self._this[rel] = source
        return source


class Project:
    """The files of one project root, read lazily and at most once."""

    def __init__(
        self,
        root: Path,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        parse_cache: ParseCache | None = None,
    ) -> None:
        self.root = root
        self.max_file_size = max_file_size
        self._parse_text = parse_cache.parse if parse_cache is not None else parse_text
        self._texts: dict[str, str | None] = {}
        self._parsed: dict[str, SourceFile] = {}
        self._lines: dict[str, list[str]] = {}  # split once: every frame and fingerprint asks
        self._unreadable: dict[str, str] = {}  # a regular file that could not be read: why
        self._root_str = os.fspath(root)
        self._real_root = os.path.realpath(root)
        self._inside: dict[str, bool] = {}  # rel -> inside(rel); the tree is read once per run
        self._real_dirs: dict[str, str] = {}  # rel directory -> its realpath
        # what `exists` and `is_dir` found: every includer of a kustomize base asks again
        self._exists: dict[str, bool] = {}
        self._is_dir: dict[str, bool] = {}
        # for the run cache's manifest: files read from disk, paths only looked at
        self.read_states: dict[str, FileState] = {}
        self.probed: set[str] = set()

    def abspath(self, rel: str) -> Path:
        return self.root / rel

    def record_reads(self, read_states: dict[str, FileState], probed: set[str]) -> None:
        """Add what a forked child read for this run (lint/forked.py), so the run cache's
        manifest still names every file the result depends on."""
        for rel, state in read_states.items():
            self.read_states.setdefault(rel, state)
        self.probed |= probed - self.read_states.keys()

    def override(self, rel: str, text: str) -> None:
        """Use `text` for `rel` instead of the file on disk (stdin, an editor's unsaved buffer)."""
        self._texts[rel] = text
        self._parsed.pop(rel, None)
        self._lines.pop(rel, None)

    def read_text(self, rel: str) -> str | None:
        """The text of a file, or None if it is missing, unreadable, binary or too large."""
        if rel in self._texts:
            return self._texts[rel]
        text = self._read(rel)
        self._texts[rel] = text
        return text

    def read_bytes(self, rel: str) -> bytes | None:
        """The bytes of a file (a generator input may be binary), with `read_text`'s guards:
        None when missing, not a regular file, outside the root, unreadable or too large."""
        text = self._texts.get(rel)
        if text is not None:  # read as text already, or an editor buffer / stdin replaces it
            return text.encode("utf-8")
        return self._read_data(rel)

    def _read(self, rel: str) -> str | None:
        data = self._read_data(rel)
        if data is None:
            return None
        text = decode(data)
        if text is None:
            self._unreadable[rel] = NOT_TEXT
        return text

    def _read_data(self, rel: str) -> bytes | None:
        self.probed.add(rel)  # replaced by its content's state once read
        path = os.path.join(self._root_str, rel)
        try:
            if not stat.S_ISREG(os.stat(path).st_mode) or not self.inside(rel):
                return None  # missing, a directory, FIFO, socket or device; a symlink out
            fd = os.open(path, _OPEN_FLAGS)  # non-blocking: a FIFO swapped in cannot hang us
        except (OSError, ValueError) as exc:
            if isinstance(exc, PermissionError):
                self._unreadable[rel] = exc.strerror or "permission denied"
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > self.max_file_size:
                return None  # too large: reported by the file-skipped rule
            data = _read_upto(fd, info.st_size, self.max_file_size)
        except OSError as exc:
            self._unreadable[rel] = exc.strerror or type(exc).__name__
            return None
        finally:
            os.close(fd)
        if len(data) > self.max_file_size:
            return None
        self.read_states[rel] = file_state(info, data)
        self.probed.discard(rel)
        return data

    def line(self, rel: str, number: int) -> str | None:
        """Line `number` (1-based, as a `Loc` counts) of a file, without its line break."""
        lines = self._lines.get(rel)
        if lines is None:
            text = self.read_text(rel)
            if text is None:
                return None
            lines = self._lines[rel] = [
                line.rstrip("\r\n\x85\u2028\u2029") for line in split_lines(text)
            ]
        return lines[number - 1] if 0 < number <= len(lines) else None

    def oversized(self, rel: str) -> int | None:
        """The size of a file on disk that is skipped as larger than `max_file_size`."""
        if self._texts.get(rel) is not None:  # an editor buffer or stdin replaces the file
            return None
        self.probed.add(rel)
        try:
            info = os.stat(self.abspath(rel))
        except (OSError, ValueError):
            return None
        if stat.S_ISREG(info.st_mode) and info.st_size > self.max_file_size:
            return info.st_size
        return None

    def parse(self, rel: str) -> SourceFile | None:
        """The parsed file, or None when it cannot be read at all."""
        cached = self._parsed.get(rel)
        if cached is not None:
            return cached
        text = self.read_text(rel)
        if text is None:
            why = self._unreadable.get(rel)
            if why is None:
                return None
            source = SourceFile(rel, "", error=LintError(rel, 0, f"cannot read: {why}"))
            self._parsed[rel] = source
            return source
        source = self._parse_text(rel, text)
        self._parsed[rel] = source
        return source

    def exists(self, rel: str) -> bool:
        if rel in self._texts and self._texts[rel] is not None:
            return True
        self.probed.add(rel)
        known = self._exists.get(rel)
        if known is None:
            known = self._exists[rel] = os.path.exists(os.path.join(self._root_str, rel))
        return known

    def is_dir(self, rel: str) -> bool:
        self.probed.add(rel)
        known = self._is_dir.get(rel)
        if known is None:
            known = self._is_dir[rel] = os.path.isdir(os.path.join(self._root_str, rel))
        return known

    def inside(self, rel: str) -> bool:
        """Whether a relative path stays inside the root once `..` and symlinks are resolved."""
        known = self._inside.get(rel)
        if known is None:
            known = self._inside[rel] = self._resolves_inside(rel)
        return known

    def _resolves_inside(self, rel: str) -> bool:
        directory, name = posixpath.split(rel)
        if name in ("", ".", "..") or ".." in directory.split("/"):
            return resolves_inside(os.path.join(self._root_str, rel), self._real_root)
        # each directory is resolved once, not once per file in it (~5 lstat calls a file)
        path = os.path.join(self._real_dir(directory), name)
        try:
            if os.path.islink(path):
                return resolves_inside(path, self._real_root)
        except ValueError:  # a NUL byte
            return False
        return within_root(path, self._real_root)

    def _real_dir(self, directory: str) -> str:
        real = self._real_dirs.get(directory)
        if real is None:
            real = self._real_dirs[directory] = os.path.realpath(
                os.path.join(self._root_str, directory)
            )
        return real
