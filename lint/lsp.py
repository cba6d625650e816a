"""`k8slint lsp`: a language server that shows findings in the editor as you type.

The cross-file rules need the whole project, so every lint loads the project around the open
documents (the nearest ancestor holding .git or .k8slint.yaml, else the editor's workspace
folder), with the unsaved text of every open document in place of the file on disk
(`LintOptions.buffers`). Diagnostics are published for the open documents, all of them after
each lint: editing a compose file changes what an open manifest is told.

Linting runs on one worker thread, so the server keeps answering hovers and code actions while
it works. Opening and saving lint at once; typing is debounced (`DEBOUNCE_SECONDS` after the
last change), and a lint overtaken by newer edits publishes nothing, its successor does.

Positions: a `Loc` counts lines and columns from 1 in code points; LSP counts from 0 in the
encoding negotiated at initialize (UTF-16 code units unless the client offers another), which
pygls's position codec converts to.

Code actions: "Ignore RULE on this line" writes the suppression comment at the end of the line
(or adds the rule to a suppression already there), and "Fix: ..." applies the finding's fix.
Hovering a diagnostic shows the rule's documentation (`k8slint explain RULE`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import PositionCodec

from k8slint.lint import __version__
from k8slint.lint.discover import ROOT_MARKERS, SKIPPED_DIRS, find_root, is_excluded
from k8slint.lint.findings import ConfigError, Finding, LintError, Severity
from k8slint.lint.load import ParseCache
from k8slint.lint.locate import Loc, split_lines

DEBOUNCE_SECONDS = 0.3
SOURCE = "k8slint"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_SLASH_COMMENTS = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".go", ".java", ".kt")
_NO_COMMENTS = (".json",)
_SUPPRESSION = re.compile(r"(#|//)\s*k8slint:\s*ignore=([A-Za-z0-9_,\- ]+)")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenDocument:
    uri: str
    path: Path
    version: int | None
    text: str


@dataclass(frozen=True)
class Entry:
    """A finding as published: its diagnostic and, when it has one, its fix as an edit."""

    finding: Finding
    diagnostic: types.Diagnostic
    fix: types.WorkspaceEdit | None = None


@dataclass
class Outcome:
    """One lint of the open documents: entries by document URI, and what went wrong."""

    entries: dict[str, list[Entry]] = field(default_factory=dict)
    diagnostics: dict[str, list[types.Diagnostic]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def lint_documents(
    documents: Sequence[OpenDocument],
    folders: Sequence[Path],
    codec: PositionCodec,
    parse_caches: dict[Path, ParseCache] | None = None,
) -> Outcome:
    """Lint the projects of the open documents, their unsaved text included.

    `parse_caches` (one per project root, kept by the caller) spare the files an edit did not
    change a second parse.
    """
    from k8slint.lint.config import load_config
    from k8slint.lint.runner import LintOptions, lint_paths

    outcome = Outcome()
    by_root: dict[Path, list[OpenDocument]] = {}
    for document in documents:
        by_root.setdefault(project_root(document.path, folders), []).append(document)
    for root, group in sorted(by_root.items()):
        try:
            excludes = load_config(root).exclude
            buffers = {d.path: d.text for d in group if _lintable(root, d.path, excludes)}
            parse_cache = (
                None if parse_caches is None else parse_caches.setdefault(root, ParseCache())
            )
            run = lint_paths(
                [root], LintOptions(buffers=buffers, root=root, parse_cache=parse_cache)
            )
        except ConfigError as exc:
            outcome.failures.append(f"k8slint: {exc}")
            continue
        texts = _Texts(root, {_rel(root, d.path): d for d in group}, run.project.read_text)
        for document in group:
            rel = _rel(root, document.path)
            entries = [_entry(f, texts, codec) for f in run.result.findings if f.loc.path == rel]
            errors = [_error(e, texts, codec) for e in run.result.errors if e.path == rel]
            outcome.entries[document.uri] = entries
            outcome.diagnostics[document.uri] = [e.diagnostic for e in entries] + errors
        outcome.failures += [e.message for e in run.result.errors if not e.path]
    return outcome


def project_root(path: Path, folders: Sequence[Path]) -> Path:
    """The root the CLI would find for `path` when it has a marker (.git, .k8slint.yaml), else
    the editor's workspace folder that holds it, else the file's directory."""
    found = find_root([path])
    if any((found / marker).exists() for marker in ROOT_MARKERS):
        return found
    holding = [f for f in folders if path.is_relative_to(f)]
    return max(holding, key=lambda f: len(f.parts)) if holding else found


def _lintable(root: Path, path: Path, excludes: Sequence[str]) -> bool:
    """Unsaved text is linted for the files a walk of the root reads: not in node_modules or
    another skipped directory, not excluded by the configuration."""
    if not path.is_relative_to(root):
        return False
    rel = path.relative_to(root)
    return not SKIPPED_DIRS.intersection(rel.parts) and not is_excluded(rel.as_posix(), excludes)


def _rel(root: Path, path: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


class _Texts:
    """The text of a file as linted: the open buffer, else what the run read from disk."""

    def __init__(
        self, root: Path, open_docs: dict[str, OpenDocument], read: Callable[[str], str | None]
    ) -> None:
        self.root = root
        self.open_docs = open_docs
        self._read = read
        self._lines: dict[str, list[str]] = {}

    def uri(self, rel: str) -> str:
        document = self.open_docs.get(rel)
        return document.uri if document else (from_fs_path(str(self.root / rel)) or rel)

    def version(self, rel: str) -> int | None:
        document = self.open_docs.get(rel)
        return document.version if document else None

    def lines(self, rel: str) -> list[str]:
        if rel not in self._lines:
            document = self.open_docs.get(rel)
            text = document.text if document else self._read(rel)
            self._lines[rel] = split_lines(text or "")
        return self._lines[rel]


def to_range(loc: Loc, lines: Sequence[str], codec: PositionCodec) -> types.Range:
    """An LSP range for a `Loc`; an empty span widens to the rest of its line."""
    end_line, end_col = loc.end_line, loc.end_col
    if (end_line, end_col) == (loc.line, loc.col) and 0 < loc.line <= len(lines):
        end_col = len(lines[loc.line - 1].rstrip("\r\n\x85\u2028\u2029")) + 1
    start = types.Position(line=max(loc.line - 1, 0), character=max(loc.col - 1, 0))
    end = types.Position(line=max(end_line - 1, 0), character=max(end_col - 1, 0))
    return types.Range(
        start=codec.position_to_client_units(lines, start),
        end=codec.position_to_client_units(lines, end),
    )


def _entry(finding: Finding, texts: _Texts, codec: PositionCodec) -> Entry:
    rel = finding.loc.path
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=texts.uri(r.loc.path), range=to_range(r.loc, texts.lines(r.loc.path), codec)
            ),
            message=r.message,
        )
        for r in finding.related
    ]
    diagnostic = types.Diagnostic(
        range=to_range(finding.loc, texts.lines(rel), codec),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.rule,
        source=SOURCE,
        related_information=related or None,
        data={"key": _key(finding.rule, finding.loc)},
    )
    fix = None
    if finding.fix is not None and finding.fix.edits:
        by_file: dict[str, list[types.TextEdit]] = {}
        for edit in finding.fix.edits:
            lines = texts.lines(edit.loc.path)
            by_file.setdefault(edit.loc.path, []).append(
                types.TextEdit(range=to_range_exact(edit.loc, lines, codec), new_text=edit.text)
            )
        fix = types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=texts.uri(path), version=texts.version(path)
                    ),
                    edits=list(edits),
                )
                for path, edits in sorted(by_file.items())
            ]
        )
    return Entry(finding, diagnostic, fix)


def to_range_exact(loc: Loc, lines: Sequence[str], codec: PositionCodec) -> types.Range:
    """An LSP range for an edit's span, an empty one (an insertion point) kept empty."""
    start = types.Position(line=loc.line - 1, character=loc.col - 1)
    end = types.Position(line=loc.end_line - 1, character=loc.end_col - 1)
    return types.Range(
        start=codec.position_to_client_units(lines, start),
        end=codec.position_to_client_units(lines, end),
    )


def _error(error: LintError, texts: _Texts, codec: PositionCodec) -> types.Diagnostic:
    loc = Loc.point(error.path, max(error.line, 1))
    return types.Diagnostic(
        range=to_range(loc, texts.lines(error.path), codec),
        message=error.message,
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
    )


def _key(rule: str, loc: Loc) -> str:
    return f"{rule}@{loc.line}:{loc.col}-{loc.end_line}:{loc.end_col}"


def ignore_edit(line: str, rule: str, path: str) -> tuple[int, int, str] | None:
    """How to silence `rule` on this line: (start, end, text), columns 0-based in code points.

    Appends `  # k8slint: ignore=RULE` (`//` in JavaScript, TypeScript, Go, Java, Kotlin), or
    `,RULE` to a suppression comment already on the line; None where comments cannot go (JSON).
    """
    if path.endswith(_NO_COMMENTS):
        return None
    body = line.rstrip("\r\n\x85\u2028\u2029")
    found = _SUPPRESSION.search(body)
    if found is not None:
        ids = [part.strip() for part in found.group(2).split(",")]
        if rule in ids:
            return None
        at = found.start(2) + len(found.group(2).rstrip())
        return at, at, f",{rule}"
    marker = "//" if path.endswith(_SLASH_COMMENTS) else "#"
    content = body.rstrip()
    separator = "  " if content else ""
    return len(content), len(body), f"{separator}{marker} k8slint: ignore={rule}"


class K8slintServer(LanguageServer):
    """The server: open documents in pygls's workspace, the last lint's entries by URI."""

    def __init__(self) -> None:
        super().__init__(
            "k8slint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental
        )
        self.entries: dict[str, list[Entry]] = {}
        self.linted_versions: dict[str, int | None] = {}
        self._due = 0.0
        self._dirty: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None  # held: the loop keeps weak references
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="k8slint-lint")
        self._parse_caches: dict[Path, ParseCache] = {}  # used by the lint thread only
        self._shown: set[str] = set()

    def request_lint(self, delay: float) -> None:
        """Lint the open documents `delay` seconds from now (a later request moves it)."""
        loop = asyncio.get_running_loop()
        if self._dirty is None:
            self._dirty = asyncio.Event()
            self._worker = loop.create_task(self._work())
        self._due = loop.time() + delay
        self._dirty.set()

    async def _work(self) -> None:
        assert self._dirty is not None
        loop = asyncio.get_running_loop()
        while True:
            await self._dirty.wait()
            while (wait := self._due - loop.time()) > 0:
                await asyncio.sleep(wait)
            self._dirty.clear()
            documents = self.open_documents()
            folders = self.folders()
            codec = self.workspace.position_codec
            try:
                outcome = await loop.run_in_executor(
                    self._executor, lint_documents, documents, folders, codec, self._parse_caches
                )
            except Exception as exc:  # a crash must not stop the server; the next edit retries
                log.exception("lint failed")
                self._tell(f"k8slint: internal error: {type(exc).__name__}: {exc}")
                continue
            if self._dirty.is_set():
                continue  # overtaken by newer edits: the next lint publishes
            self._publish(documents, outcome)

    def _publish(self, documents: Sequence[OpenDocument], outcome: Outcome) -> None:
        for message in outcome.failures:
            self._tell(message)
        for document in documents:
            if document.uri not in outcome.diagnostics:
                continue  # its project's configuration is broken: keep what was shown
            self.entries[document.uri] = outcome.entries[document.uri]
            self.linted_versions[document.uri] = document.version
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=document.uri,
                    diagnostics=outcome.diagnostics[document.uri],
                    version=document.version,
                )
            )

    def _tell(self, message: str) -> None:
        """Show a problem once (a broken .k8slint.yaml would otherwise pop up on each key)."""
        if message in self._shown:
            return
        self._shown.add(message)
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=message)
        )

    def open_documents(self) -> list[OpenDocument]:
        found = []
        for uri, document in sorted(self.workspace.text_documents.items()):
            path = to_fs_path(uri) if uri.startswith("file:") else None
            if path:
                found.append(
                    OpenDocument(uri, Path(path).resolve(), document.version, document.source)
                )
        return found

    def folders(self) -> list[Path]:
        uris = [f.uri for f in self.workspace.folders.values()]
        if self.workspace.root_uri:
            uris.append(self.workspace.root_uri)
        paths = (to_fs_path(uri) for uri in uris if uri.startswith("file:"))
        return sorted({Path(p).resolve() for p in paths if p})

    def forget(self, uri: str) -> None:
        self.entries.pop(uri, None)
        self.linted_versions.pop(uri, None)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        document = self.workspace.get_text_document(uri)
        lines = split_lines(document.source)
        current = self.linted_versions.get(uri) == document.version
        by_key = {e.diagnostic.data["key"]: e for e in self.entries.get(uri, [])}  # type: ignore[index]
        actions: list[types.CodeAction] = []
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != SOURCE or not isinstance(diagnostic.code, str):
                continue
            ignore = self._ignore_action(uri, document.path, lines, diagnostic)
            if ignore is not None:
                actions.append(ignore)
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            entry = by_key.get(data.get("key"))
            if current and entry is not None and entry.fix is not None and entry.finding.fix:
                fix = entry.finding.fix
                actions.append(
                    types.CodeAction(
                        title=f"Fix: {fix.title}" + ("" if fix.safe else " (unsafe)"),
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=entry.fix,
                        is_preferred=fix.safe,
                    )
                )
        return actions

    def _ignore_action(
        self, uri: str, path: str, lines: Sequence[str], diagnostic: types.Diagnostic
    ) -> types.CodeAction | None:
        number = diagnostic.range.start.line
        if not 0 <= number < len(lines):
            return None
        rule = str(diagnostic.code)
        found = ignore_edit(lines[number], rule, path)
        if found is None:
            return None
        start, end, text = found
        codec = self.workspace.position_codec
        edit_range = types.Range(
            start=codec.position_to_client_units(
                lines, types.Position(line=number, character=start)
            ),
            end=codec.position_to_client_units(lines, types.Position(line=number, character=end)),
        )
        return types.CodeAction(
            title=f"Ignore {rule} on this line",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=types.WorkspaceEdit(
                changes={uri: [types.TextEdit(range=edit_range, new_text=text)]}
            ),
        )

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        from k8slint.lint.docs import explain
        from k8slint.rules import by_id

        position = params.position
        hits = [
            e
            for e in self.entries.get(params.text_document.uri, [])
            if _contains(e.diagnostic.range, position)
        ]
        rules = list(dict.fromkeys(e.finding.rule for e in hits))
        texts = [explain(module.RULE) for rule in rules if (module := by_id(rule)) is not None]
        if not texts:
            return None
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown, value="\n---\n\n".join(texts)
            ),
            range=hits[0].diagnostic.range,
        )


def _contains(span: types.Range, position: types.Position) -> bool:
    start = (span.start.line, span.start.character)
    end = (span.end.line, span.end.character)
    return start <= (position.line, position.character) <= end


def create_server() -> K8slintServer:
    server = K8slintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: K8slintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.request_lint(0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: K8slintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.request_lint(DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: K8slintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.request_lint(0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: K8slintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)
        ls.request_lint(0)  # the file on disk replaces the closed buffer as context

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: K8slintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: K8slintServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    return server


def serve() -> None:
    """Speak LSP on standard input and output until the client says exit."""
    create_server().start_io()


if __name__ == "__main__":
    serve()
