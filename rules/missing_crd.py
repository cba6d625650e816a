"""A custom resource whose CustomResourceDefinition nothing installs.

## What it finds
Objects whose apiVersion group is not built into Kubernetes (the groups of the bundled
Kubernetes schemas, any release) when no CustomResourceDefinition for that group and kind is in
the linted files and the config does not declare it installed. The finding names the operator
that usually provides the group (Prometheus Operator for monitoring.coreos.com, cert-manager,
Argo CD, Sealed Secrets, External Secrets, Traefik, Istio, Gateway API, Flux, KEDA, ...).

One finding per operator (per group when the operator is not known) and per area, on the first
such resource in file order, counting the others: the fix is one install or one config line,
not one per resource. An area is a kustomize build, or a top-level directory of the plain
manifests (a root holding several repositories warns each of them).

`crds.installed` in the config takes `group/Kind` or `group/version/Kind`
(`monitoring.coreos.com/ServiceMonitor`), a whole group (`monitoring.coreos.com`: a group has a
dot) or a bare Kind (`ServiceMonitor`: any group).
## Why it breaks
`kubectl apply` failed with `no matches for kind "ServiceMonitor" in version
"monitoring.coreos.com/v1"`: the cluster had no Prometheus Operator, and the rest of the apply
stopped with it.
## Silent when
A CRD for the group and kind is in the linted files (anywhere: CRDs are cluster-wide and often
kept apart), or a Gatekeeper ConstraintTemplate defines the constraint kind; the config lists it;
the same area installs the operator with a Helm chart (a Flux HelmRelease, an Argo CD
Application, a k3s HelmChart naming the operator's chart) or, for Istio, an IstioOperator
install file; the group is provided by the managed platform itself and has no CRD to install
(GKE's `*.gke.io`, `cloud.google.com`, `monitoring.googleapis.com`; AKS's
`azmonitoring.coreos.com`; EKS's `vpcresources.k8s.aws`; OpenShift's `*.openshift.io`; k3s's
`*.cattle.io`), and so is Gateway API on a GKE area (GKE installs its CRDs); files that are tool
configuration, not cluster objects (`skaffold/v4beta*`, istioctl's IstioOperator, kind and k3d
cluster configs, krew plugin manifests): a group without a dot can never be a CRD's.
## Example
```yaml
# file: k8s/monitor.yaml
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  endpoints:
    - port: metrics
```
## Use instead
```yaml
# file: .k8slint.yaml
crds:
  installed:
    - monitoring.coreos.com/ServiceMonitor
```
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass

from k8slint.lint import kubernetes
from k8slint.lint.findings import Finding, Severity
from k8slint.lint.model.k8s import K8sObject, child
from k8slint.lint.model.workspace import Workspace, top_dir
from k8slint.lint.rule import NoOptions, Rule
from k8slint.rules._schema import crd_index

RULE = Rule(id="missing-crd", severity=Severity.WARNING, doc=__doc__)
Options = NoOptions


@dataclass(frozen=True)
class Operator:
    name: str
    groups: tuple[str, ...]  # fnmatch patterns
    charts: tuple[str, ...] = ()  # Helm chart names that install it


OPERATORS: tuple[Operator, ...] = (
    Operator(
        "the Prometheus Operator",
        ("monitoring.coreos.com",),
        (
            "kube-prometheus-stack",
            "prometheus-operator",
            "prometheus-operator-crds",
        ),
    ),
    Operator("cert-manager", ("cert-manager.io", "acme.cert-manager.io"), ("cert-manager",)),
    Operator("an old cert-manager (certmanager.k8s.io, before 0.11)", ("certmanager.k8s.io",)),
    Operator(
        "Argo CD / Argo Rollouts / Argo Workflows",
        ("argoproj.io",),
        (
            "argo-cd",
            "argo-rollouts",
            "argo-workflows",
        ),
    ),
    Operator("Sealed Secrets", ("bitnami.com",), ("sealed-secrets",)),
    Operator(
        "External Secrets",
        ("external-secrets.io", "generators.external-secrets.io"),
        ("external-secrets",),
    ),
    Operator("Traefik", ("traefik.io", "traefik.containo.us"), ("traefik", "traefik-crds")),
    Operator("Istio", ("*.istio.io",), ("base", "istio-base", "istiod")),
    Operator("the Gateway API CRDs", ("gateway.networking.k8s.io",), ("gateway-api",)),
    Operator("Flux", ("*.toolkit.fluxcd.io", "*.extensions.fluxcd.io"), ("flux2",)),
    Operator("KEDA", ("keda.sh", "*.keda.sh"), ("keda", "keda-add-ons-http")),
    Operator("Strimzi", ("kafka.strimzi.io", "core.strimzi.io"), ("strimzi-kafka-operator",)),
    Operator("KubeRay", ("ray.io",), ("kuberay-operator",)),
    Operator("CloudNativePG", ("postgresql.cnpg.io",), ("cloudnative-pg",)),
    Operator("Kueue", ("kueue.x-k8s.io",), ("kueue",)),
    Operator("JobSet", ("jobset.x-k8s.io",), ("jobset",)),
    Operator("LeaderWorkerSet", ("leaderworkerset.x-k8s.io",), ("lws",)),
    Operator("Confluent for Kubernetes", ("platform.confluent.io",), ("confluent-for-kubernetes",)),
    Operator("Elastic Cloud on Kubernetes", ("*.k8s.elastic.co",), ("eck-operator",)),
    Operator("LitmusChaos", ("litmuschaos.io",), ("litmus", "litmus-core")),
    Operator("Gatekeeper", ("*.gatekeeper.sh",), ("gatekeeper",)),
    Operator("the Zalando Postgres Operator", ("acid.zalan.do",), ("postgres-operator",)),
    Operator("the Spotahome Redis Operator", ("databases.spotahome.com",), ("redis-operator",)),
    Operator("the Redis Enterprise Operator", ("app.redislabs.com",)),
    Operator("the Kubeflow training operator", ("kubeflow.org",), ("training-operator",)),
    Operator("Kiali", ("kiali.io",), ("kiali-operator",)),
    Operator("SPIRE", ("spire.spiffe.io",), ("spire", "spire-crds")),
    Operator("KAITO", ("kaito.sh",), ("kaito", "workspace")),
    Operator("the Gateway API Inference Extension", ("inference.networking.x-k8s.io",)),
    Operator("Agent Sandbox", ("*.agents.x-k8s.io",)),
)

PLATFORM_GROUPS = (
    "*.gke.io",  # GKE: networking.gke.io, auto.gke.io, ha.gke.io, monitoring.gke.io
    "cloud.google.com",  # GKE ComputeClass, BackendConfig
    "monitoring.googleapis.com",  # GKE managed Prometheus
    "azmonitoring.coreos.com",  # AKS managed Prometheus
    "vpcresources.k8s.aws",  # EKS VPC resource controller
    "crd.k8s.amazonaws.com",  # EKS VPC CNI
    "*.openshift.io",
    "*.cattle.io",  # k3s HelmChart, Addon
)
"""Groups the managed platform serves itself: nothing to install, the group names its platform."""

GKE_MARKERS = ("*.gke.io", "cloud.google.com", "monitoring.googleapis.com")
GKE_SHIPS = ("gateway.networking.k8s.io",)
"""GKE installs the Gateway API CRDs itself; an area written for GKE can rely on them."""

TOOL_CONFIG_GROUPS = (
    "install.istio.io",  # IstioOperator: istioctl's install file (the in-cluster operator is gone)
    "krew.googlecontainertools.github.com",  # krew plugin manifest
    "schema.plugin.fluxcd.io",  # flux's schema plugin config
    "kind.x-k8s.io",
    "k3d.io",
    "ctlptl.dev",
    "*.config.k8s.io",  # kubelet, kube-proxy, scheduler, kustomize configs
    "config.kubernetes.io",
    "kubeadm.k8s.io",
    "audit.k8s.io",
    "client.authentication.k8s.io",
    "eksctl.io",
)
"""apiVersions of files read by a tool, never applied to a cluster."""


def check(ws: Workspace, options: NoOptions) -> Iterator[Finding]:
    provided = _provided(ws)
    installed = tuple(ws.config.crds_installed)
    kustomize = ws.unit is not None and ws.unit.kustomize
    missing: dict[tuple[str, str], list[K8sObject]] = {}
    for obj in ws.objects:
        group = obj.group
        if not _custom(group) or (group, obj.kind) in provided:
            continue
        if _listed(installed, obj.api_version, group, obj.kind):
            continue
        area = "" if kustomize else top_dir(obj.path)
        missing.setdefault((area, _provider_key(group)), []).append(obj)
    evidence = _evidence(ws) if missing else {}
    for objects in missing.values():
        if _installed_in_area(evidence.get(top_dir(objects[0].path)), objects[0].group):
            continue
        yield _finding(sorted(objects, key=lambda o: o.loc))


def _custom(group: str) -> bool:
    """A group that only a CRD can serve: not built in, a DNS name, not a tool's config."""
    if "." not in group or kubernetes.is_builtin_group(group):
        return False
    return not _matches(group, TOOL_CONFIG_GROUPS) and not _matches(group, PLATFORM_GROUPS)


def _matches(group: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(group, pattern) for pattern in patterns)


def _operator(group: str) -> Operator | None:
    for operator in OPERATORS:
        if _matches(group, operator.groups):
            return operator
    return None


def _provider_key(group: str) -> str:
    operator = _operator(group)
    return operator.name if operator else group


def _provided(ws: Workspace) -> frozenset[tuple[str, str]]:
    """(group, kind) pairs defined by a CRD or a Gatekeeper ConstraintTemplate anywhere in the
    files (a cluster-wide install): computed once per run."""
    return ws.memo_shared("missing-crd.provided", lambda: _provided_in(ws))


def _provided_in(ws: Workspace) -> frozenset[tuple[str, str]]:
    found = set(crd_index(ws))
    for obj in ws.all_objects():
        if obj.kind == "ConstraintTemplate" and obj.api_version.startswith("templates.gatekeeper"):
            kind = child(obj.body, "spec", "crd", "spec", "names", "kind")
            if isinstance(kind, str):
                found.add(("constraints.gatekeeper.sh", kind))
    return frozenset(found)


def _listed(installed: tuple[str, ...], api_version: str, group: str, kind: str) -> bool:
    for entry in installed:
        if entry in (group, kind, f"{group}/{kind}", f"{api_version}/{kind}"):
            return True
    return False


@dataclass
class _Evidence:
    """What an area shows about its cluster: charts it installs, istioctl files, GKE objects."""

    charts: set[str]
    istio: bool = False
    gke: bool = False


_INSTALL_KINDS = frozenset({"HelmRelease", "Application", "HelmChart"})


def _evidence(ws: Workspace) -> dict[str, _Evidence]:
    """Per top-level directory of the whole workspace (see `top_dir`; the files at the root are
    one area): a repository installs its operators in one kustomize build
    (infrastructure/controllers) and uses them in another (configs). Computed once per run."""
    return ws.memo_shared("missing-crd.evidence", lambda: _evidence_in(ws))


def _evidence_in(ws: Workspace) -> dict[str, _Evidence]:
    found: dict[str, _Evidence] = {}
    for obj in ws.all_objects():
        group = obj.group
        if "." not in group:
            continue
        area = found.setdefault(top_dir(obj.path), _Evidence(set()))
        if obj.kind in _INSTALL_KINDS:
            chart = _chart(obj)
            if chart:
                area.charts.add(chart)
        area.istio = area.istio or group == "install.istio.io"
        area.gke = area.gke or _matches(group, GKE_MARKERS)
    return found


def _installed_in_area(evidence: _Evidence | None, group: str) -> bool:
    """Whether the area installs the provider itself, or targets a platform that ships it."""
    if evidence is None:
        return False
    operator = _operator(group)
    if operator and evidence.charts & set(operator.charts):
        return True
    if evidence.istio and _matches(group, ("*.istio.io",)):
        return True  # an istioctl install file: the area installs Istio
    return evidence.gke and _matches(group, GKE_SHIPS)


def _chart(obj: K8sObject) -> str | None:
    """The Helm chart an install object names (Flux HelmRelease, Argo CD Application, k3s)."""
    for path in (
        ("spec", "chart", "spec", "chart"),  # Flux HelmRelease
        ("spec", "chart"),  # k3s HelmChart
        ("spec", "source", "chart"),  # Argo CD Application
        ("spec", "chartRef", "name"),  # Flux HelmRelease with a chartRef (often the chart name)
    ):
        value = child(obj.body, *path)
        if isinstance(value, str):
            return value.rsplit("/", 1)[-1]
    return None


def _finding(objects: list[K8sObject]) -> Finding:
    first = objects[0]
    group = first.group
    operator = _operator(group)
    kinds = sorted({obj.kind for obj in objects})
    more = len(objects) - 1
    groups = {obj.group for obj in objects}
    label = group if len(groups) == 1 or operator is None else operator.name
    others = f", nor for {more} more {label} {'resource' if more == 1 else 'resources'} here"
    provider = f"install {operator.name}" if operator else "install the operator that serves it"
    listed = group if len(kinds) > 1 else f"{group}/{first.kind}"
    return RULE.finding(
        first.body.value_loc("apiVersion"),
        f"no CRD for {first.kind} ({first.api_version}) in the linted files{others if more else ''}"
        f"; {provider} first, or list {listed!r} under crds.installed in the config",
    )
