"""An ingress-nginx rewrite-target without a capture group sends every path to one URL.

## What it finds
An Ingress with `nginx.ingress.kubernetes.io/rewrite-target` whose value uses no capture
group (`$1`, `$2` ...) while one of its paths is not `/` and not an `Exact` path, or whose value
uses a capture group that none of its paths defines (`/$2` over `path: /api`). The finding sits
on the annotation value.
## Why it breaks
Every `/api/order` call returned 404: the Ingress had `rewrite-target: /` on `path: /api`, and
ingress-nginx (since 0.22) replaces the whole matched URI with the target, so `/api/order`
reached the backend as `/`. Only what a capture group of the path keeps is passed on: write
the path as a regex (`/api(/|$)(.*)`) and the target as `/$2`. A target that names a group the
path does not have expands to an empty string, with the same result.
## Silent when
The target uses a capture group that a path defines; every path is `/` (or absent) or
`Exact` (a fixed mapping of one URL onto another is intended); the Ingress belongs to another
controller (`ingressClassName: traefik`, `alb`, `gce` ...), which ignores the annotation.
## Example
```yaml
# file: k8s/ingress.yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx
  rules:
    - http:
        paths:
          - path: /api
            pathType: Prefix
            backend:
              service:
                name: orders
                port:
                  number: 80
```
## Use instead
```yaml
# file: k8s/ingress.yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /$2
    nginx.ingress.kubernetes.io/use-regex: "true"
spec:
  ingressClassName: nginx
  rules:
    - http:
        paths:
          - path: /api(/|$)(.*)
            pathType: ImplementationSpecific
            backend:
              service:
                name: orders
                port:
                  number: 80
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.model.k8s import K8sObject, child, mapping, templated
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule
from k8slint.lint.yamlpos import YMap
from k8slint.rules._services import ingress_paths

RULE = Rule(id="ingress-rewrite-strips-path", severity=Severity.WARNING, doc=__doc__)
Options = NoOptions

ANNOTATION = "nginx.ingress.kubernetes.io/rewrite-target"
ROOT_PATHS = frozenset({"", "/", "/*", "/.*", "/(.*)"})
OTHER_CONTROLLERS = (
    "alb",
    "ambassador",
    "apisix",
    "application-gateway",
    "azure",
    "caddy",
    "cilium",
    "contour",
    "gce",
    "haproxy",
    "istio",
    "kong",
    "openshift",
    "skipper",
    "traefik",
)
"""Ingress class names of controllers that ignore ingress-nginx annotations."""
_GROUP_REF = re.compile(r"\$(\d+)|\$\{(\d+)\}")


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    for ingress in ws.of_kind("Ingress"):
        annotations = mapping(ingress.metadata, "annotations")
        target = annotations.get(ANNOTATION) if annotations is not None else None
        if annotations is None or not isinstance(target, str) or _other_controller(ingress):
            continue
        if templated(_GROUP_REF.sub("", target)):  # a placeholder, not a capture group
            continue
        paths = [(item, item.get("path")) for item in ingress_paths(ingress)]
        paths = [(item, p if isinstance(p, str) else "") for item, p in paths]
        if any(templated(p) for _item, p in paths if p):
            continue
        wanted = [int(a or b) for a, b in _GROUP_REF.findall(target)]
        if wanted:
            finding = _missing_group(ingress, annotations, target, paths, max(wanted))
        else:
            finding = _stripping(ingress, annotations, target, paths)
        if finding is not None:
            yield finding


def _other_controller(ingress: K8sObject) -> bool:
    names = [child(ingress.body, "spec", "ingressClassName")]
    names.append(child(ingress.metadata, "annotations", "kubernetes.io/ingress.class"))
    return any(
        isinstance(n, str) and "nginx" not in n.lower() and n.lower().startswith(OTHER_CONTROLLERS)
        for n in names
    )


def _stripping(
    ingress: K8sObject, annotations: YMap, target: str, paths: list[tuple[YMap, str]]
) -> Finding | None:
    for item, path in paths:
        if path.strip() in ROOT_PATHS or str(item.get("pathType", "")).lower() == "exact":
            continue
        return RULE.finding(
            annotations.value_loc(ANNOTATION),
            f"rewrite-target {target!r} has no capture group, so every request under path"
            f" {path!r} of ingress {ingress.name!r} reaches the backend as {target!r}; capture"
            f" the rest of the path (path: {_regex(path)}) and rewrite to {_target(target)}",
            related=(Related(item.value_loc("path"), f"path {path!r}"),),
        )
    return None


def _missing_group(
    ingress: K8sObject, annotations: YMap, target: str, paths: list[tuple[YMap, str]], group: int
) -> Finding | None:
    """A target naming `$N` while no path has N capture groups expands it to nothing."""
    non_root = [(item, p) for item, p in paths if p.strip() not in ROOT_PATHS]
    if not non_root or any(_groups(p) >= group for _item, p in paths):
        return None
    if any(_groups(p) < 0 for _item, p in paths):
        return None  # a path that is no valid regex: ingress-nginx's reading is unclear
    item, path = non_root[0]
    return RULE.finding(
        annotations.value_loc(ANNOTATION),
        f"rewrite-target {target!r} uses capture group ${group}, which path {path!r} of ingress"
        f" {ingress.name!r} does not define, so the rest of the path is dropped; capture it"
        f" (path: {_regex(path)}) and rewrite to {_target(target)}",
        related=(Related(item.value_loc("path"), f"path {path!r}"),),
    )


def _groups(path: str) -> int:
    """The number of capture groups of a path read as a regex, or -1 when it is none."""
    try:
        return re.compile(path).groups
    except re.error:
        return -1


def _regex(path: str) -> str:
    plain = path.rstrip("/") or "/"
    if plain.endswith(".*"):
        plain = plain[:-2].rstrip("/(")
    return f"{plain}(/|$)(.*)"


def _target(target: str) -> str:
    base = re.sub(r"\$\{?\d+\}?", "", target).rstrip("/")
    return f"{base}/$2"
