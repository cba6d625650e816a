"""A registry image with `:latest` (or no tag) is pulled only IfNotPresent.

## What it finds
A workload container whose image has the tag `latest` or no tag (and no digest) and sets
`imagePullPolicy: IfNotPresent` explicitly, when the image comes from a registry: any image
with a registry host (`ghcr.io/org/app`, `registry:5000/app`, `docker.io/library/alpine`), and
Docker Hub short names (`redis`, `org/app`) unless the repository builds that image itself.
## Why it breaks
A rebuilt image was not picked up: the team pushed a new `:latest`, but `imagePullPolicy:
IfNotPresent` let every node keep the `:latest` it had cached, so pods ran old code on some
nodes and new code on others. Kubernetes defaults `:latest` to `Always` for this reason; the
explicit IfNotPresent turned that off.
## Silent when
The tag is a version or the image is pinned by digest; the pull policy is `Always`, `Never`,
or left to the default; the image is built locally for the cluster (`kind load`, `minikube
image load`): a compose service beside the manifests builds it, or a folder named like the
image holds a Dockerfile, and the image names no registry host; a bare name that is no Docker
Hub official image (`storefront-web`: only Docker publishes to the `library/` namespace, so
nodes never pull it; compose-image-mismatch judges such names); templated images
(`${IMAGE}`, `{{ .Values.image }}`).
## Example
```yaml
# file: k8s/worker.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker}
    spec:
      containers:
        - name: worker
          image: ghcr.io/acme/worker:latest
          imagePullPolicy: IfNotPresent
```
## Use instead
```yaml
# file: k8s/worker.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker}
    spec:
      containers:
        - name: worker
          image: ghcr.io/acme/worker:1.8.3
          imagePullPolicy: IfNotPresent
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.model.images import ImageRef
from k8slint.lint.model.k8s import Container, templated
from k8slint.lint.model.workspace import Workspace, related_dirs
from k8slint.lint.rule import NoOptions, Rule

RULE = Rule(id="mutable-image-tag", severity=Severity.WARNING, doc=__doc__, scope="workspace")

Options = NoOptions


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    seen = set()
    for container in ws.containers():
        image, policy, ref = container.image, container.pull_policy, container.image_ref
        if image is None or policy is None or ref is None or policy.value != "IfNotPresent":
            continue
        if ref.digest or ref.effective_tag != "latest" or templated(image.value):
            continue
        if ref.local_only or (ref.registry is None and _built_locally(ws, container, ref)):
            continue
        if image.loc in seen:
            continue
        seen.add(image.loc)
        tag = "the tag latest" if ref.tag else "no tag (latest)"
        yield RULE.finding(
            image.loc,
            f"image {image.value!r} has {tag} and imagePullPolicy: IfNotPresent, so nodes keep"
            " whichever latest they pulled first; pin a version tag or a digest",
            related=(Related(policy.loc, "imagePullPolicy: IfNotPresent"),),
        )


def _built_locally(ws: Workspace, container: Container, ref: ImageRef) -> bool:
    """A Docker Hub-style name that this repository builds: a compose service beside the
    manifest builds it (as app linking judges it), or a folder named like the image holds a
    Dockerfile."""
    manifest = container.owner.path
    if any(service.builds(ref) for service in ws.compose_services_near(manifest)):
        return True
    here = posixpath.dirname(manifest)
    folders = ws.memo_shared("dockerfile-folders", lambda: _dockerfile_folders(ws.files))
    return any(related_dirs(folder, here) for folder in folders.get(ref.name, ()))


def _dockerfile_folders(files: tuple[str, ...]) -> dict[str, list[str]]:
    """Folders holding a Dockerfile (Dockerfile, Dockerfile.dev ...), by their own name."""
    found: dict[str, list[str]] = {}
    for rel in files:
        folder, base = posixpath.split(rel)
        if base.startswith("Dockerfile"):
            found.setdefault(posixpath.basename(folder), []).append(folder)
    return found
