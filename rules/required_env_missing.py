"""The application needs an environment variable that its workload never sets.

## What it finds
An environment variable that the application's code reads without a default and fails
without: Python `os.environ["X"]`, pydantic-settings fields with no default, Node
`required(process.env.X)` or `if (!process.env.X) throw ...`, Go `os.Getenv` checked for empty
and then fatal (also through helpers such as `mustGetenv("X")`), Spring `${X}` placeholders
without a default. It fires when the Kubernetes workload that runs this code sets the variable
neither in `env` nor through `envFrom` from a ConfigMap or Secret whose keys the linted files
show. The finding sits on the line of code that reads the variable and names the workload.
The application's source is found as for probe-path-missing: through the compose service
that builds the container's image, the config's `apps` mapping, or a directory named like
the image.
## Why it breaks
The pod started and crashed at once with `KeyError: 'KIS_APP_KEY'`: the code read the key with
`os.environ["KIS_APP_KEY"]`, and the Deployment had been written from the compose file, whose
`env_file` had supplied it locally.
## Silent when
The workload sets the variable (any `env` entry, `valueFrom` included, or an `envFrom` source
that holds the key); an `envFrom` source that the linted files do not define, or define
without keys (it may hold anything); the image's Dockerfile sets it with `ENV`; Kubernetes sets
it (`HOSTNAME`, `KUBERNETES_SERVICE_HOST`, the `<SERVICE>_SERVICE_HOST` and `_PORT` variables of
a Service of the unit); the read sits under a branch (`if`, `else`, `case`, `try`/`except`)
or in a Spring profile document (`spring.config.activate.on-profile`), so the app may well run
without it; init containers, which often run another command from the same image. Reads with
no fallback that the app copes with (`os.environ.get("X")`) are reported as info only with
the `soft-reads` option.
## Example
```yaml
# file: k8s/api.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: api:1.0.0
          env:
            - name: LOG_LEVEL
              value: info
# file: api/main.py
import os

API_KEY = os.environ["API_KEY"]
LOG_LEVEL = os.getenv("LOG_LEVEL", "info")
```
## Use instead
```yaml
# file: k8s/api.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: api:1.0.0
          env:
            - name: LOG_LEVEL
              value: info
            - name: API_KEY
              valueFrom:
                secretKeyRef: {name: api-keys, key: api-key}
```
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.locate import Loc
from k8slint.lint.model.dockerfile import dockerfile, is_dockerfile
from k8slint.lint.model.k8s import Container, K8sObject, PodSpec, child
from k8slint.lint.model.workspace import SOURCE_SUFFIXES, Workspace, related_dirs
from k8slint.lint.rule import Rule
from k8slint.rules._env import container_env, workload_label

if TYPE_CHECKING:  # the app scanners load only when a container links to a source
    from k8slint.lint.model.appsource import AppSource, EnvRead

RULE = Rule(id="required-env-missing", severity=Severity.ERROR, doc=__doc__)


@dataclass(frozen=True)
class Options:
    soft_reads: bool = field(
        default=False,
        metadata={
            "doc": "also report, as info, variables read without a default that the app"
            ' copes without (`os.environ.get("X")`, a bare `process.env.X`)'
        },
    )


# set in every container by the kubelet or the image's base layers
ALWAYS_SET = frozenset(
    {
        "HOSTNAME",
        "HOME",
        "PATH",
        "PWD",
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
        "KUBERNETES_SERVICE_PORT_HTTPS",
        "KUBERNETES_PORT",
    }
)
SERVICE_LINK = re.compile(
    r"^(?P<service>[A-Z0-9_]+?)_(?:SERVICE_HOST|SERVICE_PORT(?:_\w+)?|PORT(?:_\d+_(?:TCP|UDP|SCTP)(?:_\w+)?)?)$"
)
PYTHON_BRANCH = re.compile(r"^(?:if|elif|else|try|except|finally|match|case)\b")
BRACE_BRANCH = re.compile(r"^\}?\s*(?:if|else|switch|case|default|try|catch|finally|select)\b")
BLOCK_OPENERS = re.compile(r"^(?:class|interface|struct|type)\b")
FUNCTION = re.compile(r"^(?:export\s+)?(?:async\s+)?(?:def|func|function)\s+(?:\([^)]*\)\s*)?(\w+)")
MAX_CALL_DEPTH = 3


@dataclass
class _Report:
    read: EnvRead
    workloads: list[str]
    related: Related


def check(ws: Workspace, options: Options) -> Iterator[Finding]:
    reports: dict[Loc, _Report] = {}
    for obj, pod in ws.workloads():
        for container in pod.containers:
            if not container.runs_with_app:
                continue
            app = ws.app_for(container)
            if app is None or not app.env_reads or not _belongs(ws, app, obj):
                continue
            env = container_env(ws, obj, container)
            if env.opaque or env.keyless:  # a source whose keys cannot be seen may set any
                continue
            image_env = _image_env(ws, app)
            workload = workload_label(container)
            for read in app.env_reads:
                if not (read.required or (options.soft_reads and read.soft)):
                    continue
                if env.sets(read.name, read.case_insensitive) or read.name in image_env:
                    continue
                if _kubernetes_sets(ws, obj, pod, read.name):
                    continue
                if read.conditional or _conditional(ws, read):
                    continue
                report = reports.setdefault(read.loc, _Report(read, [], _related(container)))
                if workload not in report.workloads:
                    report.workloads.append(workload)
    for loc, report in reports.items():
        yield _finding(loc, report)


def _finding(loc: Loc, report: _Report) -> Finding:
    name = report.read.name
    names = ", ".join(report.workloads)
    does = "does" if len(report.workloads) == 1 else "do"
    if report.read.required:
        return RULE.finding(
            loc,
            f"the app needs {name} (it has no default) and {names} {does} not set it; set {name}"
            " in the container's env or in a ConfigMap or Secret it loads with envFrom",
            related=(report.related,),
        )
    return RULE.finding(
        loc,
        f"the app reads {name} without a default and {names} {does} not set it; set {name}"
        " in the container's env if the app needs it",
        related=(report.related,),
        severity=Severity.INFO,
    )


def _belongs(ws: Workspace, app: AppSource, obj: K8sObject) -> bool:
    """Whether the app's source may be the one this manifest deploys.

    A top-level folder that holds manifests of its own is a repository (or a service) of its
    own in a root that holds several: its sources belong to its manifests, not to a
    look-alike image name in another folder.
    """
    top = app.directory.split("/", 1)[0]
    if not top or related_dirs(app.directory, posixpath.dirname(obj.path)):
        return True
    return top not in ws.memo_shared("object top dirs", lambda: _top_dirs(ws))


def _top_dirs(ws: Workspace) -> frozenset[str]:
    """The top-level folders holding an object of any unit (`a` for `a/b.yaml`)."""
    return frozenset(o.path.split("/", 1)[0] for o in ws.all_objects() if "/" in o.path)


def _related(container: Container) -> Related:
    if "env" in container.body:
        return Related(container.body.key_loc("env"), f"env of container {container.name}")
    image = container.image
    loc = image.loc if image is not None else container.loc
    return Related(loc, f"container {container.name}")


def _kubernetes_sets(ws: Workspace, owner: K8sObject, pod: PodSpec, name: str) -> bool:
    if name in ALWAYS_SET:
        return True
    match = SERVICE_LINK.match(name)
    if match is None or child(pod.body, "enableServiceLinks") is False:
        return False
    service = match["service"].lower().replace("_", "-")
    return ws.find("Service", service, owner.namespace) is not None


def _image_env(ws: Workspace, app: AppSource) -> set[str]:
    """Variables that the Dockerfiles at the top of the app's directory set with ENV."""
    return ws.memo_shared_each("image env", app.directory, lambda: _read_image_env(ws, app))


def _read_image_env(ws: Workspace, app: AppSource) -> set[str]:
    names: set[str] = set()
    for rel in _dockerfiles_by_directory(ws).get(app.directory, ()):
        if (found := dockerfile(ws, rel)) is not None:
            names |= found.env_names
    return names


def _dockerfiles_by_directory(ws: Workspace) -> dict[str, list[str]]:
    """The Dockerfiles of the workspace by the directory holding them ("" at the root)."""

    def index() -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for rel in ws.files:
            directory, name = posixpath.split(rel)
            if is_dockerfile(name):
                found[directory].append(rel)
        return found

    return ws.memo_shared("dockerfiles by directory", index)


def _conditional(ws: Workspace, read: EnvRead) -> bool:
    """Whether the read sits under a branch, so the app may start without the variable."""
    path = read.loc.path
    if not path.endswith(SOURCE_SUFFIXES):
        return False
    text = ws.project.read_text(path)
    if text is None:
        return False
    lines = text.splitlines()
    branch = PYTHON_BRANCH if path.endswith(".py") else BRACE_BRANCH
    return _under_branch(lines, read.loc.line, branch, MAX_CALL_DEPTH)


def _under_branch(lines: list[str], number: int, branch: re.Pattern[str], depth: int) -> bool:
    """Whether line `number` runs only under a branch: in its own block, or at every call of
    the function that holds it (calls from the same file; `depth` bounds the walk)."""
    if not 0 < number <= len(lines):
        return False
    indent = _indent(lines[number - 1])
    for index in range(number - 2, -1, -1):
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//", "/*", "*")):
            continue
        level = _indent(line)
        if level >= indent:
            continue
        indent = level
        if branch.match(stripped) and not stripped.startswith("if __name__"):
            return True
        opener = FUNCTION.match(stripped)
        if opener is not None:
            return depth > 0 and _calls_all_conditional(lines, opener[1], index, branch, depth)
        if BLOCK_OPENERS.match(stripped) or level == 0:
            return False
    return False


def _calls_all_conditional(
    lines: list[str], function: str, definition: int, branch: re.Pattern[str], depth: int
) -> bool:
    call = re.compile(rf"(?<![\w.]){re.escape(function)}\s*\(|\.{re.escape(function)}\s*\(")
    calls = [
        index + 1
        for index, line in enumerate(lines)
        if index != definition and call.search(line) and not FUNCTION.match(line.strip())
    ]
    if not calls or function in ("main", "__init__", "init"):
        return False  # called from elsewhere, or the entry point itself
    return all(_under_branch(lines, number, branch, depth - 1) for number in calls)


def _indent(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())
