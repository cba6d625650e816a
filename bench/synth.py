"""The benchmark's synthetic repository: N app groups, two overlays, compose, Grafana, sources.

Deterministic: the same N writes byte-identical files. At N=1000 it holds 1,000 app groups
under k8s/base (each: a Deployment, StatefulSet or CronJob with its ServiceAccount, a Service and
an Ingress, a ConfigMap and a Secret, plus a generated ConfigMap and Secret), two overlays
(k8s/overlays/staging, k8s/overlays/production) with JSON and strategic-merge patches,
generators, images and replicas, a docker-compose.yml building a few apps, Grafana
provisioning, and small Python app sources: about 6,000 Kubernetes documents.

    python bench/synth.py DIR N
"""

from __future__ import annotations

import sys
from pathlib import Path

OVERLAYS = ("staging", "production")
SOURCE_EVERY = 10  # every 10th app has its source under src/app-<i>/
COMPOSE_APPS = 20  # the compose file builds the first 20 apps' sources

_KINDS = ("Deployment", "StatefulSet", "CronJob")

_CONTAINER = """\
      - name: app
        image: registry.example.com/app-{i}:1.0.0
        ports:
        - containerPort: 8080
          name: http
        envFrom:
        - configMapRef:
            name: app-{i}-config
        env:
        - name: DB_PASSWORD
          valueFrom:
            secretKeyRef:
              name: app-{i}-secret
              key: password
        - name: TLS_CERT
          valueFrom:
            secretKeyRef:
              name: app-{i}-tls
              key: tls.crt
        resources:
          requests:
            cpu: 50m
            memory: 64Mi
          limits:
            memory: 128Mi
        volumeMounts:
        - name: config
          mountPath: /etc/app
        - name: files
          mountPath: /etc/app-files
      volumes:
      - name: config
        configMap:
          name: app-{i}-config
      - name: files
        configMap:
          name: app-{i}-files
"""

_PROBES = """\
        readinessProbe:
          httpGet:
            path: /healthz
            port: http
        livenessProbe:
          httpGet:
            path: /healthz
            port: 8080
"""

_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
spec:
  replicas: 1
  selector:
    matchLabels:
      component: app-{i}
  template:
    metadata:
      labels:
        component: app-{i}
    spec:
      serviceAccountName: app-{i}
      containers:
"""

_STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: app-{i}
spec:
  serviceName: app-{i}
  replicas: 1
  selector:
    matchLabels:
      component: app-{i}
  template:
    metadata:
      labels:
        component: app-{i}
    spec:
      serviceAccountName: app-{i}
      containers:
"""

_CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: app-{i}
spec:
  schedule: "{minute} * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
            component: app-{i}
        spec:
          serviceAccountName: app-{i}
          restartPolicy: OnFailure
          containers:
"""

_SERVICE_ACCOUNT = """\
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-{i}
"""

_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
spec:
  selector:
    component: app-{i}
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app-{i}
spec:
  rules:
  - host: app-{i}.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: app-{i}
            port:
              number: 80
"""

_CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-{i}-files
data:
  app.properties: |
    app.name=app-{i}
    app.threads=4
  features.json: '{{"beta": false}}'
---
apiVersion: v1
kind: Secret
metadata:
  name: app-{i}-tls
type: kubernetes.io/tls
data:
  tls.crt: Y2VydGlmaWNhdGU=
  tls.key: a2V5
"""

_BASE = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- workload.yaml
- service.yaml
- config.yaml
labels:
- pairs:
    app.kubernetes.io/part-of: app-{i}
  includeSelectors: true
configMapGenerator:
- name: app-{i}-config
  literals:
  - LOG_LEVEL=info
  - APP_ID={i}
secretGenerator:
- name: app-{i}-secret
  literals:
  - password=s3cret-{i}
"""

_APP = '''\
"""app-{i}: a small HTTP service."""

import os

from flask import Flask

app = Flask(__name__)
LOG_LEVEL = os.environ.get("LOG_LEVEL", "info")
DB_PASSWORD = os.environ["DB_PASSWORD"]


@app.route("/healthz")
def healthz():
    return "ok"


@app.route("/api/items")
def items():
    return {{"app": "app-{i}", "level": LOG_LEVEL}}
'''

_DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
COPY app.py .
CMD ["python", "app.py"]
"""

_DATASOURCES = """\
apiVersion: 1
datasources:
- name: Prometheus
  type: prometheus
  access: proxy
  url: http://prometheus:9090
  isDefault: true
- name: Loki
  type: loki
  access: proxy
  url: http://loki:3100
"""

_DASHBOARDS = """\
apiVersion: 1
providers:
- name: default
  folder: Apps
  type: file
  options:
    path: /var/lib/grafana/dashboards
"""


def kind_of(i: int) -> str:
    return _KINDS[i % len(_KINDS)]


def _workload(i: int) -> str:
    kind = kind_of(i)
    if kind == "CronJob":
        head = _CRONJOB.format(i=i, minute=i % 60)
        body = _CONTAINER.format(i=i)
        indent = "    "  # the pod template sits two levels deeper in a CronJob
        body = "".join(indent + line if line.strip() else line for line in body.splitlines(True))
    else:
        head = (_DEPLOYMENT if kind == "Deployment" else _STATEFULSET).format(i=i)
        container = _CONTAINER.format(i=i)
        # probes on the apps whose source is in the repository (probe-path-missing reads them)
        if i % SOURCE_EVERY == 0:
            first, rest = container.split("        resources:\n", 1)
            container = first + _PROBES + "        resources:\n" + rest
        body = container
    return head + body + _SERVICE_ACCOUNT.format(i=i)


def _overlay(env: str, groups: int) -> str:
    replicas = 2 if env == "staging" else 3
    lines = [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        f"namespace: {env}",
        f"namePrefix: {env[:4]}-",
        "commonAnnotations:",
        f"  env: {env}",
        "resources:",
    ]
    lines += [f"- ../../base/app-{i}" for i in range(groups)]
    lines += ["images:"]
    lines += [
        f"- name: registry.example.com/app-{i}\n  newTag: 1.0.{replicas}"
        for i in range(0, groups, 10)
    ]
    scalable = [i for i in range(0, groups, 3) if kind_of(i) != "CronJob"]
    scalable += [i for i in range(1, groups, 3) if kind_of(i) != "CronJob"]
    lines += ["replicas:"]
    lines += [f"- name: app-{i}\n  count: {replicas}" for i in sorted(scalable)[::2]]
    lines += ["configMapGenerator:"]
    lines += [
        f"- name: app-{i}-config\n  behavior: merge\n  literals:\n  - LOG_LEVEL=warn"
        for i in range(0, groups, 2)
    ]
    lines += [
        f"- name: {env}-settings\n  literals:\n  - ENVIRONMENT={env}\n  - REGION=eu-west-1",
    ]
    lines += ["secretGenerator:"]
    lines += [f"- name: {env}-registry\n  literals:\n  - token=registry-token-{env}"]
    lines += ["patches:"]
    lines += [
        f"- target:\n    kind: Deployment\n    name: app-{i}\n  patch: |-\n"
        f"    - op: add\n      path: /spec/template/spec/containers/0/env/-\n"
        f"      value: {{name: ENV, value: {env}}}"
        for i in range(0, groups, 5)
        if kind_of(i) == "Deployment"
    ]
    lines += ["- path: resources.yaml"]
    return "\n".join(lines) + "\n"


def _resources_patch(env: str, groups: int) -> str:
    """A strategic-merge patch file: more memory for a few StatefulSets."""
    patched = [i for i in range(groups) if kind_of(i) == "StatefulSet"][:25]
    docs = [
        f"apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: app-{i}\n"
        f"spec:\n  template:\n    spec:\n      containers:\n      - name: app\n"
        f"        resources:\n          limits:\n            memory: 256Mi\n"
        for i in patched
    ]
    if not docs:  # a patch file must patch something: a Service exists in every repo
        docs = [
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: app-0\n"
            f"  annotations:\n    env: {env}\n"
        ]
    return "---\n".join(docs)


def _compose(groups: int) -> str:
    lines = ["services:"]
    for i in range(0, min(groups, COMPOSE_APPS * SOURCE_EVERY), SOURCE_EVERY):
        lines += [
            f"  app-{i}:",
            f"    build: ./src/app-{i}",
            f"    image: registry.example.com/app-{i}:1.0.0",
            "    environment:",
            "      LOG_LEVEL: debug",
            "      DB_PASSWORD: example",
            "    ports:",
            f'      - "{8000 + i}:8080"',
            "    depends_on:",
            "      - db",
        ]
    lines += [
        "  db:",
        "    image: postgres:16.4",
        "    environment:",
        "      POSTGRES_PASSWORD: example",
        "  grafana:",
        "    image: grafana/grafana:11.2.0",
        "    volumes:",
        "      - ./grafana/provisioning:/etc/grafana/provisioning",
        "    ports:",
        '      - "3000:3000"',
    ]
    return "\n".join(lines) + "\n"


def write_repo(root: Path, groups: int) -> Path:
    """Write the repository of `groups` app groups under `root`; returns root."""
    root.mkdir(parents=True, exist_ok=True)
    base = root / "k8s" / "base"
    for i in range(groups):
        app = base / f"app-{i}"
        app.mkdir(parents=True, exist_ok=True)
        (app / "workload.yaml").write_text(_workload(i))
        (app / "service.yaml").write_text(_SERVICE.format(i=i))
        (app / "config.yaml").write_text(_CONFIG.format(i=i))
        (app / "kustomization.yaml").write_text(_BASE.format(i=i))
        if i % SOURCE_EVERY == 0:
            src = root / "src" / f"app-{i}"
            src.mkdir(parents=True, exist_ok=True)
            (src / "app.py").write_text(_APP.format(i=i))
            (src / "Dockerfile").write_text(_DOCKERFILE)
    for env in OVERLAYS:
        overlay = root / "k8s" / "overlays" / env
        overlay.mkdir(parents=True, exist_ok=True)
        (overlay / "kustomization.yaml").write_text(_overlay(env, groups))
        (overlay / "resources.yaml").write_text(_resources_patch(env, groups))
    (root / "docker-compose.yml").write_text(_compose(groups))
    provisioning = root / "grafana" / "provisioning"
    (provisioning / "datasources").mkdir(parents=True, exist_ok=True)
    (provisioning / "dashboards").mkdir(parents=True, exist_ok=True)
    (provisioning / "datasources" / "datasources.yaml").write_text(_DATASOURCES)
    (provisioning / "dashboards" / "dashboards.yaml").write_text(_DASHBOARDS)
    (root / ".git").mkdir(exist_ok=True)  # the project root marker
    return root


def yaml_files(root: Path) -> list[Path]:
    """Every YAML file of the repository (what the parse floor composes)."""
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


if __name__ == "__main__":
    write_repo(Path(sys.argv[1]), int(sys.argv[2]))
