"""Sub-builds shared by the kustomizations of one run: each included directory built once.

Two overlays that list the same 1,000 bases used to build every base twice. What building an
included directory gives (its resources, and what it records: files read, notes, missing
references, errors, vars, configurations) depends only on the project's files and on the
builder's `context` when the directory is included: whether part of the build was left out
(remote resources, Helm charts turn an unmatched patch into a note) and the label and
annotation field specs that `configurations:` files have added so far. So the first build is
kept, and a later includer in the same context gets a deep copy of its resources while its
records are replayed into the includer's build: exactly what a fresh build would give.

Never kept: a build that recorded something about its includer (a cycle error names the chain
of includers; a Component listed as a resource is reported at the includer's entry). So a kept
build met no cycle, and as what a directory includes depends only on the files, no includer's
chain can hold a directory it includes. Never reused deeper in the chain of includers than it
was built: a fresh build there might exceed the recursion limit, which `build()` reports as
kustomizations nesting too deep.

Memory: a build is kept only while another includer is expected (`expected_uses`, counted
from the kustomization files), and the last one expected is given the kept resources
themselves, so a shared base is never held beyond its last use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from k8slint.lint.kustomize.resource import Res


@dataclass(frozen=True)
class Records:
    """What one build of a directory appended to the builder's state, in order."""

    logs: Mapping[str, tuple[Any, ...]]  # name of a state list -> what the build appended
    incomplete: bool  # the state's `incomplete` flag once the build was done
    about_includer: bool  # it recorded something that names its includer (not shareable)


@dataclass(frozen=True)
class _Kept:
    resources: list[Res]
    records: Records
    context: Hashable
    depth: int  # the length of the includer chain it was built under

    def fits(self, context: Hashable, chain: tuple[str, ...]) -> bool:
        return context == self.context and len(chain) <= self.depth


class SubBuilds:
    """The builds of included directories, kept for the includers expected to ask again."""

    def __init__(self, expected_uses: Mapping[str, int] | None = None) -> None:
        self._uses: Counter[str] = Counter(expected_uses or {})
        self._kept: dict[str, _Kept] = {}

    def take(
        self, directory: str, context: Hashable, chain: tuple[str, ...]
    ) -> tuple[list[Res], Records] | None:
        """The resources (a copy, unless this is the last expected use) and records of a kept
        build of `directory` that fits this includer; None when it must be built here."""
        self._uses[directory] -= 1
        last = self._uses[directory] <= 0
        kept = self._kept.pop(directory, None) if last else self._kept.get(directory)
        if kept is None or not kept.fits(context, chain):
            return None
        resources = kept.resources if last else [res.copy() for res in kept.resources]
        return resources, kept.records

    def wanted(self, directory: str) -> bool:
        """Whether another includer of `directory` is expected after this one."""
        return self._uses[directory] > 0

    def keep(
        self,
        directory: str,
        context: Hashable,
        chain: tuple[str, ...],
        resources: list[Res],
        records: Records,
    ) -> list[Res]:
        """Keep a fresh build for later includers; the includer at hand gets a copy."""
        if records.about_includer:
            return resources
        self._kept[directory] = _Kept(resources, records, context, len(chain))
        return [res.copy() for res in resources]
