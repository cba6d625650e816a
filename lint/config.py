"""k8slint's configuration: `.k8slint.yaml` at the project root, else `[tool.k8slint]` in
pyproject.toml, validated against schemas/config.schema.json.

A bad key or value raises `ConfigError` naming the file and the line of that key or value
(exit code 2). Unknown rule ids and rule options are not schema errors: the engine checks them
against the rules, and `Config.line_of` gives it the line to point at.

PyYAML, tomllib and jsonschema (~80 ms to import) are imported only when a configuration file
exists, so `k8slint --version` and runs without a config stay fast.
"""

from __future__ import annotations

import functools
import json
import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from k8slint.lint.findings import ConfigError, Severity

if TYPE_CHECKING:
    from jsonschema import ValidationError

CONFIG_FILE = ".k8slint.yaml"
PYPROJECT_FILE = "pyproject.toml"
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024

KeyPath = tuple[Any, ...]
"""Keys (str; int for list items) from the top of the configuration down to a value."""

Lines = Mapping[KeyPath, tuple[int, int]]
"""Key path -> (line of the key, line of the value), 1-based."""

_EMPTY: Mapping[Any, Any] = MappingProxyType({})


@dataclass(frozen=True)
class RuleSetting:
    """What the configuration says about one rule."""

    severity: Severity | None = None  # None: keep the rule's default
    enabled: bool = True  # False for "off"
    options: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)  # checked by the engine


_DEFAULT_SETTING = RuleSetting()


@dataclass(frozen=True)
class Config:
    """The project's settings; rule ids and rule options are left for the engine to check."""

    path: str | None = None  # where it was read from, as shown in messages; None = defaults
    rules: Mapping[str, RuleSetting] = field(default_factory=lambda: _EMPTY)
    exclude: tuple[str, ...] = ()
    apps: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # image -> dir from root
    private_registries: tuple[str, ...] = ()  # hosts, host/path prefixes or globs
    node_auth_registries: tuple[str, ...] = ()  # hosts or globs like "*.dkr.ecr.*.amazonaws.com"
    kubernetes_version: str | None = None  # "1.30"
    crds_installed: tuple[str, ...] = ()
    node_cpu_millis: int | None = None
    node_memory_bytes: int | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    secrets_external: bool = False  # Secrets are made out of band: missing ones are expected
    lines: Lines = field(default_factory=lambda: _EMPTY, compare=False, repr=False)

    def setting(self, rule_id: str) -> RuleSetting:
        return self.rules.get(rule_id, _DEFAULT_SETTING)

    def line_of(self, *keys: Any, value: bool = False) -> int:
        """Line of the key at `keys` (of its value with value=True); 0 without a file.

        A path the file does not spell out (an item of a TOML array, a key of an inline
        table) gets the line of its nearest ancestor, e.g. `line_of("rules", "missing-crd")`.
        """
        return _line_of(self.lines, keys, value=value)


DEFAULT = Config()


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """The configuration of the project at `root`; raises ConfigError.

    `explicit` (--config FILE, absolute or relative to the working directory) wins; then
    root/.k8slint.yaml; then [tool.k8slint] in root/pyproject.toml; else DEFAULT.
    """
    if explicit is not None:
        shown = str(explicit)
        text = _read(explicit, shown)
        if explicit.suffix == ".toml":
            return _from_pyproject(text, shown, required=True)
        return _from_yaml(text, shown)
    candidate = root / CONFIG_FILE
    if candidate.is_file():
        shown = _shown_path(candidate)
        return _from_yaml(_read(candidate, shown), shown)
    pyproject = root / PYPROJECT_FILE
    if pyproject.is_file():
        shown = _shown_path(pyproject)
        return _from_pyproject(_read(pyproject, shown), shown, required=False)
    return DEFAULT


def _shown_path(path: Path) -> str:
    """The path as a user types it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):  # outside the working directory, or that one is gone
        return str(path)


def _read(path: Path, shown: str) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration: {exc.strerror or exc}", shown) from None
    except UnicodeDecodeError:
        raise ConfigError("the configuration is not UTF-8 text", shown) from None


# --- YAML -----------------------------------------------------------------------------------


def _from_yaml(text: str, shown: str) -> Config:
    from k8slint.lint.yamlpos import YamlError, parse_documents

    try:
        documents, duplicates = parse_documents(text, shown)
    except YamlError as exc:
        raise ConfigError(str(exc), shown, exc.line) from None
    documents = [document for document in documents if document.root is not None]  # `---`, `~`
    if duplicates:  # kubectl would keep the last; in a config it is always a slip
        dup = duplicates[0]
        raise ConfigError(
            f"duplicate key {dup.key!r} (first at line {dup.first.line}); give it once",
            shown,
            dup.second.line,
        )
    if not documents:
        return replace(DEFAULT, path=shown)
    if len(documents) > 1:
        raise ConfigError(
            "the configuration must be a single YAML document", shown, documents[1].loc.line
        )
    document = documents[0]
    return _build(document.root, _yaml_lines(document.root, document.loc.line), shown)


def _yaml_lines(root: Any, root_line: int) -> dict[KeyPath, tuple[int, int]]:
    from k8slint.lint.yamlpos import YMap, YSeq

    lines: dict[KeyPath, tuple[int, int]] = {(): (root_line, root_line)}
    stack: list[tuple[KeyPath, Any]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, YMap):
            for key, child in node.items():
                lines[(*path, key)] = (node.key_loc(key).line, node.value_loc(key).line)
                stack.append(((*path, key), child))
        elif isinstance(node, YSeq):
            for index, child in enumerate(node):
                line = node.item_loc(index).line
                lines[(*path, index)] = (line, line)
                stack.append(((*path, index), child))
    return lines


# --- pyproject.toml -------------------------------------------------------------------------

_TOML_PREFIX = ("tool", "k8slint")
_TOML_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_TOML_KEYS = rf"{_TOML_PART}(?:\s*\.\s*{_TOML_PART})*"
_TOML_TABLE = re.compile(rf"\s*\[\s*({_TOML_KEYS})\s*\]")
_TOML_ARRAY_TABLE = re.compile(r"\s*\[\[")
_TOML_ASSIGN = re.compile(rf"\s*({_TOML_KEYS})\s*=")
_TOML_ERROR_AT = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")


def _from_pyproject(text: str, shown: str, *, required: bool) -> Config:
    if not required and "k8slint" not in text:  # most pyproject files: no need to parse them
        return DEFAULT
    data = _parse_toml(text, shown)
    tool = data.get("tool")
    if not isinstance(tool, dict) or "k8slint" not in tool:
        if required:
            raise ConfigError("no [tool.k8slint] table in this file", shown)
        return DEFAULT
    return _build(tool["k8slint"], _toml_lines(text), shown)


def _parse_toml(text: str, shown: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _TOML_ERROR_AT.search(message)
        if at is None:
            raise ConfigError(f"invalid TOML: {message}", shown) from None
        line = int(at[1]) if at[1] else text.count("\n") + 1
        raise ConfigError(f"invalid TOML: {message[: at.start()]}", shown, line) from None


def _toml_lines(text: str) -> dict[KeyPath, tuple[int, int]]:
    """Lines of the keys under [tool.k8slint], found by scanning the text (tomllib has none).

    Best effort: table headers and `key = value` lines, dotted and quoted keys included; keys
    inside inline tables and items of arrays resolve to the line of their enclosing key.
    """
    lines: dict[KeyPath, tuple[int, int]] = {}
    table: KeyPath | None = ()
    for number, line in enumerate(text.splitlines(), 1):
        if _TOML_ARRAY_TABLE.match(line):
            table = None  # [[array.of.tables]]: no k8slint setting lives there
            continue
        if header := _TOML_TABLE.match(line):
            table = path = _toml_key(header[1])
        elif table is not None and (assign := _TOML_ASSIGN.match(line)):
            path = (*table, *_toml_key(assign[1]))
        else:
            continue
        if path[: len(_TOML_PREFIX)] == _TOML_PREFIX:
            relative = path[len(_TOML_PREFIX) :]
            for end in range(len(relative) + 1):
                lines.setdefault(relative[:end], (number, number))
    return lines


def _toml_key(text: str) -> tuple[str, ...]:
    return tuple(_toml_unquote(part) for part in re.findall(_TOML_PART, text))


def _toml_unquote(part: str) -> str:
    if part.startswith("'"):
        return part[1:-1]
    if part.startswith('"'):
        try:
            return str(json.loads(part))
        except ValueError:  # a TOML-only escape such as \UXXXXXXXX
            return part[1:-1]
    return part


# --- validation -----------------------------------------------------------------------------


def _build(data: Any, lines: Lines, shown: str) -> Config:
    _validate(data, lines, shown)
    return _config_from(data, lines, shown)


@functools.cache
def _schema() -> dict[str, Any]:
    from importlib import resources

    text = resources.files("k8slint.schemas").joinpath("config.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _validate(data: Any, lines: Lines, shown: str) -> None:
    """Raise a ConfigError for the first schema violation in file order."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    validator = Draft202012Validator(_schema())
    errors = sorted(
        validator.iter_errors(data),
        key=lambda e: (_line_of(lines, tuple(e.absolute_path), value=True), str(e.absolute_path)),
    )
    if errors:
        # best_match descends into anyOf to the branch that fits, e.g. `severity: fatal`
        error = best_match([errors[0]])
        raise _config_error(error, lines, shown)


def _config_error(error: ValidationError, lines: Lines, shown: str) -> ConfigError:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        unknown = [key for key in error.instance if key not in known]
        first = min(unknown, key=lambda key: _line_of(lines, (*path, key)))
        return ConfigError(
            f"unknown key {_dotted((*path, first))!r}; expected one of: {', '.join(known)}",
            shown,
            _line_of(lines, (*path, first)),
        )
    where = f"{_dotted(path)!r}" if path else "the configuration"
    return ConfigError(
        f"bad value {_shown_value(error.instance)} for {where}; expected {_expected(error)}",
        shown,
        _line_of(lines, path, value=True),
    )


def _expected(error: ValidationError) -> str:
    """The schema's `x-expected` text of the failing value: the deepest one on the way down.

    The walk stops at a `$ref` (the schema path does not follow it), so the referenced schema
    itself (`error.schema`) is asked first.
    """
    if "x-expected" in error.schema:
        return str(error.schema["x-expected"])
    expected: Any = error.message
    node: Any = _schema()
    for part in error.absolute_schema_path:
        if isinstance(node, dict):
            expected = node.get("x-expected", expected)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            node = node[part]
        else:
            break
    return str(expected)


def _shown_value(value: Any) -> str:
    if isinstance(value, dict):
        return "(a mapping)"
    if isinstance(value, list):
        return "(a list)"
    shown = json.dumps(value, default=str)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _dotted(path: KeyPath) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) and not isinstance(key, bool) else f".{key}"
    return text.lstrip(".")


def _line_of(lines: Lines, keys: KeyPath, *, value: bool = False) -> int:
    for end in range(len(keys), -1, -1):
        found = lines.get(keys[:end])
        if found is not None:
            # inside an ancestor that the file does not spell out: its value holds the key
            return found[1] if value or end < len(keys) else found[0]
    return 0


# --- building the Config --------------------------------------------------------------------


def _config_from(data: Mapping[str, Any], lines: Lines, shown: str) -> Config:
    registries = data.get("registries", {})
    return Config(
        path=shown,
        rules=MappingProxyType(
            {str(rule_id): _rule_setting(value) for rule_id, value in data.get("rules", {}).items()}
        ),
        exclude=tuple(data.get("exclude", ())),
        apps=MappingProxyType(dict(data.get("apps", {}))),
        private_registries=tuple(registries.get("private", ())),
        node_auth_registries=tuple(registries.get("node-auth", ())),
        kubernetes_version=_kubernetes_version(data, lines, shown),
        crds_installed=tuple(data.get("crds", {}).get("installed", ())),
        node_cpu_millis=_amount(data, ("cluster", "node", "cpu"), parse_quantity_cpu, lines, shown),
        node_memory_bytes=_amount(
            data, ("cluster", "node", "memory"), parse_quantity_memory, lines, shown
        ),
        max_file_size=_amount(data, ("max-file-size",), parse_size, lines, shown)
        or DEFAULT_MAX_FILE_SIZE,
        secrets_external=data.get("secrets", {}).get("external", False),
        lines=MappingProxyType(lines),
    )


def _kubernetes_version(data: Mapping[str, Any], lines: Lines, shown: str) -> str | None:
    """The configured version, which must be one whose schemas are bundled."""
    version = data.get("kubernetes-version")
    if version is None:
        return None
    from k8slint.lint.kubernetes import resolve_version

    try:
        resolve_version(version)
    except ConfigError as exc:
        raise ConfigError(
            exc.args[0], shown, _line_of(lines, ("kubernetes-version",), value=True)
        ) from None
    return str(version)


def _amount(
    data: Mapping[str, Any], path: KeyPath, parse: Callable[[Any], int], lines: Lines, shown: str
) -> int | None:
    """The parsed quantity at `path`, None when absent; it must be more than zero."""
    raw: Any = data
    for key in path:
        if key not in raw:
            return None
        raw = raw[key]
    line = _line_of(lines, path, value=True)
    try:
        amount = parse(raw)
    except ValueError as exc:
        raise ConfigError(f"bad value for {_dotted(path)!r}: {exc}", shown, line) from None
    if amount <= 0:
        raise ConfigError(f"{_dotted(path)!r} must be more than zero", shown, line)
    return amount


def _rule_setting(value: Any) -> RuleSetting:
    options = dict(value) if isinstance(value, dict) else {}
    level = options.pop("severity", None) if isinstance(value, dict) else value
    frozen = MappingProxyType(options)
    if level is False or level == "off":  # YAML 1.1 reads an unquoted `off` as false
        return RuleSetting(None, False, frozen)
    return RuleSetting(Severity(level) if level is not None else None, True, frozen)


# --- quantities -----------------------------------------------------------------------------

_QUANTITY = re.compile(
    r"(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?:(?P<binary>[KMGTPE]i)|[eE](?P<exponent>[+-]?\d+)|(?P<decimal>[mkMGTPE]?))"
)
_DECIMAL_SI = {"m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SI = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_MAX_EXPONENT = 100
"""`1e999999999` would build a billion-digit number; no real quantity comes near 10^100."""

_SIZE = re.compile(r"\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[kmg]i?)?b?\s*", re.IGNORECASE)


def parse_quantity(text: str | int | float) -> Fraction:
    """The exact value of a Kubernetes quantity ("1500m", "4Gi", "1e3", "0.5", 2)."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"{text!r} is not a quantity")
    if isinstance(text, float) and not math.isfinite(text):
        raise ValueError(f"{text!r} is not a quantity")
    match = _QUANTITY.fullmatch(str(text))
    if match is None:
        raise ValueError(f"{str(text)!r} is not a Kubernetes quantity such as 2, 500m or 4Gi")
    number = Fraction(match["number"])
    if match["binary"]:
        return number * 2 ** _BINARY_SI[match["binary"]]
    exponent = int(match["exponent"]) if match["exponent"] else _DECIMAL_SI[match["decimal"]]
    if abs(exponent) > _MAX_EXPONENT:
        raise ValueError(f"{str(text)!r} is out of range")
    return number * Fraction(10) ** exponent


def parse_quantity_cpu(text: str | int | float) -> int:
    """CPU in millicores, rounded up as Kubernetes does ("0.5" -> 500, "1500m" -> 1500)."""
    return math.ceil(parse_quantity(text) * 1000)


def parse_quantity_memory(text: str | int | float) -> int:
    """Memory in bytes, rounded up as Kubernetes does ("4Gi" -> 4294967296, "512M" -> 512e6)."""
    return math.ceil(parse_quantity(text))


def parse_size(text: str | int) -> int:
    """A file size: bytes, or "5MB" (10^6), "5MiB"/"5Mi" (2^20), "512k"; case-insensitive."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    match = _SIZE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f'{text!r} is not a size such as 5000000, "5MB" or "5MiB"')
    unit = (match["unit"] or "").lower()
    power = "kmg".index(unit[0]) + 1 if unit else 0
    base = 1024 if unit.endswith("i") else 1000
    return math.ceil(Fraction(match["number"]) * base**power)
