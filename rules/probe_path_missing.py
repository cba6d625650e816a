"""An HTTP probe asks for a path that the container's application does not serve.

## What it finds
`httpGet` liveness, readiness and startup probes whose `path` matches no GET route of the
application the container runs. The app's source is found through the compose service that
builds the image (its build context), else the `apps` mapping in the config, else a source
directory named like the image. Routes come from the source: Flask/Quart blueprints, FastAPI
routers with their prefixes, Django `path()`, Express/Koa/Fastify routers and mounts, NestJS
controllers under the global prefix, Go net/http, gorilla/mux, gin, echo and chi, and Spring
mappings (with `/actuator/health` when Spring Boot Actuator is a dependency). Path
parameters match (`/items/{id}`, `/items/:id`).
## Why it breaks
The backend pod kept restarting with `Cannot GET /health` (404): the livenessProbe and
readinessProbe asked for `/health`, but the NestJS app served its routes under the global
prefix `api`, so the kubelet killed a healthy container over and over.
## Silent when
The route exists; tcpSocket, exec and grpc probes; no application source can be linked to the
container, or no route at all could be read from it (an unsupported framework); well-known
third-party images (postgres, redis, nginx, grafana, prometheus ...), whose health endpoints
are their own; apps that answer paths no route declares (static file serving, proxies,
health-check libraries such as terminus, not-found fallbacks); FastAPI's `/docs` and
`/openapi.json`.
## Example
```yaml
# file: backend/main.py
from fastapi import APIRouter, FastAPI

router = APIRouter(prefix="/api")


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


app = FastAPI()
app.include_router(router)
# file: k8s/backend.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  selector:
    matchLabels: {app: backend}
  template:
    metadata:
      labels: {app: backend}
    spec:
      containers:
        - name: backend
          image: registry.example.com/backend:2.1.0
          ports:
            - containerPort: 8000
          livenessProbe:
            httpGet:
              path: /health
              port: 8000
```
## Use instead
```yaml
# file: k8s/backend.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  selector:
    matchLabels: {app: backend}
  template:
    metadata:
      labels: {app: backend}
    spec:
      containers:
        - name: backend
          image: registry.example.com/backend:2.1.0
          ports:
            - containerPort: 8000
          livenessProbe:
            httpGet:
              path: /api/health
              port: 8000
```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from k8slint.lint.findings import Finding, Related, Severity
from k8slint.lint.model.images import OWN_SERVER_IMAGES
from k8slint.lint.model.k8s import Container, located_str, mapping
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import NoOptions, Rule

if TYPE_CHECKING:  # the app scanners load only when a container links to a source
    from k8slint.lint.model.appsource import AppSource, Route

RULE = Rule(id="probe-path-missing", severity=Severity.ERROR, doc=__doc__)
Options = NoOptions

FRAMEWORK_ROUTES: dict[str, tuple[str, ...]] = {
    "fastapi": ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"),
    "flask": ("/static/<path:filename>",),
}
"""Routes a framework serves without the app declaring them (FastAPI's docs, Flask's static)."""

MAX_SHOWN_ROUTES = 3


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    for container in ws.containers():
        if _third_party(container):
            continue
        probes = [
            (kind, path)
            for kind, probe in container.probes()
            if (path := located_str(mapping(probe, "httpGet"), "path")) is not None
        ]
        if not probes:
            continue
        app = ws.app_for(container)
        if app is None or not app.has_routes():
            continue
        for kind, path in probes:
            if app.serves(path.value) is not None or _framework_serves(app, path.value):
                continue
            if app.serves_undeclared:  # static files, proxies, health libraries: proves nothing
                break
            closest = _closest_routes(app, path.value)
            shown = ", ".join(route.path for route in closest) or "none that answer GET"
            where = app.directory or "the app at the repository root"
            yield RULE.finding(
                path.loc,
                f"{path.value!r} is not served by {where} (routes: {shown});"
                f" point the {kind} at a route the app serves, or add the route to the app",
                related=(Related(closest[0].loc, f"closest route {closest[0].path}"),)
                if closest
                else (),
            )


def _third_party(container: Container) -> bool:
    ref = container.image_ref
    return ref is not None and ref.name.lower() in OWN_SERVER_IMAGES


def _framework_serves(app: AppSource, path: str) -> bool:
    from k8slint.lint.model.appsource import Route, first_serving

    frameworks = {route.framework for route in app.routes}
    extra = [
        Route("GET", default, app.routes[0].loc, framework)
        for framework in sorted(frameworks)
        for default in FRAMEWORK_ROUTES.get(framework, ())
    ]
    return first_serving(extra, path) is not None


def _closest_routes(app: AppSource, path: str) -> list[Route]:
    """The GET routes most like `path`: same last segment first, then by text similarity."""
    by_path: dict[str, Route] = {}
    for route in app.routes:
        if route.method in (None, "GET"):
            by_path.setdefault(route.path, route)
    wanted = path.split("?", 1)[0].rstrip("/")
    last = wanted.rsplit("/", 1)[-1]

    def score(route_path: str) -> tuple[bool, float, str]:
        same_tail = bool(last) and route_path.rstrip("/").rsplit("/", 1)[-1] == last
        similarity = difflib.SequenceMatcher(None, wanted, route_path.rstrip("/")).ratio()
        return (not same_tail, -similarity, route_path)

    return [by_path[p] for p in sorted(by_path, key=score)[:MAX_SHOWN_ROUTES]]
