"""The rule registry: every rule, static and dynamic, in id order (like ruff's and hadolint's codes).

``all_rules()`` lists them, ``get("SW101")`` finds one (case-insensitive, by id or kebab name),
``static_rules()`` are the ones :func:`checker.static.analyze` runs, ``dynamic_rules()`` are implemented by
the engine and registered here for their ids, weights and docs.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

from checker.rules import (
    sw001_parse_error,
    sw002_undefined_stage,
    sw003_stage_cycle,
    sw004_forward_reference,
    sw005_unknown_target,
    sw006_duplicate_stage_name,
    sw007_run_without_shell,
    sw008_node_env_in_builder,
    sw009_npm_ci_without_lockfile,
    sw010_user_before_creation,
    sw050_image_builds,
    sw101_single_stage,
    sw102_toolchain_final_base,
    sw103_final_inherits_builder,
    sw104_build_in_final_stage,
    sw150_toolchain_in_final_image,
    sw201_context_copy_in_final,
    sw202_copy_from_root,
    sw203_copy_from_workdir,
    sw204_copy_build_dir,
    sw205_dev_node_modules,
    sw206_relative_copy_from,
    sw207_wildcard_jar,
    sw250_sources_in_final_image,
    sw251_expected_artifacts,
    sw301_dependencies_before_source,
    sw302_dockerignore,
    sw350_dependency_layer_reused,
    sw401_non_root_user,
    sw402_exec_form,
    sw403_healthcheck,
    sw404_pinned_base,
    sw405_user_exists,
    sw406_secrets_in_arg_env,
    sw450_runs_as_non_root,
    sw501_base_entrypoint,
    sw550_smoke_test,
    sw601_late_cleanup,
    sw650_size_budget,
    sw701_numeric_stage_ref,
    sw702_arg_scope,
)
from checker.rules.base import Kind, Rule

_MODULES: tuple[ModuleType, ...] = (
    sw001_parse_error,
    sw002_undefined_stage,
    sw003_stage_cycle,
    sw004_forward_reference,
    sw005_unknown_target,
    sw006_duplicate_stage_name,
    sw007_run_without_shell,
    sw008_node_env_in_builder,
    sw009_npm_ci_without_lockfile,
    sw010_user_before_creation,
    sw050_image_builds,
    sw101_single_stage,
    sw102_toolchain_final_base,
    sw103_final_inherits_builder,
    sw104_build_in_final_stage,
    sw150_toolchain_in_final_image,
    sw201_context_copy_in_final,
    sw202_copy_from_root,
    sw203_copy_from_workdir,
    sw204_copy_build_dir,
    sw205_dev_node_modules,
    sw206_relative_copy_from,
    sw207_wildcard_jar,
    sw250_sources_in_final_image,
    sw251_expected_artifacts,
    sw301_dependencies_before_source,
    sw302_dockerignore,
    sw350_dependency_layer_reused,
    sw401_non_root_user,
    sw402_exec_form,
    sw403_healthcheck,
    sw404_pinned_base,
    sw405_user_exists,
    sw406_secrets_in_arg_env,
    sw450_runs_as_non_root,
    sw501_base_entrypoint,
    sw550_smoke_test,
    sw601_late_cleanup,
    sw650_size_budget,
    sw701_numeric_stage_ref,
    sw702_arg_scope,
)


@cache
def _index() -> tuple[tuple[Rule, ...], dict[str, Rule]]:
    rules = tuple(sorted((m.RULE for m in _MODULES), key=lambda r: r.id))
    by_key: dict[str, Rule] = {}
    for r in rules:
        for key in (r.id.lower(), r.name):
            if key in by_key:
                raise ValueError(f"duplicate rule id or name: {key}")
            by_key[key] = r
    return rules, by_key


def all_rules() -> list[Rule]:
    return list(_index()[0])


def static_rules() -> list[Rule]:
    return [r for r in _index()[0] if r.kind is Kind.STATIC]


def dynamic_rules() -> list[Rule]:
    return [r for r in _index()[0] if r.kind is Kind.DYNAMIC]


def get(rule_id: str) -> Rule:
    """A rule by id (``SW101``) or name (``single-stage``); KeyError when unknown."""
    try:
        return _index()[1][rule_id.strip().lower()]
    except KeyError:
        raise KeyError(f"unknown rule: {rule_id}") from None


PARSE_RULE_ID = "SW001"
