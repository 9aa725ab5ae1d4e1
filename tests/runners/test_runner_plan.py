"""What the program declares for runners: flavors, the two .cirun files, large-runner groups."""

from __future__ import annotations

import yaml

from tests.conftest import REPO_ROOT
from tests.runners.runner_helpers import (
    DATA,
    add_synthetic_openstack_host,
    edit_yaml,
    load,
    write_yaml,
)

REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile"
RUNNER_GROUP = "github:index/actionsRunnerGroup:ActionsRunnerGroup"
FLAVOR = "openstack:compute/flavor:Flavor"


def _files(plan) -> dict:
    return {
        r.inputs["file"]: r
        for r in plan.of_type(REPOSITORY_FILE)
        if r.inputs.get("repository") == ".cirun"
    }


def test_the_prod_plan_adopts_both_cirun_files_and_never_overwrites_them_before_cutover(
    prod_plan,
):
    files = _files(prod_plan)

    assert sorted(files) == [".access.yml", ".cirun.global.yml"]
    for path, f in files.items():
        assert f.inputs["branch"] == "main"
        # admin-requests writes the files until the cutover: imported, never created over them.
        assert f.inputs["overwriteOnCreate"] is False
        assert f.import_id == f".cirun:{path}:main"
        assert f.retain_on_delete
        assert f.inputs["commitMessage"].startswith("Update ")
        assert f.parent == "cfinfra:runners:CirunFiles::runners-cirun"


def test_before_cutover_the_content_is_ignored_and_after_it_is_managed(monkeypatch, project_copy):
    from infra.plan import engine
    from infra.plan.engine import plan_stack
    from tests.foundation.test_validation import edit_yaml as edit_stack

    seen: dict[str, list[str]] = {}
    original = engine.RecordingMonitor.RegisterResource

    def record(self, request):
        if request.type == REPOSITORY_FILE:
            seen[request.name] = list(request.ignoreChanges)
        return original(self, request)

    monkeypatch.setattr(engine.RecordingMonitor, "RegisterResource", record)
    plan_stack(project_copy, "prod")
    assert seen["runners-cirun-access-yml"] == ["content", "commitMessage"]
    edit_stack(
        project_copy / "Pulumi.prod.yaml",
        lambda d: d["config"]["cfinfra:runners"].update(cirun_files_writer="infrastructure"),
    )
    after = {r.name: r for r in plan_stack(project_copy, "prod").of_type(REPOSITORY_FILE)}
    assert seen["runners-cirun-access-yml"] == []
    assert after["runners-cirun-access-yml"].import_id is None


def test_the_prod_plan_declares_no_flavor_because_no_current_host_is_openstack(prod_plan):
    # open-gpu-server was the only OpenStack host and it is decommissioned; the GEX44 is on_prem.
    assert prod_plan.of_type(FLAVOR) == []
    assert prod_plan.of_type("pulumi:providers:openstack") == []


def test_the_prod_plan_has_one_selected_runner_group_per_large_runner_provider(prod_plan):
    groups = {r.inputs["name"]: r for r in prod_plan.of_type(RUNNER_GROUP)}

    assert sorted(groups) == ["blacksmith", "depot", "namespace"]
    for g in groups.values():
        assert g.inputs["visibility"] == "selected"
        assert g.inputs["allowsPublicRepositories"] is True
        assert g.parent == "cfinfra:runners:LargeRunnerGroups::runners-large"


def test_the_generated_access_file_round_trips_to_the_same_grants(prod_plan):
    data, _ = load(REPO_ROOT)
    assert data is not None
    doc = yaml.safe_load(_files(prod_plan)[".access.yml"].inputs["content"])
    defaults = data.policy_defaults

    expected = {}
    for entry in data.access:
        for g in entry.access.cirun:
            who = (
                ("users", tuple(g.users))
                if g.users
                else ("users_from_json", g.users_from_json or defaults.users_from_json)
            )
            roles = tuple(str(r) for r in (g.roles or defaults.roles))
            expected[g.policy_id(entry.feedstock)] = (
                f"{entry.feedstock}-feedstock",
                roles,
                g.pull_request,
                who,
                frozenset(g.resources),
            )
    resources_of: dict[str, set[str]] = {}
    for ac in doc["access_control"]:
        for pid in ac["policies"]:
            resources_of.setdefault(pid, set()).add(ac["resource"])
    actual = {
        p["id"]: (
            p["repo"],
            tuple(p["roles"]),
            p["pull_request"],
            ("users", tuple(p["users"]))
            if "users" in p
            else ("users_from_json", p["users_from_json"]),
            frozenset(resources_of.get(p["id"], ())),
        )
        for p in doc["policies"]
    }

    assert doc["version"] == 1
    assert actual == expected


def test_the_generated_access_file_is_ordered_as_conda_forges_linter_expects(prod_plan):
    data, _ = load(REPO_ROOT)
    assert data is not None
    doc = yaml.safe_load(_files(prod_plan)[".access.yml"].inputs["content"])

    ids = [p["id"] for p in doc["policies"]]
    assert ids == sorted(ids)
    assert [a["resource"] for a in doc["access_control"]] == [
        r.label for r in data.current_resources
    ]
    for a in doc["access_control"]:
        assert a["policies"] == sorted(a["policies"])


def test_the_global_config_lists_current_runners_in_cirun_format(prod_plan):
    doc = yaml.safe_load(_files(prod_plan)[".cirun.global.yml"].inputs["content"])
    runners = {r["name"]: r for r in doc["runners"]}

    assert sorted(runners) == [
        "cirun-azure-windows-2xlarge",
        "cirun-azure-windows-4xlarge",
        "cirun-hetzner-gpu",
    ]
    assert runners["cirun-azure-windows-2xlarge"] == {
        "name": "cirun-azure-windows-2xlarge",
        "cloud": "azure",
        "instance_type": "Standard_D8ads_v5",
        "machine_image": runners["cirun-azure-windows-2xlarge"]["machine_image"],
        "region": "uksouth",
        "labels": ["windows", "x64", "cirun-azure-windows-2xlarge"],
        "extra_config": {"licenseType": "Windows_Server"},
    }
    assert runners["cirun-hetzner-gpu"]["cloud"] == "on_prem"
    assert not any(name.startswith("cirun-openstack-") for name in runners)


def test_a_current_openstack_host_gets_its_flavors_through_its_own_provider(project_copy):
    from infra.plan.engine import plan_stack

    add_synthetic_openstack_host(project_copy)
    plan = plan_stack(project_copy, "prod")

    flavors = {r.inputs["name"]: r for r in plan.of_type(FLAVOR)}
    assert sorted(flavors) == ["cpu_small", "gpu_double", "gpu_small"]
    assert flavors["gpu_small"].inputs["ram"] == 32 * 1024
    assert flavors["gpu_small"].inputs["vcpus"] == 8
    assert flavors["gpu_small"].inputs["disk"] == 80
    assert flavors["gpu_small"].inputs["region"] == "TestRegion"
    assert flavors["gpu_double"].inputs["extraSpecs"] == {"pci_passthrough:alias": "testgpu:2"}
    assert "extraSpecs" not in flavors["cpu_small"].inputs
    assert {f.parent for f in flavors.values()} == {
        "cfinfra:runners:HostFlavors::runners-test-gpu-cloud"
    }
    [provider] = plan.of_type("pulumi:providers:openstack")
    assert provider.inputs["authUrl"] == "https://keystone.example.org:5000/v3"
    # Its credential comes from the manifest, as secrets, never from the runner's `OS_*`.
    assert provider.inputs["applicationCredentialId"] == "[secret]"
    assert provider.inputs["applicationCredentialSecret"] == "[secret]"
    # Nothing is declared for the decommissioned host's eleven flavors.
    assert "gpu_4xlarge" not in flavors
    global_config = yaml.safe_load(_files(plan)[".cirun.global.yml"].inputs["content"])
    [runner] = [r for r in global_config["runners"] if r["name"] == "cirun-test-gpu-small"]
    assert runner["instance_type"] == "gpu_small"


def test_runner_groups_select_exactly_the_granted_feedstocks(project_copy):
    from infra.plan.engine import plan_stack

    write_yaml(
        project_copy / DATA / "access/pytorch-cpu.yaml",
        {
            **yaml.safe_load((project_copy / DATA / "access/pytorch-cpu.yaml").read_text()),
            "large_runners": ["blacksmith", "namespace"],
        },
    )
    write_yaml(project_copy / DATA / "access/jaxlib.yaml", {"large_runners": ["blacksmith"]})

    plan = plan_stack(project_copy, "prod")
    groups = {
        r.inputs["name"]: r.inputs["selectedRepositoryIds"] for r in plan.of_type(RUNNER_GROUP)
    }

    def repo_id(feedstock: str) -> str:
        # The plan shows fake repository ids by what they stand for.
        return f"<repo_id:conda-forge/{feedstock}-feedstock>"

    assert groups == {
        "blacksmith": [repo_id("jaxlib"), repo_id("pytorch-cpu")],
        "namespace": [repo_id("pytorch-cpu")],
        "depot": [],
    }


def test_switching_management_off_declares_nothing_for_it(project_copy):
    from infra.plan.engine import plan_stack

    edit_yaml(
        project_copy / "Pulumi.prod.yaml",
        lambda d: d["config"]["cfinfra:runners"].update(
            manage_cirun_files=False, manage_runner_groups=False
        ),
    )
    plan = plan_stack(project_copy, "prod")

    assert _files(plan) == {}
    assert plan.of_type(RUNNER_GROUP) == []


def test_the_plan_commits_exactly_what_render_produces_every_time(prod_plan):
    from infra.runners.render import render_cirun_files

    data, _ = load(REPO_ROOT)
    assert data is not None
    first, second = render_cirun_files(data), render_cirun_files(data)

    assert first == second
    assert {name: f.inputs["content"] for name, f in _files(prod_plan).items()} == first
