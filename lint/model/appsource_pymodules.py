"""Python sources parsed once, with what every Python scanner needs: imports, positions, strings.

Sources are parsed with `ast`, never imported or run. A file that does not parse is skipped.
Modules are named by their dotted path under the scanned directory; an import is resolved by
that name, else by a unique module whose name ends with it (the package root may sit deeper,
e.g. `src/app/...` imported as `app....`).
"""

from __future__ import annotations

import ast
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from k8slint.lint.locate import Loc
from k8slint.lint.model.appsource_core import SourceText


@dataclass(frozen=True, slots=True)
class ImportedModule:
    module: str  # `import pkg.mod as alias`, or `from pkg import mod`


@dataclass(frozen=True, slots=True)
class ImportedName:
    module: str
    name: str  # `from pkg.mod import name as alias`


Binding = ImportedModule | ImportedName
N = TypeVar("N", bound=ast.AST)
SETTINGS_BASES = frozenset({"BaseSettings"})


@dataclass
class PyModule:
    """One parsed Python file."""

    name: str
    path: str
    tree: ast.Module
    lines: list[str]
    imports: dict[str, Binding] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)  # module-level NAME = "text"
    walked: list[ast.AST] = field(default_factory=list)  # every node, in `ast.walk` order
    _by_type: dict[type, list[ast.AST]] = field(default_factory=dict)

    def of_type(self, kind: type[N]) -> list[N]:
        """The module's nodes of exactly type `kind`, in `ast.walk` order."""
        return self._by_type.get(kind, [])  # type: ignore[return-value]

    def loc(self, node: ast.expr | ast.stmt) -> Loc:
        """The node's span; `ast` counts columns in UTF-8 bytes, a `Loc` in characters."""
        end_line = node.end_lineno or node.lineno
        end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return Loc(
            self.path,
            node.lineno,
            self._char_col(node.lineno, node.col_offset) + 1,
            end_line,
            self._char_col(end_line, end_col) + 1,
        )

    def _char_col(self, line: int, byte_col: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():
            return byte_col
        return len(text.encode()[:byte_col].decode(errors="ignore"))


def module_name(path: str, base: str) -> str:
    """`app/routers/health.py` under `base` -> `app.routers.health`; a package is its __init__."""
    rel = path[len(base) + 1 :] if base and path.startswith(base + "/") else path
    parts = rel.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def parse_modules(files: Iterable[SourceText], base: str) -> list[PyModule]:
    modules = []
    for source in files:
        tree = _parse(source)
        if tree is None:
            continue
        module = PyModule(
            module_name(source.path, base), source.path, tree, source.text.splitlines()
        )
        module.walked = list(ast.walk(tree))  # the one walk every Python scanner shares
        by_type: dict[type, list[ast.AST]] = defaultdict(list)
        for node in module.walked:
            by_type[type(node)].append(node)
        module._by_type = dict(by_type)
        module.imports = dict(_bindings(module))
        module.constants = dict(_constants(tree))
        modules.append(module)
    return modules


def _parse(source: SourceText) -> ast.Module | None:
    try:
        with warnings.catch_warnings():  # invalid escape sequences in old code
            warnings.simplefilter("ignore")
            return ast.parse(source.text, source.path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _package(module: PyModule) -> str:
    if module.path.endswith("__init__.py"):
        return module.name
    return module.name.rpartition(".")[0]


def _absolute_module(module: PyModule, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = _package(module)
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return ".".join(part for part in (package, node.module or "") if part)


def _bindings(module: PyModule) -> Iterator[tuple[str, Binding]]:
    """Every import in the module, function-local ones too (Flask app factories import late)."""
    for node in module.walked:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    yield alias.asname, ImportedModule(alias.name)
                else:
                    first = alias.name.partition(".")[0]
                    yield first, ImportedModule(first)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute_module(module, node)
            for alias in node.names:
                yield alias.asname or alias.name, ImportedName(source, alias.name)


def _constants(tree: ast.Module) -> Iterator[tuple[str, str]]:
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and _is_str(stmt.value):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    yield target.id, stmt.value.value  # type: ignore[attr-defined]
        elif (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.value is not None
            and _is_str(stmt.value)
        ):
            yield stmt.target.id, stmt.value.value  # type: ignore[attr-defined]


def _is_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def callee(call: ast.Call) -> str:
    """The called name: `f` of `f(...)` and of `x.f(...)`."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def keyword(call: ast.Call, name: str | None) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None) if name else None


def base_names(node: ast.ClassDef) -> set[str]:
    names = set()
    for base in node.bases:
        if isinstance(base, ast.Name):
            names.add(base.id)
        elif isinstance(base, ast.Attribute):
            names.add(base.attr)
    return names


class ModuleIndex:
    """All parsed modules of one app, for resolving names across files."""

    def __init__(self, modules: list[PyModule]) -> None:
        self.modules = modules
        self._by_name = {module.name: module for module in modules}
        self.settings_classes = self._settings_class_names()
        self.attribute_strings: dict[str, str] = {}  # settings.API_PREFIX -> its default
        self.attribute_strings = self._settings_strings()

    def settings_class_defs(self, module: PyModule) -> list[ast.ClassDef]:
        """The module's pydantic-settings classes (any depth of nesting)."""
        return [
            node
            for node in module.of_type(ast.ClassDef)
            if base_names(node) & self.settings_classes
        ]

    def _settings_class_names(self) -> frozenset[str]:
        """`BaseSettings` and, by name, every scanned class that derives from it at any depth."""
        classes = [n for m in self.modules for n in m.of_type(ast.ClassDef)]
        known = set(SETTINGS_BASES)
        grew = True
        while grew:
            grew = False
            for cls in classes:
                if cls.name not in known and base_names(cls) & known:
                    known.add(cls.name)
                    grew = True
        return frozenset(known)

    def _settings_strings(self) -> dict[str, str]:
        """String defaults of settings fields by field name, to resolve `settings.API_V1_STR`."""
        strings: dict[str, str] = {}
        for module in self.modules:
            for node in self.settings_class_defs(module):
                for stmt in node.body:
                    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                        value = self.string(module, stmt.value)
                        if value is not None:
                            strings[stmt.target.id] = value
        return strings

    def find(self, dotted: str) -> PyModule | None:
        """The module named `dotted`, else the one module whose name ends with it."""
        exact = self._by_name.get(dotted)
        if exact is not None or not dotted:
            return exact
        suffix = "." + dotted
        matches = [m for m in self.modules if m.name.endswith(suffix)]
        return min(matches, key=lambda m: len(m.name)) if matches else None

    def module_of(self, module: PyModule, name: str) -> PyModule | None:
        """The module the local `name` stands for: `import x.y as name`, `from x import name`."""
        binding = module.imports.get(name)
        if isinstance(binding, ImportedModule):
            return self.find(binding.module)
        if isinstance(binding, ImportedName):
            return self.find(f"{binding.module}.{binding.name}")
        return None

    def string(self, module: PyModule, node: ast.expr | None) -> str | None:
        """The text of a string expression when it is known without running the code."""
        if node is None:
            return None
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            return self._name_string(module, node.id)
        if isinstance(node, ast.Attribute):
            return self._attribute_string(module, node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.string(module, node.left), self.string(module, node.right)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.JoinedStr):
            parts = [self._fstring_part(module, value) for value in node.values]
            return None if None in parts else "".join(p for p in parts if p is not None)
        return None

    def _fstring_part(self, module: PyModule, node: ast.expr) -> str | None:
        if isinstance(node, ast.FormattedValue):
            return self.string(module, node.value) if node.format_spec is None else None
        return self.string(module, node)

    def _name_string(self, module: PyModule, name: str) -> str | None:
        if name in module.constants:
            return module.constants[name]
        binding = module.imports.get(name)
        if isinstance(binding, ImportedName):
            source = self.find(binding.module)
            if source is not None:
                return source.constants.get(binding.name)
        return None

    def _attribute_string(self, module: PyModule, node: ast.Attribute) -> str | None:
        if isinstance(node.value, ast.Name):
            source = self.module_of(module, node.value.id)
            if source is not None and node.attr in source.constants:
                return source.constants[node.attr]
        return self.attribute_strings.get(node.attr)
