"""`cfinfra runners import-access`: the live `.access.yml` becomes data, every grant kept or named.

The input is synthetic, shaped like conda-forge/.cirun's live file (several policies per feedstock,
`users` and `users_from_json`, an id that does not follow the naming pattern, a label listed twice
in `access_control`, labels of a retired OpenStack host, a label nobody defined), over the fixture
stack's runner labels.
"""

from __future__ import annotations

import os

import pytest
import yaml
from typer.testing import CliRunner

from infra.cli import app
from infra.live.against_files import grants_of
from infra.plan.engine import plan_stack
from tests.conftest import FIXTURE_STACK
from tests.runners.runner_helpers import (
    DATA,
    add_openstack_credentials,
    edit_yaml,
    load,
    write_yaml,
)

TOS = "https://example-forge.org/runner-users.json"  # the fixture's policy-defaults.yaml
ROLES = ["admin", "maintain", "write"]
RETIRED = "cirun-old-gpu-large"  # on old-gpu-server, decommissioned


def policy(pid: str, repo: str, pr: bool = True, users: list[str] | None = None) -> dict:
    p: dict = {"id": pid, "repo": repo, "roles": list(ROLES)}
    p.update({"users": list(users)} if users else {"users_from_json": TOS})
    p["pull_request"] = pr
    return p


LIVE = {
    "version": 1,
    "policies": [
        policy("cf-autotick-bot-test-package-policy", "cf-autotick-bot-test-package-feedstock"),
        policy("tensorflow-feedstock-policy", "tensorflow-feedstock"),
        policy(
            "tensorflow-feedstock-osx-m4-policy", "tensorflow-feedstock", users=["wolfv", "isuruf"]
        ),
        policy("pytorch-cpu-feedstock-gpu-policy", "pytorch-cpu-feedstock"),
        policy(
            "pytorch-cpu-feedstock-cpu-policy",
            "pytorch-cpu-feedstock",
            users=["wolfv", "Tobias-Fischer", "hmaarrfk"],
        ),
        policy("onnxruntime-feedstock-policy", "onnxruntime-feedstock", pr=False),
        policy("webkit2gtk4.1-feedstock-policy", "webkit2gtk4.1-feedstock"),
        policy("governance-policy", "governance"),
        policy("unused-feedstock-policy", "unused-feedstock"),
    ],
    "access_control": [
        {
            "resource": RETIRED,
            "policies": [
                "cf-autotick-bot-test-package-policy",
                "pytorch-cpu-feedstock-gpu-policy",
                "tensorflow-feedstock-policy",
            ],
        },
        {
            "resource": "cirun-azure-windows-2xlarge",
            "policies": ["onnxruntime-feedstock-policy", "pytorch-cpu-feedstock-cpu-policy"],
        },
        {
            "resource": "cirun-openstack-cpu-large",
            "policies": ["tensorflow-feedstock-osx-m4-policy"],
        },
        # A label listed twice, as the live file does.
        {"resource": "cirun-openstack-cpu-large", "policies": ["pytorch-cpu-feedstock-cpu-policy"]},
        {"resource": "cirun-gpu-box", "policies": ["cf-autotick-bot-test-package-policy"]},
        {"resource": "cirun-nobody-knows", "policies": ["webkit2gtk4.1-feedstock-policy"]},
        {"resource": "cirun-aws-gpu-t4", "policies": ["governance-policy"]},
    ],
}


def run_import(root, *extra: str):
    live = root / "live-access.yml"
    write_yaml(live, LIVE)
    cwd = os.getcwd()
    os.chdir(root)  # the CLI shows paths relative to the working directory, as admins run it
    try:
        return CliRunner().invoke(app, ["runners", "import-access", str(live), *extra])
    finally:
        os.chdir(cwd)


def rendered_access(root) -> dict:
    (access,) = [
        r
        for r in plan_stack(root, FIXTURE_STACK).of_type(
            "github:index/repositoryFile:RepositoryFile"
        )
        if r.inputs["file"] == ".access.yml"
    ]
    return yaml.safe_load(access.inputs["content"])


def current_labels(root) -> set[str]:
    data, _ = load(root)
    assert data is not None
    return {r.label for r in data.current_resources}


def test_every_live_grant_of_a_current_label_is_declared_and_each_dropped_one_named(fixture_copy):
    result = run_import(fixture_copy)
    assert result.exit_code == 0, result.output
    out = result.output
    assert (
        "9 live policies, 10 grants (policy x label): kept 5 in 4 grants of 4 feedstocks; dropped 5"
        in out
    )
    for dropped in (
        f"cf-autotick-bot-test-package-policy → {RETIRED}: retired (host old-gpu-server)",
        f"tensorflow-feedstock-policy → {RETIRED}: retired",
        "webkit2gtk4.1-feedstock-policy → cirun-nobody-knows: label unknown to resources.yaml",
        "governance-policy: `governance` is not a feedstock",
        "unused-feedstock-policy: no `access_control` entry uses it",
        "tensorflow-feedstock-policy: every label it grants is dropped",
    ):
        assert f"  dropped  {dropped}" in out, dropped

    live = grants_of(LIVE)
    declared = grants_of(rendered_access(fixture_copy))
    kept = {g for g in live if g[0] in current_labels(fixture_copy) and g[2].endswith("-feedstock")}
    # Exactly the live feedstock grants of current labels: none lost, none added.
    assert declared == kept
    assert ("cirun-gpu-box", "cf-autotick-bot-test-package-policy") in {g[:2] for g in kept}


def test_live_ids_users_and_defaults_are_kept_in_canonical_data(fixture_copy):
    assert run_import(fixture_copy).exit_code == 0
    access = fixture_copy / DATA / "access"
    bot = yaml.safe_load((access / "cf-autotick-bot-test-package.yaml").read_text())
    # The id does not follow `<feedstock>-feedstock-policy`: kept as an explicit id. Defaults
    # (roles, the terms-of-service list) are left out of the data and rendered back the same.
    assert bot == {
        "cirun": [
            {
                "id": "cf-autotick-bot-test-package-policy",
                "resources": ["cirun-gpu-box"],
                "pull_request": True,
            }
        ]
    }
    pytorch = yaml.safe_load((access / "pytorch-cpu.yaml").read_text())
    (cpu,) = pytorch["cirun"]
    assert cpu["name"] == "cpu"
    assert cpu["users"] == ["hmaarrfk", "Tobias-Fischer", "wolfv"]
    # In resources.yaml order, the label listed twice once.
    assert cpu["resources"] == ["cirun-openstack-cpu-large", "cirun-azure-windows-2xlarge"]
    onnx = yaml.safe_load((access / "onnxruntime.yaml").read_text())
    assert onnx["cirun"][0]["pull_request"] is False
    # Feedstocks the data granted but the live file does not are no longer granted; their
    # large-runner grants (not in `.access.yml`) stay.
    assert not (access / "scipy.yaml").exists()
    assert yaml.safe_load((access / "numpy.yaml").read_text()) == {"large_runners": ["namespace"]}


def test_importing_twice_writes_nothing_the_second_time(fixture_copy):
    assert run_import(fixture_copy).exit_code == 0
    again = run_import(fixture_copy)
    assert again.exit_code == 0
    assert "wrote" not in again.output
    assert "removed" not in again.output


def test_with_the_host_back_in_service_the_declared_file_grants_exactly_the_live_one(fixture_copy):
    def back_in_service(host: dict) -> None:
        del host["decommissioned"]
        host["openstack"]["gpu_pci_alias"] = "tesla-v100"

    edit_yaml(fixture_copy / DATA / "hosts" / "old-gpu-server.yaml", back_in_service)
    add_openstack_credentials(fixture_copy, "old-gpu-server")
    result = run_import(fixture_copy)
    assert result.exit_code == 0, result.output
    live = {g for g in grants_of(LIVE) if g[0] != "cirun-nobody-knows"}
    live = {g for g in live if g[2] != "governance"}
    assert grants_of(rendered_access(fixture_copy)) == live


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"version": 2, "policies": [], "access_control": []}, "only version 1"),
        ({"version": 1, "policies": [{"repo": "x-feedstock"}], "access_control": []}, "`id`"),
    ],
)
def test_an_unreadable_live_file_exits_2_and_writes_nothing(fixture_copy, doc, message):
    write_yaml(fixture_copy / "bad.yml", doc)
    before = sorted((fixture_copy / DATA / "access").iterdir())
    cwd = os.getcwd()
    os.chdir(fixture_copy)
    try:
        result = CliRunner().invoke(app, ["runners", "import-access", "bad.yml"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 2
    assert message in result.output
    assert sorted((fixture_copy / DATA / "access").iterdir()) == before


def tree(root) -> dict:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "repo",
    [
        "../../../secrets/numpy-feedstock",
        "../../../.github/workflows/x-feedstock",
        "/tmp/x-feedstock",
        "sub/dir-feedstock",
        "..-feedstock",
        "numpy\\..\\..\\x-feedstock",
    ],
)
def test_a_policy_whose_repo_climbs_out_of_the_folder_writes_nothing_and_exits_2(
    fixture_copy, repo
):
    doc = {**LIVE, "policies": [*LIVE["policies"], policy("evil-policy", repo)]}
    doc["access_control"] = [
        *LIVE["access_control"],
        {"resource": "cirun-gpu-box", "policies": ["evil-policy"]},
    ]
    write_yaml(fixture_copy / "evil.yml", doc)
    before = tree(fixture_copy)
    cwd = os.getcwd()
    os.chdir(fixture_copy)
    try:
        result = CliRunner().invoke(app, ["runners", "import-access", "evil.yml"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 2, result.output
    assert "policies[9].repo" in result.output
    assert "not a feedstock repository name" in result.output
    assert tree(fixture_copy) == before
    assert not (fixture_copy / "secrets" / "numpy.yaml").exists()


def test_a_live_file_outside_the_project_is_read(fixture_copy, tmp_path):
    outside = tmp_path / "dotcirun" / ".access.yml"
    outside.parent.mkdir()
    write_yaml(outside, LIVE)
    cwd = os.getcwd()
    os.chdir(fixture_copy)
    try:
        result = CliRunner().invoke(app, ["runners", "import-access", str(outside), "--dry-run"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    assert "9 live policies" in result.output
