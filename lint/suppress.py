"""Suppressions written in the linted files.

`# k8slint: ignore=RULE[,RULE]` (or `// k8slint: ignore=...` in JavaScript, Go, Java) at the
end of a line silences those rules on that line; alone on a line it silences the next line.
The annotation `k8slint.io/ignore: "RULE,..."` silences them on the whole object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8slint.lint.load import YAML_SUFFIXES
from k8slint.lint.locate import Loc
from k8slint.lint.model.k8s import K8sObject

if TYPE_CHECKING:
    from k8slint.lint.load import Project

ANNOTATION = "k8slint.io/ignore"
ALL = "all"
_COMMENT = re.compile(r"(#|//)\s*k8slint:\s*ignore=([A-Za-z0-9_,\- ]+)")


@dataclass(frozen=True, slots=True)
class Suppression:
    rule_ids: tuple[str, ...]
    loc: Loc  # where the suppression is written
    path: str
    first_line: int  # the lines it silences, inclusive
    last_line: int

    def covers(self, loc: Loc) -> bool:
        return loc.path == self.path and self.first_line <= loc.line <= self.last_line


def suppressions(project: Project, paths: Iterable[str]) -> list[Suppression]:
    """Every suppression written in these files: comments, and the annotations of the objects
    as written (a base built into several overlays is still written once)."""
    ordered = sorted(set(paths))
    found = []
    for rel in ordered:
        text = project.read_text(rel)
        if text is not None:
            found.extend(comment_suppressions(rel, text))
    found.extend(annotation_suppressions(written_objects(project, ordered)))
    return found


def written_objects(project: Project, paths: Iterable[str]) -> list[K8sObject]:
    """The objects as written in their files (not as built), for annotation spans."""
    from k8slint.lint.model.workspace import k8s_objects

    objects = []
    for rel in paths:
        if rel.endswith((*YAML_SUFFIXES, ".json")):
            source = project.parse(rel)
            if source is not None:
                objects.extend(k8s_objects(source))
    return objects


def comment_suppressions(path: str, text: str) -> Iterator[Suppression]:
    if "k8slint:" not in text:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        match = _COMMENT.search(line)
        if match is None:
            continue
        ids = _split(match.group(2))
        alone = not line[: match.start()].strip()
        target = number + 1 if alone else number
        col = match.start(2) + 1
        loc = Loc(path, number, col, number, match.end(2) + 1)
        yield Suppression(ids, loc, path, target, target)


def annotation_suppressions(objects: Iterable[K8sObject]) -> Iterator[Suppression]:
    for obj in objects:
        value = obj.annotations().get(ANNOTATION)
        if not value:
            continue
        meta = obj.metadata
        annotations = meta.get("annotations") if meta is not None else None
        loc = annotations.value_loc(ANNOTATION) if annotations is not None else obj.loc
        yield Suppression(_split(value), loc, obj.path, obj.loc.line, obj.loc.end_line)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())
