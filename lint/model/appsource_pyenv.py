"""Environment variables that Python code reads: `os` calls and pydantic-settings fields.

`os.getenv("X", d)`, `os.environ.get("X", d)`, `os.environ.setdefault("X", d)` and
`os.getenv("X") or d` give a default; without one the read is soft. `os.environ["X"]` is
required. `from os import getenv, environ` and `import os as o` are followed.
A `BaseSettings` subclass (also through another settings class) reads one variable per field:
`env_prefix` + field name, or the field's `alias`/`validation_alias`/`env`; upper-cased unless
`case_sensitive`; a field without a default is required.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from k8slint.lint.model.appsource_core import EnvRead
from k8slint.lint.model.appsource_pymodules import (
    ImportedModule,
    ImportedName,
    ModuleIndex,
    PyModule,
    callee,
    keyword,
)

NOT_FIELDS = frozenset({"model_config", "Config"})


@dataclass(frozen=True, slots=True)
class OsNames:
    """The local names that stand for `os`, `os.environ` and `os.getenv` in one module."""

    os: frozenset[str]
    environ: frozenset[str]
    getenv: frozenset[str]

    @classmethod
    def of(cls, module: PyModule) -> OsNames:
        os_names, environ, getenv = {"os"}, set(), set()
        for local, binding in module.imports.items():
            if isinstance(binding, ImportedModule) and binding.module == "os":
                os_names.add(local)
            elif isinstance(binding, ImportedName) and binding.module == "os":
                if binding.name == "environ":
                    environ.add(local)
                elif binding.name == "getenv":
                    getenv.add(local)
        return cls(frozenset(os_names), frozenset(environ), frozenset(getenv))

    def is_environ(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.environ
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "environ"
            and isinstance(node.value, ast.Name)
            and node.value.id in self.os
        )

    def is_getter(self, func: ast.expr) -> bool:
        """`os.getenv`, `getenv`, `os.environ.get`, `os.environ.setdefault`."""
        if isinstance(func, ast.Name):
            return func.id in self.getenv
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr == "getenv":
            return isinstance(func.value, ast.Name) and func.value.id in self.os
        return func.attr in ("get", "setdefault") and self.is_environ(func.value)


def scan_python_env(index: ModuleIndex) -> list[EnvRead]:
    reads: list[EnvRead] = []
    for module in index.modules:
        reads.extend(_os_reads(index, module, OsNames.of(module)))
        for node in index.settings_class_defs(module):
            reads.extend(_settings_fields(index, module, node))
    return reads


def _os_reads(index: ModuleIndex, module: PyModule, names: OsNames) -> Iterator[EnvRead]:
    defaulted_by_or: dict[int, ast.expr] = {}
    for bool_op in module.of_type(ast.BoolOp):
        if isinstance(bool_op.op, ast.Or) and len(bool_op.values) > 1:
            defaulted_by_or[id(bool_op.values[0])] = bool_op.values[1]  # getenv("X") or "d"
    for node in module.walked:
        if isinstance(node, ast.Call) and names.is_getter(node.func):
            read = _getter_read(index, module, node, defaulted_by_or.get(id(node)))
            if read is not None:
                yield read
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and names.is_environ(node.value)
        ):
            name = index.string(module, node.slice)
            if name:
                yield EnvRead(name, None, module.loc(node), True, False, "python")


def _getter_read(
    index: ModuleIndex, module: PyModule, call: ast.Call, or_default: ast.expr | None
) -> EnvRead | None:
    name = index.string(module, call.args[0]) if call.args else None
    if not name:
        return None
    default_node = (
        call.args[1] if len(call.args) > 1 else keyword(call, "default") or keyword(call, "value")
    )
    if _is_none(default_node):
        default_node = or_default
    if _is_none(default_node):
        return EnvRead(name, None, module.loc(call), False, True, "python")
    assert default_node is not None
    default = _literal(index, module, default_node)
    loc = module.loc(default_node if default is not None else call)
    return EnvRead(name, default, loc, False, False, "python")


def _is_none(node: ast.expr | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def _literal(index: ModuleIndex, module: PyModule, node: ast.expr) -> str | None:
    """A default as the text the variable would hold: `8080` -> "8080"."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and node.value is not None
    ):
        return str(node.value)
    return index.string(module, node)


@dataclass(frozen=True, slots=True)
class SettingsConfig:
    env_prefix: str = ""
    case_sensitive: bool = False

    def env_name(self, field_name: str) -> str:
        name = self.env_prefix + field_name
        return name if self.case_sensitive else name.upper()


def _settings_config(index: ModuleIndex, module: PyModule, cls: ast.ClassDef) -> SettingsConfig:
    options: dict[str, ast.expr] = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and _assigns(stmt, "model_config"):
            options.update(_config_options(stmt.value))
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":  # pydantic v1
            for inner in stmt.body:
                if isinstance(inner, ast.Assign) and isinstance(inner.targets[0], ast.Name):
                    options[inner.targets[0].id] = inner.value
    prefix = index.string(module, options.get("env_prefix")) or ""
    sensitive = options.get("case_sensitive")
    return SettingsConfig(prefix, isinstance(sensitive, ast.Constant) and sensitive.value is True)


def _assigns(stmt: ast.Assign | ast.AnnAssign, name: str) -> bool:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return any(isinstance(t, ast.Name) and t.id == name for t in targets)


def _config_options(value: ast.expr | None) -> Iterator[tuple[str, ast.expr]]:
    """Options of `SettingsConfigDict(...)`, `ConfigDict(...)`, `dict(...)` or a dict literal."""
    if isinstance(value, ast.Call):
        yield from ((kw.arg, kw.value) for kw in value.keywords if kw.arg)
    elif isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value, item


def _settings_fields(index: ModuleIndex, module: PyModule, cls: ast.ClassDef) -> Iterator[EnvRead]:
    config = _settings_config(index, module, cls)
    for stmt in cls.body:
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
            continue
        name = stmt.target.id
        if name.startswith("_") or name in NOT_FIELDS or _is_classvar(stmt.annotation):
            continue
        yield _settings_field(index, module, stmt, config)


def _is_classvar(annotation: ast.expr) -> bool:
    node = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return (isinstance(node, ast.Name) and node.id == "ClassVar") or (
        isinstance(node, ast.Attribute) and node.attr == "ClassVar"
    )


def _settings_field(
    index: ModuleIndex, module: PyModule, stmt: ast.AnnAssign, config: SettingsConfig
) -> EnvRead:
    assert isinstance(stmt.target, ast.Name)
    env_name = config.env_name(stmt.target.id)
    value = stmt.value
    required = value is None
    default_node: ast.expr | None = value
    if isinstance(value, ast.Call) and callee(value) == "Field":
        alias, choices = _field_alias(index, module, value)
        if alias:
            env_name = alias if config.case_sensitive else alias.upper()
        default_node = value.args[0] if value.args else keyword(value, "default")
        required = (default_node is None and keyword(value, "default_factory") is None) or (
            isinstance(default_node, ast.Constant) and default_node.value is Ellipsis
        )
        required = required and choices <= 1
    default = None if default_node is None else _literal(index, module, default_node)
    loc = module.loc(
        default_node if default is not None and default_node is not None else stmt.target
    )
    return EnvRead(env_name, default, loc, required, False, "python", not config.case_sensitive)


def _field_alias(index: ModuleIndex, module: PyModule, call: ast.Call) -> tuple[str | None, int]:
    """The variable a `Field` reads instead of its name, and how many alternatives it accepts."""
    for option in ("validation_alias", "alias", "env"):
        node = keyword(call, option)
        if node is None:
            continue
        if isinstance(node, ast.Call) and callee(node) == "AliasChoices":
            choices = [index.string(module, arg) for arg in node.args]
            return next((c for c in choices if c), None), len(choices)
        return index.string(module, node), 1
    return None, 1
