"""The one rule table: every cross-file rule, with the parts of the data it reads.

``run_rules`` runs every rule whose parts loaded (a rule cannot tell "unknown label" from "the file
listing labels is broken", so it waits for that file) and collects every problem. A rule can be
skipped by name (``cfinfra validate --skip``, tests that isolate one rule); an unknown name is an
error, so a renamed rule cannot silently stay skipped.
"""

from __future__ import annotations

from collections.abc import Iterable

from infra.config.access_rules import (
    validate_no_team_nested_under_sensitive_access,
    validate_repository_team_grants,
)
from infra.config.aws_rules import (
    validate_cirun_key_rotated,
    validate_gpu_pool_agrees,
    validate_gpu_pool_declared,
)
from infra.config.environment_rules import (
    validate_ci_credentials_in_environments,
    validate_environment_names_unique_per_repository,
    validate_environments,
    validate_oidc_environments,
)
from infra.config.heroku_rules import validate_heroku_vars_set_once
from infra.config.identity_rules import (
    validate_core_team_not_empty,
    validate_project_id_serves_one_project,
    validate_project_ids_from_distinct_items,
    validate_repository_names_unique_ignoring_case,
    validate_repository_references_spelled_as_declared,
    validate_secret_id_names_its_item,
)
from infra.config.people_rules import (
    validate_core_are_owners,
    validate_core_or_emeritus,
    validate_enough_owners,
    validate_owner_or_member,
    validate_owners_maintain_their_teams,
    validate_parent_teams,
    validate_review_team,
    validate_team_files,
    validate_team_members_are_org_members,
    validate_unique_rows,
)
from infra.config.provider_rules import (
    validate_openstack_credentials,
    validate_provider_credential_kinds,
    validate_provider_credentials,
    validate_provider_credentials_stay_with_their_provider,
    validate_read_only_runs_hold_read_only_credentials,
)
from infra.config.rule_inputs import Data, Part, Rule
from infra.config.runner_rules import (
    validate_access_not_empty,
    validate_aws_gpu_pool,
    validate_aws_instance_types,
    validate_cirun_labels,
    validate_cirun_repository_declared,
    validate_feedstock_names,
    validate_flavors_fit_host,
    validate_gpu_assignable_within_count,
    validate_gpu_flavors_have_pci_alias,
    validate_gpu_labels_reach_gpus,
    validate_gpu_runners_say_gpu,
    validate_grant_resources,
    validate_host_ids,
    validate_host_kind_settings,
    validate_large_runner_grants,
    validate_resource_placement,
    validate_runner_grant_logins,
    validate_unique_flavors,
    validate_unique_labels,
    validate_unique_policy_ids,
    validate_unique_providers,
)
from infra.config.secret_rules import (
    validate_anaconda_owner_is_channel,
    validate_app_bypass_repositories,
    validate_azure,
    validate_clearance_within_sensitivity,
    validate_direct_pushers_can_bypass,
    validate_leak_guard,
    validate_no_orphan_secrets,
    validate_rotation_issuers,
    validate_targets_exist,
    validate_unique_onepassword_reference,
    validate_unique_selected_repositories,
    validate_unique_targets,
    validate_webhooks,
)
from infra.errors import ConfigError, Problem

SECRETS, STACK, PEOPLE, RUNNERS = Part.SECRETS, Part.STACK, Part.PEOPLE, Part.RUNNERS

RULES: tuple[Rule, ...] = (
    # the secrets manifest alone
    Rule(validate_unique_onepassword_reference, SECRETS),
    Rule(validate_clearance_within_sensitivity, SECRETS),
    Rule(validate_unique_targets, SECRETS),
    Rule(validate_unique_selected_repositories, SECRETS),
    Rule(validate_no_orphan_secrets, SECRETS),
    Rule(validate_secret_id_names_its_item, SECRETS),
    Rule(validate_project_id_serves_one_project, SECRETS),
    Rule(validate_project_ids_from_distinct_items, SECRETS),
    Rule(validate_rotation_issuers, SECRETS),
    Rule(validate_anaconda_owner_is_channel, SECRETS),
    # the manifest against the stack
    Rule(validate_targets_exist, SECRETS, STACK),
    Rule(validate_repository_names_unique_ignoring_case, STACK),
    Rule(validate_repository_references_spelled_as_declared, SECRETS, STACK),
    Rule(validate_leak_guard, SECRETS, STACK),
    Rule(validate_webhooks, SECRETS, STACK),
    Rule(validate_app_bypass_repositories, STACK),
    Rule(validate_direct_pushers_can_bypass, STACK, PEOPLE),
    Rule(validate_azure, SECRETS, STACK),
    Rule(validate_cirun_key_rotated, SECRETS, STACK),
    Rule(validate_heroku_vars_set_once, SECRETS, STACK),
    Rule(validate_environments, STACK),
    Rule(validate_environment_names_unique_per_repository, STACK),
    Rule(validate_ci_credentials_in_environments, SECRETS),
    Rule(validate_oidc_environments, STACK),
    Rule(validate_provider_credentials, SECRETS, STACK),
    Rule(validate_provider_credential_kinds, SECRETS),
    Rule(validate_provider_credentials_stay_with_their_provider, SECRETS),
    Rule(validate_read_only_runs_hold_read_only_credentials, SECRETS, STACK),
    Rule(validate_openstack_credentials, SECRETS, STACK, RUNNERS),
    # people and teams
    Rule(validate_unique_rows, PEOPLE),
    Rule(validate_owner_or_member, PEOPLE),
    Rule(validate_enough_owners, PEOPLE),
    Rule(validate_team_files, PEOPLE),
    Rule(validate_team_members_are_org_members, PEOPLE),
    Rule(validate_core_or_emeritus, PEOPLE),
    Rule(validate_core_are_owners, PEOPLE),
    Rule(validate_core_team_not_empty, PEOPLE),
    Rule(validate_owners_maintain_their_teams, PEOPLE),
    Rule(validate_parent_teams, PEOPLE),
    Rule(validate_review_team, PEOPLE, STACK),
    Rule(validate_no_team_nested_under_sensitive_access, PEOPLE, STACK),
    Rule(validate_repository_team_grants, PEOPLE, STACK),
    # runners
    Rule(validate_host_ids, RUNNERS),
    Rule(validate_host_kind_settings, RUNNERS),
    Rule(validate_gpu_assignable_within_count, RUNNERS),
    Rule(validate_unique_flavors, RUNNERS),
    Rule(validate_flavors_fit_host, RUNNERS),
    Rule(validate_gpu_flavors_have_pci_alias, RUNNERS),
    Rule(validate_unique_labels, RUNNERS),
    Rule(validate_cirun_labels, RUNNERS),
    Rule(validate_resource_placement, RUNNERS),
    Rule(validate_gpu_labels_reach_gpus, RUNNERS),
    Rule(validate_gpu_runners_say_gpu, RUNNERS),
    Rule(validate_aws_instance_types, RUNNERS),
    Rule(validate_feedstock_names, RUNNERS),
    Rule(validate_grant_resources, RUNNERS),
    Rule(validate_unique_policy_ids, RUNNERS),
    Rule(validate_large_runner_grants, RUNNERS),
    Rule(validate_access_not_empty, RUNNERS),
    Rule(validate_unique_providers, RUNNERS),
    Rule(validate_aws_gpu_pool, RUNNERS),
    Rule(validate_runner_grant_logins, PEOPLE, RUNNERS),
    Rule(validate_cirun_repository_declared, STACK),
    Rule(validate_gpu_pool_declared, STACK),
    Rule(validate_gpu_pool_agrees, STACK, RUNNERS),
)

RULE_NAMES: frozenset[str] = frozenset(rule.name for rule in RULES)


def check_skip(skip: Iterable[str]) -> None:
    """Refuse to skip a rule that does not exist (a typo would silently skip nothing)."""
    unknown = sorted(set(skip) - RULE_NAMES)
    if unknown:
        raise ConfigError([Problem("--skip", name, "no rule of that name") for name in unknown])


def run_rules(data: Data, skip: Iterable[str] = ()) -> list[Problem]:
    """Every problem found by every rule whose parts loaded, except the skipped ones."""
    skipped = frozenset(skip)
    check_skip(skipped)
    present = data.parts
    found = [
        (rule.name, problem)
        for rule in RULES
        if rule.needs <= present and rule.name not in skipped
        for problem in rule.check(data)
    ]
    return _one_cause_once(found)


def _target_of(path: str) -> str:
    """``targets[2].repositories[0]`` → ``targets[2]``."""
    return path.split(".", 1)[0]


def _one_cause_once(found: list[tuple[str, Problem]]) -> list[Problem]:
    """Drop a leak-guard problem whose only cause is a reference ``validate_targets_exist``
    already reports: an undeclared repository counts as public (fail closed), so its target would
    also read as a false LEAK. When that rule is skipped, the LEAK stays: still closed."""
    unknown = {
        (p.file, _target_of(p.path)) for name, p in found if name == "validate_targets_exist"
    }
    return [
        p
        for name, p in found
        if not (name == "validate_leak_guard" and (p.file, _target_of(p.path)) in unknown)
    ]
