"""The real run: ``infra/`` executed as ``pulumi preview``/``up`` execute it.

A subprocess started like Pulumi's Python language host starts the program (working directory
``infra/``, ``runpy.run_path(".", run_name="__main__")``, the stack config handed over in
``PULUMI_CONFIG``, the project root in the runtime settings) registers against a gRPC resource
monitor served by the test. Only 1Password's network client is replaced (by the SDK-shaped fake).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import rpc

from infra.config.audience import Audience
from infra.config.loader import load_project
from infra.runtime_config import read_stack_file_config
from infra.sources.clearance import tag_for
from tests.conftest import REPO_ROOT
from tests.program.language_host import LanguageHostRun, clean_env, run_like_the_language_host

STACK_URN_NAME = ("pulumi:pulumi:Stack", "conda-forge-infra-prod")
# The provider credentials of the prod stack: manifest entry -> (provider type, provider input).
CREDENTIALS = {
    "gh-pulumi-runner-token": ("pulumi:providers:github", "token"),
    "azure-pulumi-runner": ("pulumi:providers:azuredevops", "personalAccessToken"),
    "heroku-pulumi-runner-token": ("pulumi:providers:heroku", "apiKey"),
}


def _value(secret_id: str) -> str:
    return f"op-value-of-{secret_id}"


def _seed(tmp_path: Path) -> Path:
    """A fake 1Password account holding every field the manifest references, each item tagged
    with the widest clearance of the entries reading it (as `cfinfra clearance-tags` tags them)."""
    seed: dict[str, Any] = {}
    widest: dict[tuple[str, str], Audience] = {}
    for entry in load_project(REPO_ROOT, "prod").secrets:
        ref = entry.secret.onepassword
        item = seed.setdefault(ref.vault, {}).setdefault(ref.item, {"fields": {}})
        item["fields"][ref.field] = _value(entry.id)
        key, cleared = (ref.vault, ref.item), entry.secret.cleared_for
        if key not in widest or cleared.wider_than(widest[key]):
            widest[key] = cleared
    for (vault, title), audience in widest.items():
        seed[vault][title]["tags"] = [tag_for(audience)]
    path = tmp_path / "1password-seed.json"
    path.write_text(json.dumps(seed), encoding="utf-8")
    return path


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig


def _clear_text_strings(value: Any) -> list[str]:
    """Every string of an input that is not under a secret marker."""
    if _is_secret(value):
        return []
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_clear_text_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _clear_text_strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> LanguageHostRun:
    tmp = tmp_path_factory.mktemp("language-host")
    return run_like_the_language_host(
        REPO_ROOT,
        "prod",
        read_stack_file_config(REPO_ROOT, "prod"),
        clean_env(OP_SERVICE_ACCOUNT_TOKEN="ops_test-service-account-token"),
        _seed(tmp),
    )


def test_the_program_run_as_the_language_host_runs_it_registers_the_whole_prod_stack(
    real_run, prod_plan
):
    assert real_run.returncode == 0, "\n".join([*real_run.errors, real_run.stderr])
    assert real_run.seen[0] == STACK_URN_NAME
    registered = sorted((r.type, r.name) for r in real_run.registrations.values())
    assert registered == sorted((r.type, r.name) for r in prod_plan.resources)
    assert len(registered) > 300


def test_each_provider_gets_its_credential_from_1password_as_a_secret_input(real_run):
    providers = {
        r.type: r.inputs for r in real_run.registrations.values() if ":providers:" in r.type
    }
    for secret_id, (provider, name) in CREDENTIALS.items():
        given = providers[provider][name]
        assert _is_secret(given), f"{provider}.{name} is not a secret input"
        assert given["value"] == _value(secret_id)
    # AWS takes the ambient role credentials: no key, token or profile is ever passed to it.
    aws = providers["pulumi:providers:aws"]
    assert not {"accessKey", "secretKey", "token", "profile"} & set(aws)


def test_no_secret_value_reaches_a_clear_text_input(real_run):
    values = {_value(e.id) for e in load_project(REPO_ROOT, "prod").secrets}
    leaks = [
        (reg.type, reg.name, key)
        for reg in real_run.registrations.values()
        for key, value in reg.inputs.items()
        for text in _clear_text_strings(value)
        if any(v in text for v in values)
    ]
    assert leaks == []


def test_without_a_1password_token_nothing_but_the_stack_registers(tmp_path):
    run = run_like_the_language_host(
        REPO_ROOT,
        "prod",
        read_stack_file_config(REPO_ROOT, "prod"),
        clean_env(),
        _seed(tmp_path),
    )
    assert run.returncode == 1
    assert run.seen == [STACK_URN_NAME]
    assert any("OP_SERVICE_ACCOUNT_TOKEN is not set" in e for e in run.errors), run.errors


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GITHUB_OWNER", "someone-else"),
        ("GITHUB_ORGANIZATION", "regro"),
        ("GITHUB_BASE_URL", "https://ghe.example.com/api/v3/"),
    ],
)
def test_an_ambient_github_variable_that_retargets_the_provider_stops_the_run(
    tmp_path, variable, value
):
    """The provider prefers these over the explicit owner (provider.go, v6.13.0): PB-7."""
    run = run_like_the_language_host(
        REPO_ROOT,
        "prod",
        read_stack_file_config(REPO_ROOT, "prod"),
        clean_env(OP_SERVICE_ACCOUNT_TOKEN="ops_test-service-account-token", **{variable: value}),
        _seed(tmp_path),
    )
    assert run.returncode == 1
    assert run.seen == [STACK_URN_NAME]
    assert any(f"environment: {variable}: is `{value}`" in e for e in run.errors), run.errors
