"""Every rule k8slint runs, listed by hand and sorted by id: nothing registers itself."""

from __future__ import annotations

from k8slint.lint.rule import RuleModule
from k8slint.rules import (
    compose_advertised_listener,
    compose_image_mismatch,
    configmap_mount_path_mismatch,
    data_on_emptydir,
    duplicate_default_datasource,
    duplicate_key,
    empty_secret_value,
    file_skipped,
    ingress_missing_service,
    ingress_rewrite_strips_path,
    invalid_suppression,
    kustomize_missing_resource,
    kustomize_not_rendered,
    localhost_database_url,
    missing_configmap,
    missing_configmap_key,
    missing_crd,
    missing_image_pull_secret,
    missing_pvc,
    missing_secret,
    missing_secret_key,
    mutable_image_tag,
    plaintext_secret,
    probe_path_missing,
    probe_port_mismatch,
    required_env_missing,
    schema_invalid,
    service_port_mismatch,
    service_selector_mismatch,
    unschedulable_requests,
)

ALL: tuple[RuleModule, ...] = tuple(
    sorted(
        (
            compose_advertised_listener,
            compose_image_mismatch,
            configmap_mount_path_mismatch,
            data_on_emptydir,
            duplicate_default_datasource,
            duplicate_key,
            empty_secret_value,
            file_skipped,
            ingress_missing_service,
            ingress_rewrite_strips_path,
            invalid_suppression,
            kustomize_missing_resource,
            kustomize_not_rendered,
            localhost_database_url,
            missing_configmap,
            missing_configmap_key,
            missing_crd,
            missing_image_pull_secret,
            missing_pvc,
            missing_secret,
            missing_secret_key,
            mutable_image_tag,
            plaintext_secret,
            probe_path_missing,
            probe_port_mismatch,
            required_env_missing,
            schema_invalid,
            service_port_mismatch,
            service_selector_mismatch,
            unschedulable_requests,
        ),
        key=lambda m: m.RULE.id,
    )  # type: ignore[arg-type]
)


def by_id(rule_id: str) -> RuleModule | None:
    """The rule with this id or alias."""
    for module in ALL:
        if rule_id == module.RULE.id or rule_id in module.RULE.aliases:
            return module
    return None
