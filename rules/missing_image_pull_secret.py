"""A pod pulls from a private registry without a usable image pull secret.

## What it finds
A container image from a private registry (ACR `*.azurecr.io`, ECR
`*.dkr.ecr.*.amazonaws.com`, Google Artifact Registry `*-docker.pkg.dev/<project>` and
Container Registry `gcr.io/<project>` images, `ghcr.io`, `registry.gitlab.com`, hosts listed in
config `registries.private`, and any other registry host that is not a well-known public one)
when neither the pod spec nor its ServiceAccount (`default` unless set) lists
`imagePullSecrets`. Also a listed pull secret that the manifests define with a type other than
`kubernetes.io/dockerconfigjson` or `kubernetes.io/dockercfg` (error; the kubelet ignores it),
and one defined nowhere in the linted set (warning) when the set does define Secrets.
## Why it breaks
`Failed to pull image "ktech4.azurecr.io/...": 401 Unauthorized`, and on another cluster
ImagePullBackOff from ghcr.io: the pod had no imagePullSecrets, and the kubelet pulled
anonymously.
## Silent when
Public images: Docker Hub, quay.io, registry.k8s.io, public.ecr.aws, mcr.microsoft.com and the
public projects of other registries (`PUBLIC_REGISTRIES`: Google sample and release projects,
open-source organisations on ghcr.io...); a pull secret on the pod or on its ServiceAccount;
a ServiceAccount named by the pod that the linted set does not define (its secrets are not
visible); registries declared in config `registries.node-auth` (EKS nodes pulling from ECR
with their node role, AKS with an attached ACR); images that are templates or placeholders
(`${REGISTRY}/app`, `REGION-docker.pkg.dev/PROJECT_ID/...`, `registry.example.com`); an undefined
pull secret when the set defines no Secrets at all (they are made out of band) or config
`secrets.external` is set; a pull secret produced by a SealedSecret or an ExternalSecret.
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
          image: ktech4.azurecr.io/shop/api:1.4.2
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
      imagePullSecrets:
        - name: acr-pull
      containers:
        - name: api
          image: ktech4.azurecr.io/shop/api:1.4.2
# file: k8s/acr-pull.yaml
apiVersion: v1
kind: Secret
metadata:
  name: acr-pull
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: eyJhdXRocyI6e319
```
## Fix safety
Safe: offered only when the pod's namespace holds exactly one pull secret
(`kubernetes.io/dockerconfigjson` or `dockercfg`) among the plain manifests, and then the fix
adds `imagePullSecrets` naming it to the pod spec, above `containers:`. A kustomize build gets
no fix: the pod spec may sit in a base that other overlays share.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from k8slint.lint.findings import Finding, Fix, Related, Severity
from k8slint.lint.locate import Edit, Loc, Located
from k8slint.lint.model.images import DOCKER_HUB_HOSTS, ImageRef
from k8slint.lint.model.k8s import K8sObject, PodSpec, list_names, located_str, sequence
from k8slint.lint.model.workspace import Workspace
from k8slint.lint.rule import Rule
from k8slint.rules._refs import kept_with, providers

RULE = Rule(id="missing-image-pull-secret", severity=Severity.ERROR, doc=__doc__, fix="safe")

PULL_SECRET_TYPES = frozenset({"kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"})

PUBLIC_HOSTS = frozenset(
    {
        *DOCKER_HUB_HOSTS,
        "quay.io",
        "registry.k8s.io",
        "k8s.gcr.io",  # frozen predecessor of registry.k8s.io
        "public.ecr.aws",
        "mcr.microsoft.com",
        "mirror.gcr.io",
        "registry.istio.io",
        "docker.elastic.co",
        "registry.access.redhat.com",
        "cr.l5d.io",
        "cr.fluentbit.io",
        "cgr.dev",
        "lscr.io",
        "gke.gcr.io",
        "registry.opensource.zalan.do",
        "docker.redpanda.com",
        "reg.kyverno.io",
        "oci.external-secrets.io",
    }
)
"""Registry hosts that serve every image anonymously."""

PUBLIC_HOST_PATTERNS = ("*.docker.scarf.sh",)
"""Globs of public registry hosts (Scarf fronts Docker Hub for open-source projects)."""

PUBLIC_PREFIXES = (
    # Google projects that publish public images on gcr.io / Artifact Registry
    "gcr.io/google-samples/",
    "gcr.io/google_samples/",
    "gcr.io/google-containers/",
    "gcr.io/google_containers/",
    "gcr.io/kubernetes-e2e-test-images/",
    "gcr.io/k8s-staging-*/",
    "gcr.io/gke-release/",
    "gcr.io/cloudsql-docker/",
    "gcr.io/google.com/cloudsdktool/",
    "gcr.io/cadvisor/",
    "gcr.io/distroless/",
    "gcr.io/kaniko-project/",
    "gcr.io/k8s-skaffold/",
    "gcr.io/istio-release/",
    "gcr.io/knative-releases/",
    "gcr.io/tekton-releases/",
    "gcr.io/cloud-builders/",
    "gcr.io/ml-pipeline/",
    "gcr.io/kubeflow-images-public/",
    "gcr.io/stackdriver-agents/",
    "gcr.io/cloud-marketplace/",
    "gcr.io/gke-gcsfuse-sidecar/",
    "gcr.io/spiffe-io/",
    "*.gcr.io/cloud-sql-connectors/",
    "*-docker.pkg.dev/google-samples/",
    "*-docker.pkg.dev/deeplearning-platform-release/",
    "*-docker.pkg.dev/cloud-tpu-images/",
    "*-docker.pkg.dev/cloud-tpu-v2-images/",
    "*-docker.pkg.dev/vertex-ai/",
    "*-docker.pkg.dev/vertex-ai-restricted/",
    "*-docker.pkg.dev/gce-ai-infra/",
    "*-docker.pkg.dev/online-boutique-ci/",
    "*-docker.pkg.dev/k8s-staging-images/",
    "*-docker.pkg.dev/k8s-artifacts-prod/",
    "*-docker.pkg.dev/cloudrun/",
    "*-docker.pkg.dev/cloud-sql-connectors/",
    "*-docker.pkg.dev/gke-release/",
    "*-docker.pkg.dev/kubeflow-images-public/",
    # NVIDIA NGC: the nvidia/ catalogue is anonymous; nim/ and nvaie/ need an NGC key
    "nvcr.io/nvidia/",
    # open-source organisations that publish public packages on ghcr.io
    "ghcr.io/azure-samples/",
    "ghcr.io/grafana/",
    "ghcr.io/fluxcd/",
    "ghcr.io/spiffe/",
    "ghcr.io/prometheus-operator/",
    "ghcr.io/prometheus-community/",
    "ghcr.io/open-telemetry/",
    "ghcr.io/external-secrets/",
    "ghcr.io/kedacore/",
    "ghcr.io/cloudnative-pg/",
    "ghcr.io/aquasecurity/",
    "ghcr.io/stefanprodan/",
    "ghcr.io/dexidp/",
    "ghcr.io/kyverno/",
    "ghcr.io/documentdb/",
    "ghcr.io/actions/",
    "ghcr.io/k8snetworkplumbingwg/",
    "ghcr.io/kube-vip/",
    "ghcr.io/siderolabs/",
    "ghcr.io/linuxserver/",
    "ghcr.io/home-assistant/",
    "ghcr.io/jaegertracing/",
    "ghcr.io/kubereboot/",
    "ghcr.io/cert-manager/",
    "ghcr.io/projectcontour/",
    "ghcr.io/kubernetes-sigs/",
    "ghcr.io/istio/",
    "ghcr.io/llm-d/",
    "ghcr.io/huggingface/",
    "ghcr.io/ggerganov/",
    "ghcr.io/ggml-org/",
    "ghcr.io/mccutchen/",
    "ghcr.io/stakater/",
    "ghcr.io/gethomepage/",
    "ghcr.io/zalando/",
    "ghcr.io/jimmidyson/",
    "ghcr.io/kiwigrid/",
    "ghcr.io/oauth2-proxy/",
    "ghcr.io/nginx/",
    "ghcr.io/opencost/",
    "ghcr.io/kube-logging/",
    "ghcr.io/chaos-mesh/",
    "ghcr.io/headlamp-k8s/",
    "ghcr.io/loft-sh/",
    "ghcr.io/open-feature/",
    "ghcr.io/open-webui/",
    "ghcr.io/berriai/",
    "ghcr.io/immich-app/",
    "ghcr.io/goauthentik/",
    "ghcr.io/paperless-ngx/",
    "ghcr.io/coder/",
    "ghcr.io/kserve/",
    "ghcr.io/vllm-project/",
    "ghcr.io/mlflow/",
    "ghcr.io/kubeflow/",
    "ghcr.io/argoproj/",
    "ghcr.io/tektoncd/",
    "ghcr.io/fluent/",
    "ghcr.io/kubernetes/",
    "ghcr.io/k3d-io/",
    "ghcr.io/metallb/",
    "ghcr.io/cloudflare/",
    "ghcr.io/thanos-io/",
    "ghcr.io/grafana-operator/",
    "ghcr.io/victoriametrics/",
    "ghcr.io/litmuschaos/",
)
"""Host/path prefixes (globs) of public projects on registries that are private by default."""

PRIVATE_HOST_PATTERNS = (
    ("*.azurecr.io", "Azure Container Registry"),
    ("*.dkr.ecr.*.amazonaws.com", "Amazon ECR"),
    ("*.dkr.ecr.*.amazonaws.com.cn", "Amazon ECR"),
    ("*-docker.pkg.dev", "Google Artifact Registry"),
    ("docker.pkg.dev", "Google Artifact Registry"),
    ("gcr.io", "Google Container Registry"),
    ("*.gcr.io", "Google Container Registry"),
    ("ghcr.io", "GitHub Container Registry"),
    ("registry.gitlab.com", "GitLab Container Registry"),
    ("*.ocir.io", "Oracle Cloud Registry"),
    ("nvcr.io", "NVIDIA NGC"),
    ("registry.redhat.io", "Red Hat registry"),
)
"""Registries whose images are private unless a public prefix above says otherwise."""

PLACEHOLDER = re.compile(r"[$<>{}]|[A-Z]|\.\.\.")
"""An image reference that a reader fills in: `${REGISTRY}/app`, `<acr>.azurecr.io`,
`REGION-docker.pkg.dev/PROJECT_ID/...` (references are lower-case: capitals mark placeholders)."""

PLACEHOLDER_HOST = re.compile(
    r"(?:(?:my|your)[a-z0-9-]*|registry|example)\.(?:io|com|org|net|azurecr\.io)(?::\d+)?"
    r"|(?:my|your)[a-z0-9-]*\.azurecr\.io|.*\.example(?:\.(?:com|org|net))?(?::\d+)?"
    r"|.*\.(?:local|localdomain|internal|test|invalid)(?::\d+)?"
)
"""Registry hosts of documentation (`my-registry.io`, `myacr.azurecr.io`,
`registry.example.com`) and of private networks the reader replaces."""

PLACEHOLDER_OWNER = re.compile(
    r"(?:(?:my|your)[-_]?(?:gcp-|gke-|cloud-)?(?:project|org|organi[sz]ation|registry|repo|"
    r"repository|company|team|account|namespace|user)s?(?:[-_]?id)?|project[-_]?id|example)(?:/|$)"
)
"""First path segments of documentation images: `gcr.io/my-project/app`, `ghcr.io/your-org/app`."""

_VALID_PATH = re.compile(
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
)
"""A repository path as the Docker reference grammar allows it."""


@dataclass(frozen=True)
class Options:
    public_registries: tuple[str, ...] = field(
        default=(),
        metadata={
            "doc": "Registry hosts, host/path prefixes or globs whose images are public, on top"
            " of the built-in list (e.g. `registry.acme.io/oss`)."
        },
    )


def check(ws: Workspace, options: Options) -> Iterator[Finding]:
    for obj, pod in ws.workloads():
        pod_secrets = pod.image_pull_secrets()
        account = _service_account(ws, obj, pod)
        account_secrets = _account_pull_secrets(account) if account is not None else []
        if pod_secrets or account_secrets:
            # pull secrets hold registry credentials and are most often made by `kubectl
            # create secret docker-registry`: a missing one is evidence of a fault only where
            # the team keeps its Secrets with the manifests
            secrets_visible = not ws.config.secrets_external and kept_with(ws, obj, "Secret")
            for name in pod_secrets + account_secrets:
                yield from _judge_secret(ws, obj, name, secrets_visible)
        if pod_secrets or account_secrets:
            continue
        if account is None and pod.service_account_name != "default":
            continue  # a ServiceAccount made elsewhere may carry the pull secret
        fix = _add_pull_secret(ws, obj, pod)
        for container in pod.containers:
            image, ref = container.image, container.image_ref
            if image is None or ref is None:
                continue
            registry = _private_registry(ref, ws, options)
            if registry is None:
                continue
            related = ()
            if account is not None:
                related = (
                    Related(
                        account.name_loc,
                        f"ServiceAccount {account.name!r} lists no imagePullSecrets",
                    ),
                )
            yield RULE.finding(
                image.loc,
                f"image {image.value!r} comes from {registry} but neither the pod nor its"
                f" ServiceAccount {pod.service_account_name!r} lists imagePullSecrets; add"
                f" imagePullSecrets naming a kubernetes.io/dockerconfigjson Secret for"
                f" {ref.registry or 'docker.io'}{_node_auth_hint(registry)}",
                related=related,
                fix=fix,
            )


def _add_pull_secret(ws: Workspace, obj: K8sObject, pod: PodSpec) -> Fix | None:
    """Insert `imagePullSecrets` naming the namespace's only pull secret above `containers:`,
    indented like the pod spec's keys and its container list."""
    secrets = _pull_secrets_in(ws, obj)
    key = pod.body.key_locs.get("containers")
    if len(secrets) != 1 or key is None or key.path != obj.path:
        return None
    if ws.unit is None or ws.unit.kustomize:
        return None
    text = ws.project.read_text(key.path) or ""
    line = ws.line_text(key.path, key.line) or ""
    if line[: key.col - 1].strip():
        return None  # a flow mapping (`spec: {containers: [...]}`): no line to insert above
    indent = " " * (key.col - 1)
    containers = sequence(pod.body, "containers")
    first = containers.item_loc(0) if containers else key
    item_line = ws.line_text(first.path, first.line) or ""
    before = item_line[: first.col - 1].rstrip()
    dash = len(before) - 1 if before.endswith("-") and not before[:-1].strip() else len(indent) + 2
    newline = "\r\n" if "\r\n" in text else "\n"
    insert = f"{indent}imagePullSecrets:{newline}{' ' * dash}- name: {secrets[0].name}{newline}"
    return Fix.safe_fix(
        f"add imagePullSecrets: [{secrets[0].name}]",
        Edit(Loc.point(key.path, key.line), insert),
    )


def _node_auth_hint(registry: str) -> str:
    """Cloud registries that nodes often reach with their own identity get the config way out."""
    if registry.startswith(_NODE_AUTH_CAPABLE):
        return ", or list it under registries.node-auth if the nodes pull with their own identity"
    return ""


_NODE_AUTH_CAPABLE = ("Amazon ECR", "Azure Container Registry", "Google ")


def _private_registry(ref: ImageRef, ws: Workspace, options: Options) -> str | None:
    """What private registry the image comes from ("Azure Container Registry ktech4.azurecr.io"),
    or None when it is public, node-authenticated, local or a placeholder."""
    image = ref.full
    host = image.split("/", 1)[0]
    if PLACEHOLDER.search(image) or PLACEHOLDER_HOST.fullmatch(host) or ref.local_registry:
        return None
    if PLACEHOLDER_OWNER.match(ref.repository):
        return None
    if not _VALID_PATH.fullmatch(ref.repository):
        return None  # a malformed reference fails as InvalidImageName before any pull
    if _matches(image, host, ws.config.node_auth_registries):
        return None
    if _matches(image, host, ws.config.private_registries):
        return f"private registry {host} (config registries.private)"
    if _matches(image, host, options.public_registries) or _is_public(image, host):
        return None
    for pattern, label in PRIVATE_HOST_PATTERNS:
        if fnmatch.fnmatchcase(host, pattern):
            return f"{label} {host}"
    return f"registry {host}, which is not a known public registry"


def _is_public(image: str, host: str) -> bool:
    if host in PUBLIC_HOSTS or any(fnmatch.fnmatchcase(host, p) for p in PUBLIC_HOST_PATTERNS):
        return True
    return any(fnmatch.fnmatchcase(image, prefix + "*") for prefix in PUBLIC_PREFIXES)


def _matches(image: str, host: str, patterns: tuple[str, ...]) -> bool:
    """A config entry: a host, a host/path prefix, or a glob of either."""
    for pattern in patterns:
        pattern = pattern.strip().rstrip("/").lower()
        if not pattern:
            continue
        if fnmatch.fnmatchcase(host, pattern) or fnmatch.fnmatchcase(image, pattern):
            return True
        if fnmatch.fnmatchcase(image, pattern + "/*"):
            return True
    return False


def _service_account(ws: Workspace, obj: K8sObject, pod: PodSpec) -> K8sObject | None:
    return ws.find("ServiceAccount", pod.service_account_name, obj.namespace)


def _account_pull_secrets(account: K8sObject) -> list[Located[str]]:
    return [name for name in list_names(sequence(account.body, "imagePullSecrets")) if name.value]


def _judge_secret(
    ws: Workspace, obj: K8sObject, name: Located[str], secrets_visible: bool
) -> Iterator[Finding]:
    secret = ws.find("Secret", name.value, obj.namespace)
    if secret is not None:
        kind = located_str(secret.body, "type")
        if kind is None or kind.value not in PULL_SECRET_TYPES:
            shown = kind.value if kind is not None else "Opaque (no type)"
            yield RULE.finding(
                name.loc,
                f"pull secret {name.value!r} has type {shown}, which the kubelet does not use"
                f" for pulls; make it type kubernetes.io/dockerconfigjson with a"
                f" .dockerconfigjson key",
                related=(
                    Related(
                        kind.loc if kind is not None else secret.name_loc, f"Secret {name.value!r}"
                    ),
                ),
            )
        return
    if not secrets_visible or _produced_elsewhere(ws, name.value):
        return
    nearby = _pull_secrets_in(ws, obj)
    hint = f" (the manifests define {nearby[0].name!r})" if len(nearby) == 1 else ""
    yield RULE.finding(
        name.loc,
        f"pull secret {name.value!r} is defined nowhere in the manifests{hint}; add a"
        f" kubernetes.io/dockerconfigjson Secret {name.value!r} (or the SealedSecret or"
        f" ExternalSecret that makes it), or fix the name",
        severity=Severity.WARNING,
        related=tuple(Related(s.name_loc, f"pull secret {s.name!r}") for s in nearby[:1]),
    )


def _pull_secrets_in(ws: Workspace, obj: K8sObject) -> list[K8sObject]:
    """Pull secrets of the unit in the workload's namespace: the likely intended one."""
    by_namespace = ws.memo("pull secrets by namespace", lambda: _pull_secrets(ws))
    return list(by_namespace.get(obj.effective_namespace, ()))


def _pull_secrets(ws: Workspace) -> dict[str, list[K8sObject]]:
    found: dict[str, list[K8sObject]] = {}
    for secret in ws.of_kind("Secret"):
        if secret.body.get("type") in PULL_SECRET_TYPES:
            found.setdefault(secret.effective_namespace, []).append(secret)
    return found


def _produced_elsewhere(ws: Workspace, name: str) -> bool:
    """A Secret of that name made in any unit: itself, or by the controller of a SealedSecret,
    an ExternalSecret or a ClusterExternalSecret (see `_refs.providers`)."""
    return any(providers(ws.for_unit(unit), "Secret").named(name) for unit in ws.units)
