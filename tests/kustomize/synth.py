"""A synthetic repository of N app groups: a base per app and two overlays over all of them.

Shaped like the repository of ../shared/PERF-FACTS.md (1,000 app groups, base + 2 overlays),
where `kubectl kustomize` of one overlay takes 201 s and grows with the square of the groups.
"""

from __future__ import annotations

from pathlib import Path

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
      - name: app
        image: registry.example.com/app-{i}:1.0.0
        ports:
        - containerPort: 8080
        envFrom:
        - configMapRef:
            name: app-{i}-config
        env:
        - name: DB_PASSWORD
          valueFrom:
            secretKeyRef:
              name: app-{i}-secret
              key: password
        volumeMounts:
        - name: config
          mountPath: /etc/app
      volumes:
      - name: config
        configMap:
          name: app-{i}-config
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
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-{i}
"""

_BASE = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- deployment.yaml
- service.yaml
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


def write_repo(root: Path, groups: int) -> Path:
    """Write the repository under `root`; returns root. Overlays: staging, production."""
    base = root / "infra" / "k8s" / "base"
    for i in range(groups):
        app = base / f"app-{i}"
        app.mkdir(parents=True, exist_ok=True)
        (app / "deployment.yaml").write_text(_DEPLOYMENT.format(i=i))
        (app / "service.yaml").write_text(_SERVICE.format(i=i))
        (app / "kustomization.yaml").write_text(_BASE.format(i=i))
    for env, replicas in (("staging", 2), ("production", 3)):
        overlay = root / "infra" / "k8s" / "overlays" / env
        overlay.mkdir(parents=True, exist_ok=True)
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
        lines += ["replicas:"]
        lines += [f"- name: app-{i}\n  count: {replicas}" for i in range(0, groups, 3)]
        lines += ["configMapGenerator:"]
        lines += [
            f"- name: app-{i}-config\n  behavior: merge\n  literals:\n  - LOG_LEVEL=warn"
            for i in range(0, groups, 2)
        ]
        lines += ["patches:"]
        lines += [
            f"- target:\n    kind: Deployment\n    name: app-{i}\n  patch: |-\n"
            f"    - op: add\n      path: /spec/template/spec/containers/0/env/-\n"
            f"      value: {{name: ENV, value: {env}}}"
            for i in range(0, groups, 5)
        ]
        (overlay / "kustomization.yaml").write_text("\n".join(lines) + "\n")
    (root / ".git").mkdir(exist_ok=True)
    return root
