"""Bad configuration is refused before anything is declared: every problem, with file and path.

Code tests break a copy of the fixture stack (tests/fixtures/stack). Two policy tests read
production: the real prod stack is valid, and the 2025 incident on it exits 3 from `validate`.
"""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from infra.cli import app
from infra.config.loader import load_project
from tests.conftest import FIXTURE_STACK, REPO_ROOT
from tests.stack_edits import edit_yaml, problems_of

STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.cli", *args], capture_output=True, text=True, check=False
    )


# --- policy on production data ---


def test_the_real_prod_stack_is_valid():
    project = load_project(REPO_ROOT, "prod")
    assert project.secrets


def test_the_2025_incident_is_refused_naming_secret_target_and_why(project_copy):
    """The production upload token in feedstock-builds' anaconda-org group (CVE-2025-31484)."""

    appended: list[int] = []

    def put_prod_token_in_feedstock_builds(d):
        appended.append(len(d["targets"]))
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
        f"secrets/prod-binstar-token.yaml: targets[{appended[0]}]: "
        "LEAK: secret `prod-binstar-token` is cleared for `core` "
        "but Azure variable feedstock-builds/anaconda-org/PROD_TOKEN reaches `feedstocks`"
    ) in result.stderr


# --- code tests on the fixture stack ---


def test_wrong_keys_and_types_exit_2_listing_every_error_without_traceback(fixture_copy):
    stack = fixture_copy / STACK_FILE

    def break_it(d):
        gh = d["config"]["cfinfra:github"]
        gh["orgg"] = gh.pop("org")  # unknown key + missing key
        d["config"]["cfinfra:azure"]["variable_groups"][0]["allow_access"] = "yes"  # strict bool
        d["config"]["github:token"] = "oops"  # provider config is not stack config

    edit_yaml(stack, break_it)
    github = fixture_copy / "data/github"
    edit_yaml(github / "repositories/staged-recipes.yaml", lambda d: d.update(audience=3))
    edit_yaml(github / "webhooks/autotickbot.yaml", lambda d: d.update(events="push"))
    result = CliRunner().invoke(
        app, ["validate", "--stack", FIXTURE_STACK, "--root", str(fixture_copy)]
    )
    assert result.exit_code == 2, result.output  # an uncaught exception would be 1
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"{len(lines) - 1} validation errors found"
    for expected in (
        f"{STACK_FILE}: config.cfinfra:github.orgg: Extra inputs are not permitted",
        f"{STACK_FILE}: config.cfinfra:github.org: Field required",
        "data/github/repositories/staged-recipes.yaml: audience:",
        "data/github/webhooks/autotickbot.yaml: events: Input should be a valid list",
        f"{STACK_FILE}: config.cfinfra:azure.variable_groups[0].allow_access: "
        "Input should be a valid boolean",
        f"{STACK_FILE}: config.github:token: Extra inputs are not permitted",
    ):
        assert any(line.startswith(expected) for line in lines), (expected, lines)


def test_manifest_and_stack_problems_are_reported_together(fixture_copy):
    (fixture_copy / "secrets" / "heroku-runner-key.yaml").write_text("description: [unclosed\n")
    edit_yaml(fixture_copy / "secrets" / "webservices-token.yaml", lambda d: d.pop("owner"))
    edit_yaml(fixture_copy / STACK_FILE, lambda d: d["config"]["cfinfra:heroku"].update(extra=1))
    found = problems_of(fixture_copy)
    assert any(
        p.startswith("secrets/heroku-runner-key.yaml: line ") and "invalid YAML" in p for p in found
    )
    assert "secrets/webservices-token.yaml: owner: Field required" in found
    assert f"{STACK_FILE}: config.cfinfra:heroku.extra: Extra inputs are not permitted" in found


def test_the_incident_exactly_as_it_happened_is_refused(fixture_copy):
    """Swap the staging token for the production one as BINSTAR_TOKEN in feedstock-builds."""
    edit_yaml(
        fixture_copy / "secrets" / "staging-upload-token.yaml",
        lambda d: d["targets"].pop(1),  # feedstock-builds BINSTAR_TOKEN
    )
    edit_yaml(
        fixture_copy / "secrets" / "prod-upload-token.yaml",
        lambda d: d["targets"].append(
            {
                "kind": "azure-variable",
                "project": "feedstock-builds",
                "group": "anaconda-org",
                "variable": "BINSTAR_TOKEN",
            }
        ),
    )
    found = problems_of(fixture_copy)
    assert len(found) == 1, found
    assert "LEAK: secret `prod-upload-token`" in found[0], found


def test_production_token_in_cdt_builds_stays_allowed():
    from tests.conftest import FIXTURE_ROOT

    # cdt-builds is a core project: the production token there is no leak.
    project = load_project(FIXTURE_ROOT, FIXTURE_STACK)
    prod = next(e for e in project.secrets if e.id == "prod-upload-token")
    assert any(getattr(t, "project", None) == "cdt-builds" for t in prod.secret.targets)


def test_widening_an_org_secret_to_all_repositories_is_refused(fixture_copy):
    def widen(d):
        d["targets"][0] = {
            "kind": "github-org-secret",
            "name": "PROD_UPLOAD_TOKEN",
            "visibility": "all",
        }

    edit_yaml(fixture_copy / "secrets" / "prod-upload-token.yaml", widen)
    (problem,) = problems_of(fixture_copy)
    assert (
        "visibility `all` lets every repository in the org read it, every feedstock included"
        in problem
    )


def test_unknown_repository_duplicate_target_and_duplicate_reference_are_refused(fixture_copy):
    edit_yaml(
        fixture_copy / "secrets" / "webservices-token.yaml",
        lambda d: d["targets"][0]["repositories"].append("not-a-repo"),
    )
    # The same org secret name fed by a second secret, and the same 1Password field declared twice.
    (fixture_copy / "secrets" / "webservices-token-copy.yaml").write_text(
        (fixture_copy / "secrets" / "webservices-token.yaml").read_text()
    )
    found = problems_of(fixture_copy)
    assert (
        "secrets/webservices-token.yaml: targets[0].repositories[2]: "
        "`not-a-repo` is not a repository of data/github/repositories/"
    ) in found
    assert any(
        p.startswith(
            "secrets/webservices-token.yaml: targets[0]: GitHub org secret WEBSERVICES_TOKEN "
            "is already a target by secret `webservices-token-copy`"
        )
        for p in found
    ), found
    assert (
        "secrets/webservices-token.yaml: onepassword: "
        "op://pulumi/webservices-token/credential is already declared "
        "by secret `webservices-token-copy`"
    ) in found


def test_sensitivity_caps_clearance(fixture_copy):
    edit_yaml(
        fixture_copy / "secrets" / "prod-upload-token.yaml",
        lambda d: d.update(cleared_for="feedstocks"),
    )
    found = problems_of(fixture_copy)
    assert (
        "secrets/prod-upload-token.yaml: cleared_for: "
        "a `critical` secret may be cleared for `core` at most, not `feedstocks`" in found
    )


def test_a_reference_the_sdk_rejects_is_refused(fixture_copy):
    edit_yaml(
        fixture_copy / "secrets" / "webservices-token.yaml",
        lambda d: d["onepassword"].update(item="has/slash"),
    )
    found = problems_of(fixture_copy)
    assert any(p.startswith("secrets/webservices-token.yaml: onepassword.item:") for p in found), (
        found
    )


def test_a_secrets_package_is_refused(fixture_copy):
    (fixture_copy / "secrets" / "__init__.py").write_text("")
    found = problems_of(fixture_copy)
    assert any("shadows Python's stdlib" in p for p in found)


def test_file_name_is_the_secret_id(fixture_copy):
    (fixture_copy / "secrets" / "Bad_Name.yaml").write_text("{}")
    found = problems_of(fixture_copy)
    assert (
        "secrets/Bad_Name.yaml: the file name is the secret's id: lower-case words and dashes"
        in found
    )
