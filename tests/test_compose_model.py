"""The compose model: project names, file grouping, merging, interpolation, ports, positions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from k8slint.lint.discover import walk
from k8slint.lint.load import Project
from k8slint.lint.model.compose import (
    ComposePort,
    ComposeProject,
    is_compose_file,
    load_compose_projects,
    normalize_project_name,
)
from k8slint.lint.model.compose_env import interpolate
from k8slint.lint.model.images import parse_image

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def load(root: Path, files: dict[str, str]) -> list[ComposeProject]:
    """Write the files and load every compose file among them; no errors are expected."""
    write(root, files)
    compose_files = [rel for rel in files if is_compose_file(rel)]
    projects, errors = load_compose_projects(Project(root), compose_files)
    assert errors == []
    return projects


def load_one(root: Path, files: dict[str, str]) -> ComposeProject:
    projects = load(root, files)
    assert len(projects) == 1
    return projects[0]


# --- file names and grouping -------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel",
    [
        "compose.yaml",
        "compose.yml",
        "docker-compose.yml",
        "deploy/docker-compose.yaml",
        "compose.override.yaml",
        "docker-compose.override.yml",
        "docker-compose.prod.yml",
        "compose.dev.yaml",
        "docker-compose-quickstart.yml",
    ],
)
def test_compose_file_names(rel: str) -> None:
    assert is_compose_file(rel)


@pytest.mark.parametrize(
    "rel", ["values.yaml", "compose.json", "my-compose.yml", "composer.yaml", "compose.yaml.j2"]
)
def test_other_file_names(rel: str) -> None:
    assert not is_compose_file(rel)


def test_base_and_default_override_form_one_project_variants_their_own(tmp_path: Path) -> None:
    projects = load(
        tmp_path,
        {
            "app/compose.yaml": "services:\n  web:\n    image: web:1\n",
            "app/compose.override.yaml": "services:\n  web:\n    ports: ['80:80']\n",
            "app/compose.prod.yaml": "services:\n  web:\n    image: web:2\n",
            "app/docker-compose-alt.yml": "services:\n  alt:\n    image: alt:1\n",
        },
    )
    by_files = {project.files: project for project in projects}
    assert set(by_files) == {
        ("app/compose.yaml", "app/compose.override.yaml"),
        ("app/compose.yaml", "app/compose.prod.yaml"),
        ("app/docker-compose-alt.yml",),
    }
    default = by_files["app/compose.yaml", "app/compose.override.yaml"]
    assert default.services["web"].image.value == "web:1"
    assert [p.target for p in default.services["web"].ports] == [80]
    prod = by_files["app/compose.yaml", "app/compose.prod.yaml"]
    assert prod.services["web"].image.value == "web:2"
    assert prod.services["web"].ports == ()  # `-f base -f variant` skips the default override
    assert {p.name for p in projects} == {"app"}


def test_compose_yaml_wins_over_docker_compose_yml(tmp_path: Path) -> None:
    projects = load(
        tmp_path,
        {
            "compose.yaml": "services:\n  a:\n    image: a\n",
            "docker-compose.yml": "services:\n  b:\n    image: b\n",
        },
    )
    assert [p.files for p in projects] == [("compose.yaml",), ("docker-compose.yml",)]


def test_variant_without_base_loads_alone(tmp_path: Path) -> None:
    project = load_one(tmp_path, {"docker-compose.dev.yml": "services:\n  a:\n    build: .\n"})
    assert project.files == ("docker-compose.dev.yml",)
    assert project.services["a"].build_context == ""


def test_not_a_compose_file_is_skipped_silently(tmp_path: Path) -> None:
    projects = load(
        tmp_path,
        {
            "a/compose.yaml": "- just\n- a list\n",
            "b/compose.yaml": "version: '3'\nnetworks: {}\n",
            "c/compose.yaml": "",
        },
    )
    assert projects == []


def test_broken_file_is_an_error_and_other_projects_still_load(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "bad/compose.yaml": "services:\n  web: [unclosed\n",
            "good/compose.yaml": "services:\n  web:\n    image: nginx\n",
        },
    )
    projects, errors = load_compose_projects(
        Project(tmp_path), ["bad/compose.yaml", "good/compose.yaml"]
    )
    assert [p.directory for p in projects] == ["good"]
    assert len(errors) == 1
    assert errors[0].path == "bad/compose.yaml"
    assert errors[0].line > 0


def test_broken_override_is_reported_and_left_out(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    image: nginx\n",
            "compose.override.yaml": "services: [\n",
        },
    )
    projects, errors = load_compose_projects(
        Project(tmp_path), ["compose.yaml", "compose.override.yaml"]
    )
    assert [p.files for p in projects] == [("compose.yaml",)]
    assert [e.path for e in errors] == ["compose.override.yaml"]


# --- project name and built images -------------------------------------------------------------


def test_project_name_from_name_key(tmp_path: Path) -> None:
    project = load_one(
        tmp_path, {"deploy/compose.yaml": "name: Shop\nservices:\n  web:\n    build: .\n"}
    )
    assert (project.name, project.name_source) == ("shop", "name")


def test_project_name_from_dotenv(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "deploy/compose.yaml": "services:\n  dashboard:\n    build: ./dash\n",
            "deploy/.env": "# the stack\nCOMPOSE_PROJECT_NAME=trading\n",
        },
    )
    assert (project.name, project.name_source) == ("trading", "env")
    assert project.dotenv == {"COMPOSE_PROJECT_NAME": "trading"}


def test_dotenv_ranks_above_name_key_as_in_docker(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "compose.yaml": "name: fromfile\nservices:\n  a:\n    image: a\n",
            ".env": "COMPOSE_PROJECT_NAME=fromenv\n",
        },
    )
    assert (project.name, project.name_source) == ("fromenv", "env")


def test_project_name_from_directory_is_normalised(tmp_path: Path) -> None:
    project = load_one(tmp_path, {"My App.v2/compose.yaml": "services:\n  web:\n    build: .\n"})
    assert (project.name, project.name_source) == ("myappv2", "directory")
    assert project.directory == "My App.v2"


def test_project_name_at_root_is_the_root_directory_name(tmp_path: Path) -> None:
    root = tmp_path / "_Shop_Front"
    project = load_one(root, {"docker-compose.yml": "services:\n  web:\n    build: .\n"})
    assert (project.name, project.directory) == ("shop_front", "")


def test_normalize_project_name() -> None:
    assert normalize_project_name("My App.v2") == "myappv2"
    assert normalize_project_name("-_Deploy_1") == "deploy_1"


def test_built_images_v1_and_v2_names(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "deploy/docker-compose.yml": """\
                services:
                  dashboard:
                    build:
                      context: ../dashboard
                      dockerfile: docker/Dockerfile.prod
                  db:
                    image: postgres:16
                """
        },
    )
    dashboard = project.services["dashboard"]
    assert dashboard.built_images == ("deploy-dashboard", "deploy_dashboard")
    assert dashboard.built_tag == "latest"
    assert dashboard.build_context == "dashboard"
    assert dashboard.dockerfile == "dashboard/docker/Dockerfile.prod"
    assert dashboard.build_loc is not None and dashboard.build_loc.line == 4
    assert dashboard.image is None
    db = project.services["db"]
    assert (db.built_images, db.built_tag, db.build_context, db.dockerfile) == (
        (),
        None,
        None,
        None,
    )


def test_image_with_build_names_the_built_image(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "compose.yaml": """\
                services:
                  app:
                    image: registry.local:5000/team/app:1.2
                    build: .
                  worker:
                    image: worker
                    build: ./worker
                """
        },
    )
    assert project.services["app"].built_images == ("registry.local:5000/team/app",)
    assert project.services["app"].built_tag == "1.2"
    assert project.services["worker"].built_images == ("worker",)
    assert project.services["worker"].built_tag == "latest"
    assert project.services["worker"].dockerfile == "worker/Dockerfile"


def test_split_image() -> None:
    """What compose's build naming reads of `image:` (compose.split_image is gone: parse_image)."""

    def split_image(reference: str) -> tuple[str, str | None]:
        ref = parse_image(reference)
        return ref.without_tag, ref.tag

    assert split_image("app") == ("app", None)
    assert split_image("app:1.2") == ("app", "1.2")
    assert split_image("localhost:5000/app") == ("localhost:5000/app", None)
    assert split_image("ghcr.io/o/app:v1@sha256:abc") == ("ghcr.io/o/app", "v1")


def test_remote_build_context_is_kept_verbatim(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {"compose.yaml": "services:\n  a:\n    build: https://github.com/o/r.git#main\n"},
    )
    assert project.services["a"].build_context == "https://github.com/o/r.git#main"
    assert project.services["a"].dockerfile is None


# --- merging -----------------------------------------------------------------------------------

BASE = """\
services:
  api:
    build: ./api
    command: ["serve", "--port", "8000"]
    environment:
      DATABASE_URL: postgresql://db:5432/app
      LOG_LEVEL: info
      DEBUG: "false"
    ports:
      - "8000:8000"
      - "9000:9000"
    expose:
      - "8000"
    labels:
      - team=core
"""


def test_override_merges_environment_and_appends_ports(tmp_path: Path) -> None:
    override = """\
        services:
          api:
            command: ["serve", "--reload"]
            environment:
              - LOG_LEVEL=debug
              - EXTRA=1
            ports:
              - "8000:8000"
              - "5678:5678"
            expose: ["8000", "8001"]
            labels:
              tier: backend
        """
    project = load_one(tmp_path, {"compose.yaml": BASE, "compose.override.yaml": override})
    api = project.services["api"]
    env = {key: located.value for key, located in api.environment.items()}
    assert env == {
        "DATABASE_URL": "postgresql://db:5432/app",
        "LOG_LEVEL": "debug",
        "DEBUG": "false",
        "EXTRA": "1",
    }
    assert [(p.published, p.target) for p in api.ports] == [
        ("8000", 8000),
        ("9000", 9000),
        ("5678", 5678),
    ]
    assert api.expose == (8000, 8001)
    assert list(api.command) == ["serve", "--reload"]  # replaced, not appended
    assert dict(api.body["labels"]) == {"team": "core", "tier": "backend"}
    assert api.port_numbers() == {8000, 9000, 5678, 8001}
    assert api.file == "compose.yaml"
    assert api.loc.path == "compose.yaml" and api.loc.line == 2


def test_override_tag_replaces_and_reset_tag_removes(tmp_path: Path) -> None:
    override = """\
        services:
          api:
            ports: !override
              - "127.0.0.1:8080:8000"
            expose: !reset []
            environment:
              DEBUG: !reset null
              LOG_LEVEL: warn
            labels: !override {}
        """
    project = load_one(tmp_path, {"compose.yaml": BASE, "compose.override.yaml": override})
    api = project.services["api"]
    assert api.ports == (ComposePort("8080", 8000, api.ports[0].loc, "127.0.0.1"),)
    assert api.expose == ()
    assert "expose" not in api.body
    assert set(api.environment) == {"DATABASE_URL", "LOG_LEVEL"}
    assert dict(api.body["labels"]) == {}


def test_override_of_ports_to_empty_list(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "compose.yaml": BASE,
            "compose.override.yaml": "services:\n  api:\n    ports: !override []\n",
        },
    )
    assert project.services["api"].ports == ()
    assert project.services["api"].port_numbers() == {8000}  # still exposed


def test_build_short_form_merges_with_long_form(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "compose.yaml": "services:\n  api:\n    build: ./api\n",
            "compose.override.yaml": """\
                services:
                  api:
                    build:
                      dockerfile: Dev.Dockerfile
                """,
        },
    )
    api = project.services["api"]
    assert (api.build_context, api.dockerfile) == ("api", "api/Dev.Dockerfile")


def test_service_only_in_override_is_declared_there(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "compose.yaml": "services:\n  api:\n    image: api\n",
            "compose.override.yaml": "services:\n  mailhog:\n    image: mailhog/mailhog\n",
        },
    )
    assert project.services["mailhog"].file == "compose.override.yaml"


def test_environment_value_after_merge_points_at_override_file(tmp_path: Path) -> None:
    override = """\
        services:
          api:
            environment:
              LOG_LEVEL: debug
        """
    project = load_one(tmp_path, {"compose.yaml": BASE, "compose.override.yaml": override})
    env = project.services["api"].environment
    assert env["LOG_LEVEL"].loc.path == "compose.override.yaml"
    assert (env["LOG_LEVEL"].loc.line, env["LOG_LEVEL"].loc.col) == (4, 18)
    assert env["DATABASE_URL"].loc.path == "compose.yaml"
    assert (env["DATABASE_URL"].loc.line, env["DATABASE_URL"].loc.col) == (6, 21)
    body = project.services["api"].body
    assert body["environment"].value_loc("LOG_LEVEL") == env["LOG_LEVEL"].loc


def test_reset_in_single_file_applies(tmp_path: Path) -> None:
    project = load_one(
        tmp_path, {"compose.yaml": "services:\n  a:\n    image: a\n    ports: !reset ['80']\n"}
    )
    assert project.services["a"].ports == ()


def test_extends_in_same_file_and_from_another_file(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "common/services.yaml": """\
                services:
                  python:
                    build: ./py
                    environment:
                      PYTHONUNBUFFERED: "1"
                """,
            "app/compose.yaml": """\
                services:
                  base:
                    image: base:1
                    environment:
                      A: "1"
                  web:
                    extends: base
                    environment:
                      B: "2"
                  job:
                    extends:
                      file: ../common/services.yaml
                      service: python
                """,
        },
    )
    web = project.services["web"]
    assert web.image.value == "base:1"
    assert {k: v.value for k, v in web.environment.items()} == {"A": "1", "B": "2"}
    assert "extends" not in web.body
    job = project.services["job"]
    assert job.build_context == "common/py"
    assert job.environment["PYTHONUNBUFFERED"].loc.path == "common/services.yaml"


def test_extends_cycle_does_not_loop(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {"compose.yaml": "services:\n  a:\n    extends: b\n  b:\n    extends: a\n    image: x\n"},
    )
    assert project.services["a"].image.value == "x"


def test_include_loads_services_relative_to_their_own_file(tmp_path: Path) -> None:
    projects = load(
        tmp_path,
        {
            "src/cart/docker-compose.yml": """\
                services:
                  cart:
                    build:
                      context: .
                    ports:
                      - "${CART_PORT:-8082}:8080"
                """,
            "src/cart/.env": "CART_PORT=9082\n",
            "src/app/docker-compose.yml": "include:\n  - ../cart/docker-compose.yml\n",
            "src/app/compose.override.yaml": "services:\n  cart:\n    ports: !override []\n",
        },
    )
    project = next(p for p in projects if p.directory == "src/app")
    cart = project.services["cart"]
    assert project.name == "app"
    assert cart.file == "src/cart/docker-compose.yml"
    assert cart.build_context == "src/cart"
    assert cart.built_images == ("app-cart", "app_cart")
    assert cart.ports == ()


def test_include_env_is_overridden_by_the_including_project(tmp_path: Path) -> None:
    projects = load(
        tmp_path,
        {
            "lib/compose.yaml": "services:\n  x:\n    image: x:${TAG}\n",
            "lib/.env": "TAG=lib\n",
            "app/compose.yaml": "include:\n  - path: ../lib/compose.yaml\nservices: {}\n",
            "app/.env": "TAG=app\n",
        },
    )
    project = next(p for p in projects if p.directory == "app")
    assert project.services["x"].image.value == "x:app"


# --- interpolation -----------------------------------------------------------------------------

VARIABLES = {"SET": "value", "EMPTY": "", "PORT": "8080", "B": "bee"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${SET}", "value"),
        ("$SET/x", "value/x"),
        ("${UNSET}", ""),
        ("$UNSET", ""),
        ("${UNSET:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY-fallback}", ""),
        ("${UNSET-fallback}", "fallback"),
        ("${SET:-fallback}", "value"),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("${SET:?required}", "value"),
        ("${UNSET:?required}", ""),
        ("${UNSET?required}", ""),
        ("${A:-${B:-x}}", "bee"),
        ("${A:-${C:-x}}", "x"),
        ("${A:-$B}", "bee"),
        ("$$SET", "$SET"),
        ("$${SET}", "${SET}"),
        ("cost: 5$", "cost: 5$"),
        ("$1 and $ alone", "$1 and $ alone"),
        ("${SET/a/b}", "${SET/a/b}"),
        ("${unclosed", "${unclosed"),
        ("http://db:${PORT}/x", "http://db:8080/x"),
    ],
)
def test_interpolate(text: str, expected: str) -> None:
    assert interpolate(text, VARIABLES.get) == expected


def test_interpolation_uses_dotenv_only_and_keeps_positions(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("IMAGE_TAG", "from-shell")
    project = load_one(
        tmp_path,
        {
            "compose.yaml": """\
                services:
                  api:
                    image: "api:${IMAGE_TAG:-dev}"
                    environment:
                      - DATABASE_URL=postgresql://${DB_HOST}:5432/app
                      - PRICE=$$5
                    ports:
                      - "${API_PORT}:80"
                """,
            ".env": 'DB_HOST=localhost\nAPI_PORT="8081" # host port\n',
        },
    )
    api = project.services["api"]
    assert api.image.value == "api:dev"  # the process environment is never read
    assert (api.image.loc.line, api.image.loc.col) == (3, 12)
    url = api.environment["DATABASE_URL"]
    assert url.value == "postgresql://localhost:5432/app"
    assert (url.loc.line, url.loc.col) == (5, 9)
    assert api.environment["PRICE"].value == "$5"
    assert [(p.published, p.target) for p in api.ports] == [("8081", 80)]
    assert url.loc in project.interpolated
    assert api.environment["PRICE"].loc not in project.interpolated


def test_dotenv_syntax(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "compose.yaml": "services:\n  a:\n    image: a\n",
            ".env": textwrap.dedent(
                """\
                # comment
                export EXPORTED=yes
                PLAIN=value # comment
                HASH=value#not-a-comment
                SINGLE='$PLAIN literal'
                DOUBLE="${PLAIN} \\"quoted\\"\\n" # comment
                SPACED = spaced
                MULTI="one
                two"
                BARE
                """
            ),
        },
    )
    assert project.dotenv == {
        "EXPORTED": "yes",
        "PLAIN": "value",
        "HASH": "value#not-a-comment",
        "SINGLE": "$PLAIN literal",
        "DOUBLE": 'value "quoted"\n',
        "SPACED": "spaced",
        "MULTI": "one\ntwo",
    }


# --- environment and env_file ------------------------------------------------------------------


def test_env_file_values_are_located_in_the_env_file(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "stack/compose.yaml": """\
                services:
                  bot:
                    image: bot
                    env_file:
                      - ./config/bot.env
                      - path: ./missing.env
                        required: false
                    environment:
                      LOG_LEVEL: info
                """,
            "stack/config/bot.env": "# bot\nDATABASE_URL=postgresql://localhost/bot\nLOG_LEVEL=debug\n",
        },
    )
    env = project.services["bot"].environment
    assert env["DATABASE_URL"].value == "postgresql://localhost/bot"
    assert env["DATABASE_URL"].loc.path == "stack/config/bot.env"
    assert (env["DATABASE_URL"].loc.line, env["DATABASE_URL"].loc.col) == (2, 14)
    assert env["LOG_LEVEL"].value == "info"  # environment: wins over env_file
    assert env["LOG_LEVEL"].loc.path == "stack/compose.yaml"


def test_environment_scalars_read_as_compose_reads_them(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "compose.yaml": """\
                services:
                  a:
                    image: a
                    environment:
                      ENABLED: yes
                      MODE: 0755
                      RATIO: 1.50
                      EMPTY:
                      QUOTED: "on"
                """
        },
    )
    env = {k: v.value for k, v in project.services["a"].environment.items()}
    assert env == {"ENABLED": "yes", "MODE": "0755", "RATIO": "1.50", "EMPTY": None, "QUOTED": "on"}


def test_environment_list_without_value_is_unset(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "compose.yaml": "services:\n  a:\n    image: a\n"
            "    environment:\n      - TOKEN\n      - A=\n"
        },
    )
    env = project.services["a"].environment
    assert env["TOKEN"].value is None
    assert env["A"].value == ""


# --- ports -------------------------------------------------------------------------------------


def ports_of(
    tmp_path: Path, ports_yaml: str
) -> list[tuple[str | None, int | None, str | None, str]]:
    project = load_one(
        tmp_path, {"compose.yaml": f"services:\n  a:\n    image: a\n    ports:\n{ports_yaml}"}
    )
    return [(p.published, p.target, p.host_ip, p.protocol) for p in project.services["a"].ports]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ('"8080:80"', [("8080", 80, None, "tcp")]),
        ('"127.0.0.1:5432:5432"', [("5432", 5432, "127.0.0.1", "tcp")]),
        ('"5432"', [(None, 5432, None, "tcp")]),
        ("5432", [(None, 5432, None, "tcp")]),
        ("22:22", [("22", 22, None, "tcp")]),  # YAML 1.1 would read 1342
        ('"53:53/udp"', [("53", 53, None, "udp")]),
        ('"127.0.0.1::80"', [(None, 80, "127.0.0.1", "tcp")]),
        ('"[::1]:6379:6379"', [("6379", 6379, "::1", "tcp")]),
        ('"9090-9091:8080-8081"', [("9090", 8080, None, "tcp"), ("9091", 8081, None, "tcp")]),
        (
            '"3000-3002"',
            [(None, 3000, None, "tcp"), (None, 3001, None, "tcp"), (None, 3002, None, "tcp")],
        ),
        ('"8000-8010:80"', [("8000-8010", 80, None, "tcp")]),
        ('"not-a-port"', [(None, None, None, "tcp")]),
    ],
)
def test_short_port_syntax(tmp_path: Path, item: str, expected: list) -> None:
    assert ports_of(tmp_path, f"      - {item}\n") == expected


def test_long_port_syntax(tmp_path: Path) -> None:
    ports = """\
      - target: 80
        published: "8080"
        host_ip: 127.0.0.1
        protocol: tcp
      - target: 443
        published: 8443
      - target: 9000
"""
    assert ports_of(tmp_path, ports) == [
        ("8080", 80, "127.0.0.1", "tcp"),
        ("8443", 443, None, "tcp"),
        (None, 9000, None, "tcp"),
    ]


def test_port_locs_point_at_each_item(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "compose.yaml": "services:\n  a:\n    image: a\n"
            "    ports:\n      - 80:80\n      - 443:443\n"
        },
    )
    assert [(p.loc.line, p.loc.col) for p in project.services["a"].ports] == [(5, 9), (6, 9)]


def test_expose_ranges_and_protocols(tmp_path: Path) -> None:
    project = load_one(
        tmp_path,
        {
            "compose.yaml": "services:\n  a:\n    image: a\n"
            "    expose: [3000, '4000-4001', '5000/udp']\n"
        },
    )
    assert project.services["a"].expose == (3000, 4000, 4001, 5000)


# --- the shared corpus -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_projects() -> list[ComposeProject]:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    files = [rel for rel in walk(CORPUS) if is_compose_file(rel)]
    assert len(files) == 63
    projects, errors = load_compose_projects(Project(CORPUS), files)
    assert errors == []
    return projects


def find(projects: list[ComposeProject], *files: str) -> ComposeProject:
    return next(project for project in projects if project.files == files)


def test_corpus_loads_every_compose_file(corpus_projects: list[ComposeProject]) -> None:
    loaded = {rel for project in corpus_projects for rel in project.files}
    assert len(loaded) == 63
    assert all(project.services for project in corpus_projects)


def test_corpus_awesome_compose_facts(corpus_projects: list[ComposeProject]) -> None:
    flask = find(corpus_projects, "docker__awesome-compose/nginx-flask-mysql/compose.yaml")
    assert flask.name == "nginx-flask-mysql" and flask.name_source == "directory"
    backend = flask.services["backend"]
    assert backend.built_images == ("nginx-flask-mysql-backend", "nginx-flask-mysql_backend")
    assert backend.build_context == "docker__awesome-compose/nginx-flask-mysql/backend"
    assert 8000 in backend.port_numbers()
    assert flask.services["db"].built_images == ()

    rust = find(corpus_projects, "docker__awesome-compose/react-rust-postgres/compose.yaml")
    assert (rust.name, rust.name_source) == ("react-rust-postgres", "name")

    kafka = find(corpus_projects, "docker__awesome-compose/wasmedge-kafka-mysql/compose.yml")
    assert kafka.services["etl"].built_images == ("etl-kafka",)

    pgadmin = find(corpus_projects, "docker__awesome-compose/postgresql-pgadmin/compose.yaml")
    password = pgadmin.services["postgres"].environment["POSTGRES_PASSWORD"]
    assert password.value == "changeit"  # from ${POSTGRES_PW} in the .env beside it
    assert password.loc in pgadmin.interpolated


def test_corpus_retail_store_include_and_override(corpus_projects: list[ComposeProject]) -> None:
    app_dir = "aws-containers__retail-store-sample-app/src/app"
    default = find(
        corpus_projects, f"{app_dir}/docker-compose.yml", f"{app_dir}/compose.override.yaml"
    )
    catalog = default.services["catalog"]
    assert catalog.ports == ()  # `ports: !override []`
    assert catalog.file == "aws-containers__retail-store-sample-app/src/catalog/docker-compose.yml"
    assert catalog.built_images == ("app-catalog", "app_catalog")
    ui_env = default.services["ui"].environment
    assert ui_env["RETAIL_UI_ENDPOINTS_CATALOG"].loc.path == f"{app_dir}/compose.override.yaml"

    tracing = find(
        corpus_projects, f"{app_dir}/docker-compose.yml", f"{app_dir}/docker-compose.tracing.yml"
    )
    assert [p.target for p in tracing.services["catalog"].ports] == [8080]
    assert "otel-collector" in tracing.services


def test_corpus_hyphenated_variants_load_alone(corpus_projects: list[ComposeProject]) -> None:
    otel = find(corpus_projects, "grafana__intro-to-mltp/docker-compose-otel.yml")
    assert otel.name == "grafana-intro-to-mltp-otel"


def test_deeply_nested_file_does_not_raise(tmp_path: Path) -> None:
    depth = 390
    nested = "{x: " * depth + "1" + "}" * depth
    write(tmp_path, {"compose.yaml": f"services:\n  a:\n    image: a\n    x-deep: {nested}\n"})
    projects, errors = load_compose_projects(Project(tmp_path), ["compose.yaml"])
    assert len(projects) + len(errors) == 1


def test_a_service_name_that_is_not_a_string_does_not_crash(tmp_path: Path) -> None:
    """`services: {1: ...}` (YAML reads the name as a number) used to end the run with
    KeyError: '1'; compose names services by string, so 1 is the service "1"."""
    write(tmp_path, {"compose.yaml": "services:\n  1:\n    image: nginx:1.27\n"})
    projects, errors = load_compose_projects(Project(tmp_path), ["compose.yaml"])
    assert errors == []
    assert list(projects[0].services) == ["1"]


def test_extends_file_is_loaded_once_for_many_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from k8slint.lint.model import compose

    services = "".join(
        f"  s{i}:\n    extends: {{file: common.yml, service: base}}\n    image: app{i}\n"
        for i in range(50)
    )
    loaded: list[str] = []
    real = compose._Loader.load_file

    def counting(self: compose._Loader, path: str, *args: object, **kwargs: object) -> object:
        loaded.append(path)
        return real(self, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(compose._Loader, "load_file", counting)
    project = load_one(
        tmp_path,
        {
            "compose.yaml": "services:\n" + services,
            "common.yml": "services:\n  base:\n    environment: {LOG: info}\n",
        },
    )
    assert loaded.count("common.yml") == 1
    assert project.services["s49"].environment["LOG"].value == "info"
    assert project.services["s0"].image is not None and project.services["s0"].image.value == "app0"
