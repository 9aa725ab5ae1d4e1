"""Bad configuration is refused before anything is declared: every problem, with file and path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from infra.config.loader import load_project
from infra.errors import ConfigError
from tests.foundation.inventory import ORG_SECRETS


def edit_yaml(path: Path, fn) -> None:
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_project(root, "prod")
    return [str(p) for p in info.value.problems]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.cli", *args], capture_output=True, text=True, check=False
    )


def test_the_real_prod_stack_is_valid():
    from tests.conftest import REPO_ROOT

    project = load_project(REPO_ROOT, "prod")
    org_secrets = {
        t.name for e in project.secrets for t in e.secret.targets if t.kind == "github-org-secret"
    }
    assert org_secrets == set(ORG_SECRETS)


def test_wrong_keys_and_types_exit_2_listing_every_error_without_traceback(project_copy):
    stack = project_copy / "Pulumi.prod.yaml"

    def break_it(d):
        gh = d["config"]["cfinfra:github"]
        gh["orgg"] = gh.pop("org")  # unknown key + missing key
        d["config"]["cfinfra:azure"]["variable_groups"][0]["allow_access"] = "yes"  # strict bool
        d["config"]["github:token"] = "oops"  # provider config is not stack config

    edit_yaml(stack, break_it)
    github = project_copy / "data/github"
    edit_yaml(github / "repositories/staged-recipes.yaml", lambda d: d.update(audience=3))
    edit_yaml(github / "webhooks/autotickbot.yaml", lambda d: d.update(events="push"))
    result = run_cli("validate", "--root", str(project_copy))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"{len(lines) - 1} validation errors found"
    for expected in (
        "Pulumi.prod.yaml: config.cfinfra:github.orgg: Extra inputs are not permitted",
        "Pulumi.prod.yaml: config.cfinfra:github.org: Field required",
        "data/github/repositories/staged-recipes.yaml: audience:",
        "data/github/webhooks/autotickbot.yaml: events: Input should be a valid list",
        "Pulumi.prod.yaml: config.cfinfra:azure.variable_groups[0].allow_access: "
        "Input should be a valid boolean",
        "Pulumi.prod.yaml: config.github:token: Extra inputs are not permitted",
    ):
        assert any(line.startswith(expected) for line in lines), (expected, lines)


def test_manifest_and_stack_problems_are_reported_together(project_copy):
    (project_copy / "secrets" / "heroku-email.yaml").write_text("description: [unclosed\n")
    edit_yaml(project_copy / "secrets" / "cirun-api-key.yaml", lambda d: d.pop("owner"))
    edit_yaml(
        project_copy / "Pulumi.prod.yaml", lambda d: d["config"]["cfinfra:heroku"].update(extra=1)
    )
    found = problems_of(project_copy)
    assert any(
        p.startswith("secrets/heroku-email.yaml: line ") and "invalid YAML" in p for p in found
    )
    assert "secrets/cirun-api-key.yaml: owner: Field required" in found
    assert "Pulumi.prod.yaml: config.cfinfra:heroku.extra: Extra inputs are not permitted" in found


def test_the_2025_incident_is_refused_naming_secret_target_and_why(project_copy):
    """The production upload token in feedstock-builds' anaconda-org group (CVE-2025-31484)."""

    def put_prod_token_in_feedstock_builds(d):
        d["targets"].append(
            {
                "kind": "azure-variable",
                "project": "feedstock-builds",
                "group": "anaconda-org",
                "variable": "PROD_TOKEN",
            }
        )

    edit_yaml(
        project_copy / "secrets" / "prod-binstar-token.yaml", put_prod_token_in_feedstock_builds
    )
    result = run_cli("validate", "--root", str(project_copy))
    assert result.returncode == 3, "a leak exits 3 (README: secrets unresolved or leaking)"
    assert (
        "secrets/prod-binstar-token.yaml: targets[3]: "
        "LEAK: secret `prod-binstar-token` is cleared for `core` "
        "but Azure variable feedstock-builds/anaconda-org/PROD_TOKEN reaches `feedstocks`"
    ) in result.stderr


def test_the_incident_exactly_as_it_happened_is_refused(project_copy):
    """Swap the staging token for the production one as BINSTAR_TOKEN in feedstock-builds."""
    edit_yaml(
        project_copy / "secrets" / "staging-binstar-token.yaml",
        lambda d: d["targets"].pop(1),  # feedstock-builds BINSTAR_TOKEN
    )
    edit_yaml(
        project_copy / "secrets" / "prod-binstar-token.yaml",
        lambda d: d["targets"].append(
            {
                "kind": "azure-variable",
                "project": "feedstock-builds",
                "group": "anaconda-org",
                "variable": "BINSTAR_TOKEN",
            }
        ),
    )
    found = problems_of(project_copy)
    assert len(found) == 1, found
    assert "LEAK: secret `prod-binstar-token`" in found[0], found


def test_production_token_in_cdt_builds_stays_allowed(project_copy):
    project = load_project(project_copy, "prod")
    prod = next(e for e in project.secrets if e.id == "prod-binstar-token")
    assert any(getattr(t, "project", None) == "cdt-builds" for t in prod.secret.targets)


def test_widening_an_org_secret_to_all_repositories_is_refused(project_copy):
    def widen(d):
        d["targets"][0] = {
            "kind": "github-org-secret",
            "name": "PROD_BINSTAR_TOKEN",
            "visibility": "all",
        }

    edit_yaml(project_copy / "secrets" / "prod-binstar-token.yaml", widen)
    (problem,) = problems_of(project_copy)
    assert (
        "visibility `all` lets every repository in the org read it, every feedstock included"
        in problem
    )


def test_unknown_repository_duplicate_target_and_duplicate_reference_are_refused(project_copy):
    edit_yaml(
        project_copy / "secrets" / "cirun-api-key.yaml",
        lambda d: d["targets"][0]["repositories"].append("not-a-repo"),
    )
    # The same org secret name fed by a second secret, and the same 1Password field declared twice.
    (project_copy / "secrets" / "cirun-api-key-copy.yaml").write_text(
        (project_copy / "secrets" / "cirun-api-key.yaml").read_text()
    )
    found = problems_of(project_copy)
    assert (
        "secrets/cirun-api-key.yaml: targets[0].repositories[1]: "
        "`not-a-repo` is not a repository of data/github/repositories/"
    ) in found
    assert any(
        p.startswith(
            "secrets/cirun-api-key.yaml: targets[0]: GitHub org secret CIRUN_API_KEY "
            "is already a target by secret `cirun-api-key-copy`"
        )
        or p.startswith(
            "secrets/cirun-api-key.yaml: targets[0]: GitHub org secret CIRUN_API_KEY is already"
        )
        for p in found
    ), found
    assert (
        "secrets/cirun-api-key.yaml: onepassword: "
        "op://pulumi/cirun-api-key/credential is already declared "
        "by secret `cirun-api-key-copy`"
    ) in found


def test_sensitivity_caps_clearance(project_copy):
    edit_yaml(
        project_copy / "secrets" / "prod-binstar-token.yaml",
        lambda d: d.update(cleared_for="feedstocks"),
    )
    found = problems_of(project_copy)
    assert (
        "secrets/prod-binstar-token.yaml: cleared_for: "
        "a `critical` secret may be cleared for `core` at most, not `feedstocks`" in found
    )


def test_a_reference_the_sdk_rejects_is_refused(project_copy):
    edit_yaml(
        project_copy / "secrets" / "cirun-api-key.yaml",
        lambda d: d["onepassword"].update(item="has/slash"),
    )
    found = problems_of(project_copy)
    assert any(p.startswith("secrets/cirun-api-key.yaml: onepassword.item:") for p in found), found


def test_a_secrets_package_is_refused(project_copy):
    (project_copy / "secrets" / "__init__.py").write_text("")
    found = problems_of(project_copy)
    assert any("shadows Python's stdlib" in p for p in found)


def test_file_name_is_the_secret_id(project_copy):
    (project_copy / "secrets" / "Bad_Name.yaml").write_text("{}")
    found = problems_of(project_copy)
    assert (
        "secrets/Bad_Name.yaml: the file name is the secret's id: lower-case words and dashes"
        in found
    )
