"""What a lint run produces: findings, their fixes, and the errors met on the way."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from k8slint.lint.locate import Edit, Loc


class Severity(str, enum.Enum):
    """How bad a finding is; ordered error > warning > info (StrEnum needs Python 3.11)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __str__(self) -> str:
        return self.value


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, slots=True)
class Related:
    """The other end of a cross-file fault, e.g. the compose service an image should match."""

    loc: Loc
    message: str


@dataclass(frozen=True, slots=True)
class Fix:
    """Edits that resolve a finding; safe ones run under --fix, the others need --unsafe-fixes."""

    title: str
    edits: tuple[Edit, ...]
    safe: bool

    @classmethod
    def safe_fix(cls, title: str, *edits: Edit) -> Fix:
        return cls(title, tuple(edits), safe=True)

    @classmethod
    def unsafe(cls, title: str, *edits: Edit) -> Fix:
        return cls(title, tuple(edits), safe=False)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    loc: Loc
    message: str
    related: tuple[Related, ...] = ()
    fix: Fix | None = None

    @property
    def sort_key(self) -> tuple[Loc, str, str]:
        return (self.loc, self.rule, self.message)


@dataclass(frozen=True, slots=True)
class LintError:
    """An input k8slint could not read or parse, or a rule that crashed; exit code 2."""

    path: str
    line: int
    message: str

    @classmethod
    def from_rule_crash(cls, rule_id: str, exc: BaseException) -> LintError:
        return cls("", 0, f"rule {rule_id} crashed: {type(exc).__name__}: {exc}")


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[LintError] = field(default_factory=list)
    files: int = 0
    documents: int = 0


class ConfigError(Exception):
    """A bad configuration file or option; reported as `path:line: message`, exit code 2."""

    def __init__(self, message: str, path: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.path and self.line else ""
        where = where or (f"{self.path}: " if self.path else "")
        return f"{where}{self.args[0]}"
