from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from k8slint.lint.config import (
    CONFIG_FILE,
    DEFAULT,
    DEFAULT_MAX_FILE_SIZE,
    Config,
    RuleSetting,
    load_config,
    parse_quantity_cpu,
    parse_quantity_memory,
    parse_size,
)
from k8slint.lint.findings import ConfigError, Severity

FULL_YAML = """\
# k8slint settings for the shop
rules:
  probe-path-missing: off
  missing-secret: warning
  missing-crd:
    severity: info
    ignore-groups: [monitoring.coreos.com]
  unschedulable-requests:
    replicas: true
exclude:
  - charts/vendor/**
  - "*.generated.yaml"
apps:
  ghcr.io/acme/api: services/api
  dashboard:*: web
registries:
  private: [registry.acme.io]
  node-auth: ["*.dkr.ecr.*.amazonaws.com"]
kubernetes-version: "1.30"
crds:
  installed: [monitoring.coreos.com/ServiceMonitor]
cluster:
  node: {cpu: 2, memory: 4Gi}
secrets:
  external: true
max-file-size: 2MB
"""


def write_config(root: Path, text: str, name: str = CONFIG_FILE) -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(root: Path, explicit: Path | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(root, explicit)
    return caught.value


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages show paths relative to the working directory."""
    monkeypatch.chdir(tmp_path)


def test_yaml_config_fills_every_field(tmp_path: Path) -> None:
    write_config(tmp_path, FULL_YAML)

    config = load_config(tmp_path)

    assert config.path == ".k8slint.yaml"
    assert config.setting("probe-path-missing") == RuleSetting(None, False, {})
    assert config.setting("missing-secret") == RuleSetting(Severity.WARNING, True, {})
    assert config.setting("missing-crd") == RuleSetting(
        Severity.INFO, True, {"ignore-groups": ["monitoring.coreos.com"]}
    )
    assert config.setting("unschedulable-requests") == RuleSetting(None, True, {"replicas": True})
    assert config.setting("duplicate-key") == RuleSetting()
    assert config.exclude == ("charts/vendor/**", "*.generated.yaml")
    assert dict(config.apps) == {"ghcr.io/acme/api": "services/api", "dashboard:*": "web"}
    assert config.private_registries == ("registry.acme.io",)
    assert config.node_auth_registries == ("*.dkr.ecr.*.amazonaws.com",)
    assert config.kubernetes_version == "1.30"
    assert config.crds_installed == ("monitoring.coreos.com/ServiceMonitor",)
    assert config.node_cpu_millis == 2000
    assert config.node_memory_bytes == 4 * 2**30
    assert config.secrets_external is True
    assert config.max_file_size == 2_000_000


def test_line_of_points_at_rule_keys_and_values(tmp_path: Path) -> None:
    write_config(tmp_path, FULL_YAML)

    config = load_config(tmp_path)

    assert config.line_of("rules", "missing-secret") == 4
    assert config.line_of("rules", "missing-crd", "ignore-groups") == 7
    assert config.line_of("rules", "unschedulable-requests", "replicas", value=True) == 9
    assert config.line_of("exclude", 1) == 12
    assert config.line_of("rules", "missing-crd", "no-such-option") == 6  # its parent's value
    assert DEFAULT.line_of("rules", "missing-crd") == 0


def test_no_config_file_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) is DEFAULT
    assert DEFAULT.max_file_size == DEFAULT_MAX_FILE_SIZE == 5 * 1024 * 1024
    assert DEFAULT.setting("missing-secret") == RuleSetting(None, True, {})


@pytest.mark.parametrize("text", ["", "# nothing configured yet\n", "---\n"])
def test_empty_yaml_config_gives_defaults(tmp_path: Path, text: str) -> None:
    write_config(tmp_path, text)

    assert load_config(tmp_path) == Config(path=".k8slint.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "rules: {}\nexclude: []\nrule:\n  x: off\n",
            ".k8slint.yaml:3: unknown key 'rule'; expected one of: rules, exclude, apps,"
            " registries, kubernetes-version, crds, cluster, secrets, max-file-size",
            id="top-level",
        ),
        pytest.param(
            "registries:\n  node-auth: []\n  privat:\n    - registry.acme.io\n",
            ".k8slint.yaml:3: unknown key 'registries.privat'; expected one of: private, node-auth",
            id="nested",
        ),
        pytest.param(
            "cluster:\n  node:\n    cpu: 2\n    memroy: 4Gi\n",
            ".k8slint.yaml:4: unknown key 'cluster.node.memroy'; expected one of: cpu, memory",
            id="deep",
        ),
    ],
)
def test_unknown_key_names_its_line_and_the_allowed_keys(
    tmp_path: Path, text: str, expected: str
) -> None:
    write_config(tmp_path, text)

    assert str(config_error(tmp_path)) == expected


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param(
            "rules:\n  missing-secret: warning\n  probe-path-missing:\n    fatal\n",
            4,
            "bad value \"fatal\" for 'rules.probe-path-missing'; expected off, error, warning"
            " or info, or a mapping of 'severity' and the rule's options",
            id="severity-on-next-line",
        ),
        pytest.param(
            "rules:\n  missing-crd:\n    ignore-groups: []\n    severity: fatal\n",
            4,
            "bad value \"fatal\" for 'rules.missing-crd.severity'; expected off, error,"
            " warning or info",
            id="severity-in-object-form",
        ),
        pytest.param(
            "exclude:\n  - docs/**\n  - 3\n",
            3,
            "bad value 3 for 'exclude[1]'; expected a path glob such as \"charts/vendor/**\"",
            id="list-item",
        ),
        pytest.param(
            "apps:\n  api: ../elsewhere\n",
            2,
            "bad value \"../elsewhere\" for 'apps.api'; expected a source directory inside the"
            ' project, relative to its root, e.g. "services/api"',
            id="app-outside-root",
        ),
        pytest.param(
            "cluster:\n  node: {cpu: 2, memory: 4GB}\n",
            2,
            "bad value \"4GB\" for 'cluster.node.memory'; expected a memory quantity more than"
            ' zero such as "4Gi" or "512M"',
            id="quantity-format",
        ),
        pytest.param(
            "cluster:\n  node:\n    cpu: 0m\n",
            3,
            "'cluster.node.cpu' must be more than zero",
            id="quantity-zero",
        ),
        pytest.param(
            "secrets:\n  external: sometimes\n",
            2,
            "bad value \"sometimes\" for 'secrets.external'; expected true or false",
            id="boolean",
        ),
        pytest.param(
            "- rules\n",
            1,
            "bad value (a list) for the configuration; expected a mapping of settings",
            id="not-a-mapping",
        ),
    ],
)
def test_bad_value_names_the_line_of_the_value(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    write_config(tmp_path, text)

    error = config_error(tmp_path)

    assert (error.path, error.line, error.args[0]) == (".k8slint.yaml", line, message)


@pytest.mark.parametrize(
    ("value", "shown"),
    [("1.30", "1.3"), ('"v1.30"', '"v1.30"'), ('"1.30.2"', '"1.30.2"'), ('"2.0"', '"2.0"')],
)
def test_kubernetes_version_must_be_a_quoted_minor_version(
    tmp_path: Path, value: str, shown: str
) -> None:
    write_config(tmp_path, f"exclude: []\nkubernetes-version: {value}\n")

    error = config_error(tmp_path)

    assert error.line == 2
    assert error.args[0].startswith(f"bad value {shown} for 'kubernetes-version'; expected")
    assert '"1.30"' in error.args[0]


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    write_config(tmp_path, "rules:\n  missing-secret: warning\n exclude: [a\n")

    error = config_error(tmp_path)

    assert (error.path, error.line) == (".k8slint.yaml", 3)
    assert error.args[0].startswith("invalid YAML:")


def test_duplicate_key_is_an_error_at_the_second_key(tmp_path: Path) -> None:
    write_config(tmp_path, "exclude: [a]\nrules: {}\nexclude: [b]\n")

    assert str(config_error(tmp_path)) == (
        ".k8slint.yaml:3: duplicate key 'exclude' (first at line 1); give it once"
    )


PYPROJECT = """\
[project]
name = "shop"

[tool.ruff]
line-length = 100

[tool.k8slint]
exclude = ["charts/vendor/**"]
kubernetes-version = "1.29"
registries.node-auth = ["*.dkr.ecr.*.amazonaws.com"]

[tool.k8slint.rules]
probe-path-missing = "off"
missing-crd = { severity = "info", ignore-groups = ["traefik.io"] }

[tool.k8slint.cluster.node]
cpu = "1500m"
memory = "512Mi"
"""


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    write_config(tmp_path, PYPROJECT, "pyproject.toml")

    config = load_config(tmp_path)

    assert config.path == "pyproject.toml"
    assert config.exclude == ("charts/vendor/**",)
    assert config.kubernetes_version == "1.29"
    assert config.node_auth_registries == ("*.dkr.ecr.*.amazonaws.com",)
    assert config.setting("probe-path-missing").enabled is False
    assert config.setting("missing-crd") == RuleSetting(
        Severity.INFO, True, {"ignore-groups": ["traefik.io"]}
    )
    assert (config.node_cpu_millis, config.node_memory_bytes) == (1500, 512 * 2**20)
    assert config.line_of("rules", "missing-crd") == 14
    assert config.line_of("rules", "missing-crd", "ignore-groups") == 14  # inline table
    assert config.line_of("registries", "node-auth") == 10


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            ('memory = "512Mi"', 'memory = "512Mi"\nswap = "1Gi"'),
            "pyproject.toml:19: unknown key 'cluster.node.swap'; expected one of: cpu, memory",
            id="unknown-key-under-a-table",
        ),
        pytest.param(
            ('probe-path-missing = "off"', 'probe-path-missing = "loud"'),
            "pyproject.toml:13: bad value \"loud\" for 'rules.probe-path-missing'; expected"
            " off, error, warning or info, or a mapping of 'severity' and the rule's options",
            id="bad-severity",
        ),
        pytest.param(
            ('kubernetes-version = "1.29"', "kubernetes-version = 1.29"),
            "pyproject.toml:9: bad value 1.29 for 'kubernetes-version'; expected a quoted"
            ' Kubernetes minor version such as "1.30" (unquoted, 1.30 reads as the number 1.3)',
            id="unquoted-version",
        ),
        pytest.param(
            ("registries.node-auth", "registries.node_auth"),
            "pyproject.toml:10: unknown key 'registries.node_auth'; expected one of: private,"
            " node-auth",
            id="dotted-key",
        ),
    ],
)
def test_pyproject_errors_name_the_line(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    write_config(tmp_path, PYPROJECT.replace(*edit), "pyproject.toml")

    assert str(config_error(tmp_path)) == expected


def test_pyproject_syntax_error_names_its_line(tmp_path: Path) -> None:
    write_config(tmp_path, '[tool.k8slint]\nexclude = ["a" "b"]\n\n', "pyproject.toml")

    error = config_error(tmp_path)

    assert (error.path, error.line) == ("pyproject.toml", 2)
    assert error.args[0] == "invalid TOML: Unclosed array"


def test_pyproject_without_k8slint_table_gives_defaults(tmp_path: Path) -> None:
    write_config(tmp_path, '[project]\nname = "k8slint-plugin"\n', "pyproject.toml")

    assert load_config(tmp_path) is DEFAULT


def test_yaml_config_wins_over_pyproject(tmp_path: Path) -> None:
    write_config(tmp_path, PYPROJECT, "pyproject.toml")
    write_config(tmp_path, "exclude: [from-yaml]\n")

    assert load_config(tmp_path).exclude == ("from-yaml",)


def test_explicit_config_wins_and_keeps_its_given_path(tmp_path: Path) -> None:
    write_config(tmp_path, "exclude: [from-root]\n")
    (tmp_path / "ci").mkdir()
    write_config(tmp_path / "ci", "exclude: [from-ci]\nkubernetes-version: 1.30\n", "lint.yaml")

    error = config_error(tmp_path, Path("ci/lint.yaml"))
    assert (error.path, error.line) == ("ci/lint.yaml", 2)

    write_config(tmp_path / "ci", "exclude: [from-ci]\n", "lint.yaml")
    config = load_config(tmp_path, Path("ci/lint.yaml"))
    assert (config.path, config.exclude) == ("ci/lint.yaml", ("from-ci",))


def test_explicit_toml_config_needs_the_table(tmp_path: Path) -> None:
    write_config(tmp_path, PYPROJECT, "settings.toml")
    assert load_config(tmp_path, Path("settings.toml")).kubernetes_version == "1.29"

    write_config(tmp_path, "[tool.ruff]\nline-length = 100\n", "other.toml")
    assert str(config_error(tmp_path, Path("other.toml"))) == (
        "other.toml: no [tool.k8slint] table in this file"
    )


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    error = config_error(tmp_path, Path("nope.yaml"))

    assert error.path == "nope.yaml"
    assert error.args[0].startswith("cannot read the configuration:")


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        (2, 2000),
        ("2", 2000),
        (0.5, 500),
        ("0.5", 500),
        (".5", 500),
        ("1.", 1000),
        ("1500m", 1500),
        ("0.1m", 1),  # rounded up, as Kubernetes' MilliValue does
        ("1k", 1_000_000),
        ("1e3", 1_000_000),
        ("1E-3", 1),
        ("+2", 2000),
        ("2Ki", 2_048_000),
    ],
)
def test_parse_quantity_cpu(text: str | float, millis: int) -> None:
    assert parse_quantity_cpu(text) == millis


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("4Gi", 4 * 2**30),
        ("512M", 512_000_000),
        ("512Mi", 512 * 2**20),
        ("1Ki", 1024),
        ("1k", 1000),
        ("1Ti", 2**40),
        ("1Pi", 2**50),
        ("1Ei", 2**60),
        ("1E", 10**18),  # exa, not an exponent
        ("2e3", 2000),
        ("1.5Gi", 3 * 2**29),
        ("1500m", 2),  # 1.5 bytes, rounded up
        (129e6, 129_000_000),
        (1024, 1024),
        ("0", 0),
    ],
)
def test_parse_quantity_memory(text: str | float, size: int) -> None:
    assert parse_quantity_memory(text) == size


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Gi",
        "4 Gi",
        "4GB",
        "4gi",
        "4e",
        "1.2.3",
        "--1",
        "1e1000",
        "inf",
        True,
        None,
        float("nan"),
    ],
)
def test_parse_quantity_rejects(text: object) -> None:
    with pytest.raises(ValueError):
        parse_quantity_memory(text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        (1234, 1234),
        ("5MB", 5_000_000),
        ("5 MiB", 5 * 2**20),
        ("5mi", 5 * 2**20),
        ("512k", 512_000),
        ("2.5GB", 2_500_000_000),
        ("100B", 100),
    ],
)
def test_parse_size(text: str | int, size: int) -> None:
    assert parse_size(text) == size


SCHEMA = json.loads(
    resources.files("k8slint.schemas").joinpath("config.schema.json").read_text("utf-8")
)


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(
    ("pattern", "parse", "accepted", "rejected"),
    [
        pytest.param(
            SCHEMA["$defs"]["quantity"]["anyOf"][1]["pattern"],
            parse_quantity_memory,
            ["2", "0.5", ".5", "1.", "1500m", "4Gi", "512M", "1E", "1e3", "-1", "+2"],
            ["", "4GB", "4gi", "4e", "1.2.3", "Gi", "4 Gi", "1m1", "1e3Gi"],
            id="quantity",
        ),
        pytest.param(
            SCHEMA["properties"]["max-file-size"]["anyOf"][1]["pattern"],
            parse_size,
            ["5MB", "5 MiB", "5mi", "512k", "2.5GB", "100B", "100", " 7 gb "],
            ["", "MB", "5TB", "5 M B", "-5MB", "5MBB", ".5MB"],
            id="file-size",
        ),
    ],
)
def test_schema_pattern_agrees_with_the_parser(
    pattern: str, parse: Callable[[str], int], accepted: list[str], rejected: list[str]
) -> None:
    """Editors validate with the schema alone; it must accept exactly what k8slint parses."""
    for sample in accepted:
        parse(sample)
        assert re.search(pattern, sample), sample
    for sample in rejected:
        with pytest.raises(ValueError):
            parse(sample)
        assert not re.search(pattern, sample), sample


def test_importing_config_does_not_import_yaml_or_jsonschema() -> None:
    """`k8slint --version` must stay fast: jsonschema alone costs ~80 ms to import."""
    code = (
        "import sys, k8slint.lint.config; print('jsonschema' in sys.modules, 'yaml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
