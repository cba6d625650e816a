"""A workload asks for a locally built image under a name that docker compose does not build.

## What it finds
A container image in a Kubernetes workload that no compose service of the same application
produces, while its name clearly designates one that compose builds: the service name, the
name compose gives the build (`<project>-<service>` without `image:`), the same name with
another project prefix, `_`/`-` or case (`order-service` vs `orderservice`), or the same
repository with another tag (compose builds `app:1.2`, Kubernetes wants `app:latest`). The
project name comes from `name:`, else COMPOSE_PROJECT_NAME in the `.env` beside the compose
file, else the directory name, normalised the way Compose does it. Only images that must
come from the local build are judged: a bare name in Docker Hub's `library/` namespace (where
no team can push) that is not an official image, a `localhost` registry, or
`imagePullPolicy: Never`. The finding sits on the workload's `image:` and names the compose
file, the service and the image it really builds.
## Why it breaks
`docker compose build` tagged the image `deploy-dashboard:latest` (Compose v2 names an image
built without `image:` as `<project>-<service>`; v1 used `<project>_<service>`). The
Deployment asked for `dashboard:latest`, so the pod went to ImagePullBackOff with "pull access
denied for dashboard, repository does not exist".
## Silent when
The compose service sets `image:` to exactly what the workload asks for; the image is one that
compose merely pulls (`postgres:16`, `ghcr.io/...`); no compose file sits with the manifests;
the image carries a registry host or a Docker Hub namespace and may be pulled (pull policy other
than `Never`); an official image (`redis:7`, `nginx:1.27`) or the base image the compose build
starts FROM; the image has a digest or is a template (`${IMAGE}`, `{{ .image }}`); skaffold,
Tilt, a script or a CI workflow next to the manifests builds or sets that image name
(`docker build -t`, `docker tag`, `kustomize edit set image`, `kubectl set image`).
## Example
```yaml
# file: deploy/docker-compose.yml
services:
  dashboard:
    build: ./dashboard
    ports: ["8050:8050"]
# file: deploy/dashboard/Dockerfile
FROM python:3.12-slim
# file: deploy/k8s/dashboard.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dashboard
spec:
  selector:
    matchLabels: {app: dashboard}
  template:
    metadata:
      labels: {app: dashboard}
    spec:
      containers:
        - name: dashboard
          image: dashboard:latest
          imagePullPolicy: Never
```
## Use instead
```yaml
# file: deploy/docker-compose.yml
services:
  dashboard:
    build: ./dashboard
    image: dashboard:latest
    ports: ["8050:8050"]
```
## Fix safety
Safe: the fix sets the workload's `image:` to the name and tag compose builds, the image
`docker compose build` leaves in the local image store. It is offered only when the image is
written out where the finding points (not assembled by a kustomize `images:` entry) and names
no registry, so it never points a workload at another registry.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from k8slint.lint.findings import Finding, Fix, Related, Severity
from k8slint.lint.locate import Located
from k8slint.lint.model.compose import ComposeService
from k8slint.lint.model.dockerfile import dockerfile
from k8slint.lint.model.images import ImageRef, parse_image
from k8slint.lint.model.k8s import Container, sequence
from k8slint.lint.model.workspace import Workspace, related_dirs
from k8slint.lint.rule import NoOptions, Rule
from k8slint.lint.yamlpos import YMap

RULE = Rule(id="compose-image-mismatch", severity=Severity.ERROR, doc=__doc__, fix="safe")
Options = NoOptions

_TEMPLATE_MARKS = ("$", "{", "}", "<", ">")
_TILT_BUILD = re.compile(r"""\b(?:docker_build|custom_build)\(\s*(?:ref\s*=\s*)?['"]([^'"]+)['"]""")

# How a workload image was matched to a compose service, strongest first.
_SAME_REPOSITORY, _SAME_NAME, _SIMILAR_NAME, _OTHER_PROJECT = range(4)


@dataclass(frozen=True)
class _Match:
    strength: int
    service: ComposeService
    built: str  # the repository compose tags ("deploy-dashboard")
    note: str = ""  # why the names differ, when compose knows a reason


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    for obj, pod in ws.workloads():
        services, pulled = _compose_images(ws, obj.path)
        if not services:
            continue
        for container in pod.containers:
            finding = _judge(ws, container, services, pulled)
            if finding is not None:
                yield finding


def _compose_images(ws: Workspace, manifest: str) -> tuple[list[ComposeService], set[str]]:
    """The compose services near a manifest that build an image, and the images
    (repository:tag) of every service near it; once per directory of manifests."""

    def find() -> tuple[list[ComposeService], set[str]]:
        near = ws.compose_services_near(manifest)
        pulled = {_tagged(s.image_ref) for s in near if s.image_ref}
        return [s for s in near if s.built_images], pulled

    return ws.memo_shared_each("compose-image-mismatch.near", posixpath.dirname(manifest), find)


def _judge(
    ws: Workspace, container: Container, services: list[ComposeService], pulled: set[str]
) -> Finding | None:
    image, ref = container.image, container.image_ref
    if image is None or ref is None or ref.digest or _is_template(image.value):
        return None
    if not _must_be_local(container, ref):
        return None
    wanted_repo = ref.familiar
    wanted = f"{wanted_repo}:{ref.effective_tag}"
    if wanted in pulled or any(_produces(s, wanted_repo, ref.effective_tag) for s in services):
        return None
    match = _best_match(ref, wanted_repo, services)
    if match is None or wanted in _from_images(ws, match.service):
        return None  # the workload runs the base image the compose build starts from
    if _built_elsewhere(ws, container.owner.path, ref):
        return None
    service = match.service
    built = f"{match.built}:{service.built_tag or 'latest'}"
    origin = _name_origin(ws, service, match.note)
    related_loc = service.image.loc if service.image is not None else service.build_loc
    return RULE.finding(
        image.loc,
        f"image {image.value!r} is not what compose builds: service {service.name!r} in"
        f" {service.file} builds {built!r}{origin}; use image: {built}"
        f" here, or set image: {image.value} on the compose service",
        related=(
            Related(related_loc or service.loc, f"compose service {service.name!r} builds {built}"),
        ),
        fix=_use_built_image(ws, image, ref, built),
    )


def _use_built_image(ws: Workspace, image: Located[str], ref: ImageRef, built: str) -> Fix | None:
    """Set the workload's image to what compose builds, when the finding's span holds the image
    as written (plain or quoted) and it names no registry."""
    loc = image.loc
    line = ws.line_text(loc.path, loc.line) if loc.line == loc.end_line else None
    written = line[loc.col - 1 : loc.end_col - 1] if line is not None else ""
    quote = written[0] if written[:1] in ("'", '"') and written[-1:] == written[:1] else ""
    if ref.registry is not None or written != f"{quote}{image.value}{quote}" or not written:
        return None
    return Fix.safe_fix(f"use image {built}", image.replace(f"{quote}{built}{quote}"))


def _must_be_local(container: Container, ref: ImageRef) -> bool:
    """Whether only the local build can supply the image: `imagePullPolicy: Never`, a local
    registry, or a bare name (Docker Hub's `library/` namespace, where no team can push) that is
    not an official image. Any other image may well be in its registry."""
    policy = container.pull_policy
    if policy is not None and policy.value == "Never":
        return True
    return ref.local_registry or ref.local_only


def _from_images(ws: Workspace, service: ComposeService) -> set[str]:
    """Images the service's Dockerfile builds FROM (repository:tag, Docker Hub canonical)."""
    found = dockerfile(ws, service.dockerfile) if service.dockerfile else None
    return {_tagged(parse_image(image)) for image in found.from_images} if found else set()


def _produces(service: ComposeService, repository: str, tag: str) -> bool:
    """Whether `docker compose build` tags repository:tag. Without `image:` only the v2 name
    `<project>-<service>` counts: Compose v1 (`_`) is end-of-life."""
    if tag != (service.built_tag or "latest") or not service.built_images:
        return False
    return parse_image(service.built_images[0]).familiar == repository


def _best_match(ref: ImageRef, repository: str, services: list[ComposeService]) -> _Match | None:
    found: list[_Match] = []
    name = ref.name.lower()
    for service in services:
        built = service.built_images[0]
        built_name = built.rsplit("/", 1)[-1].lower()
        derived = service.image is None  # named <project>-<service> by compose
        if parse_image(built).familiar == repository:
            found.append(_Match(_SAME_REPOSITORY, service, built))
        elif derived and repository == parse_image(f"{service.project}_{service.name}").familiar:
            note = ", and the manifest uses the Compose v1 name with `_`"
            found.append(_Match(_SAME_NAME, service, built, note))
        elif name in (service.name.lower(), built_name):
            found.append(_Match(_SAME_NAME, service, built))
        elif _squash(name) and _squash(name) in (_squash(service.name), _squash(built_name)):
            found.append(_Match(_SIMILAR_NAME, service, built))
        elif derived and _other_project_prefix(name, service.name.lower()):
            found.append(_Match(_OTHER_PROJECT, service, built))
    if not found:
        return None
    best = min(match.strength for match in found)
    candidates = [match for match in found if match.strength == best]
    # two services equally like the image: no evidence for either (one service seen through
    # several file sets, base and base+overlay, counts once)
    return candidates[0] if len({(m.service.name, m.built) for m in candidates}) == 1 else None


def _other_project_prefix(name: str, service: str) -> bool:
    """`shop-web` for service `web`: the Compose name with a project prefix that is not this
    project's (a renamed directory, a forgotten `name:` or COMPOSE_PROJECT_NAME)."""
    for separator in ("-", "_"):
        prefix, sep, rest = name.rpartition(separator + service)
        if sep and not rest and prefix and re.fullmatch(r"[a-z0-9][a-z0-9_-]*", prefix):
            return True
    return False


def _name_origin(ws: Workspace, service: ComposeService, note: str) -> str:
    """How Compose arrived at the name it builds, when it derived it from the project."""
    if service.image is not None:
        return ""
    project = next(
        (p for p in ws.compose_projects() if p.services.get(service.name) is service), None
    )
    if project is None:
        return ""
    source = _NAME_SOURCES.get(project.name_source, "the directory name")
    return (
        f" (Compose v2 names it <project>-<service>, project {project.name!r} from {source}{note})"
    )


_NAME_SOURCES = {
    "name": "`name:` in the compose file",
    "env": "COMPOSE_PROJECT_NAME in .env",
    "directory": "the directory name",
}


def _built_elsewhere(ws: Workspace, manifest: str, ref: ImageRef) -> bool:
    """Whether another tool next to the manifests builds or sets this image: skaffold and Tilt
    replace it at deploy time, and `kustomize edit set image NAME=...` / `kubectl set image`
    in a script, a CI workflow or an azd hook (azure*.yaml) rewrites it before it is applied.
    Only read when a finding is about to be made, so the cost stays with the rare case."""
    for rel in ws.files:
        base = posixpath.basename(rel)
        home = _script_home(rel)
        if home is None or not related_dirs(home, posixpath.dirname(manifest)):
            continue
        if base.startswith("skaffold.") and ref.without_tag in _skaffold_images(ws, rel):
            return True
        text = ws.project.read_text(rel) or ""
        if base == "Tiltfile" and ref.without_tag in _TILT_BUILD.findall(text):
            return True
        if ref.without_tag in text and _sets_image(text, ref.without_tag):
            return True
    return False


def _script_home(rel: str) -> str | None:
    """The directory a deploy tool's file or script acts for, None when `rel` is neither (a CI
    workflow acts for the repository that holds `.github/`: checked first, since its `.yml`
    is also a script suffix)."""
    for marker in (".github/workflows", ".gitlab-ci.yml"):
        head, sep, _tail = f"/{rel}".partition(f"/{marker}")
        if sep and rel.endswith((".yml", ".yaml")):
            return head.strip("/")
    base = posixpath.basename(rel)
    if base in _BUILD_TOOL_FILES or base in _SCRIPT_FILES or rel.endswith(_SCRIPT_SUFFIXES):
        return posixpath.dirname(rel)
    return None


_BUILD_TOOL_FILES = frozenset({"Tiltfile"})  # YAML ones (skaffold, azure) have the suffix
_SCRIPT_FILES = frozenset({"Makefile", "Justfile"})
_SCRIPT_SUFFIXES = (".sh", ".bash", ".ps1", ".yaml", ".yml")
"""Scripts, and YAML that may hold pipeline steps or hooks (azd's azure*.yaml, CI configs)."""


def _sets_image(text: str, image: str) -> bool:
    """Whether a script or pipeline makes or swaps in the image by that name: `docker build -t
    store-admin:2.1`, `docker tag x store-admin`, `kustomize edit set image store-admin=...`,
    `kubectl set image deploy/x c=store-admin:2`."""
    name = re.escape(image)
    patterns = (
        rf"\bset\s+image\b[^\n]*?(?<![\w./-]){name}[:=@]",
        rf"\bset\s+image\b[^\n]*?=\s*['\"]?{name}(?![\w/-])",
        rf"(?:\s-t|--tag)[\s=]+['\"]?{name}(?![\w/-])",
        rf"\b(?:docker|podman|nerdctl)\s+tag\s+\S+\s+['\"]?{name}(?![\w/-])",
    )
    return any(re.search(pattern, text) for pattern in patterns)


def _skaffold_images(ws: Workspace, rel: str) -> set[str]:
    source = ws.source(rel)
    images: set[str] = set()
    for document in source.documents if source is not None else ():
        root = document.root
        if not isinstance(root, YMap):
            continue
        profiles = [p for p in sequence(root, "profiles") if isinstance(p, YMap)]
        for build in [root.get("build")] + [p.get("build") for p in profiles]:
            for artifact in sequence(build, "artifacts"):
                if isinstance(artifact, YMap) and isinstance(artifact.get("image"), str):
                    images.add(artifact["image"])
    return images


def _tagged(ref: ImageRef) -> str:
    """`repository:tag` of an image, Docker Hub's implicit parts dropped, the tag defaulting
    to latest."""
    return f"{ref.familiar}:{ref.effective_tag}"


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _is_template(image: str) -> bool:
    return any(mark in image for mark in _TEMPLATE_MARKS) or image != image.strip()
