"""What the program declares for runners: flavors, the two .cirun files, large-runner groups."""

from __future__ import annotations

from datetime import date

import yaml

from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK
from tests.runners.runner_helpers import DATA, edit_yaml, load, write_yaml

REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile"
RUNNER_GROUP = "github:index/actionsRunnerGroup:ActionsRunnerGroup"
FLAVOR = "openstack:compute/flavor:Flavor"
STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"


def _files(plan) -> dict:
    return {
        r.inputs["file"]: r
        for r in plan.of_type(REPOSITORY_FILE)
        if r.inputs.get("repository") == ".cirun"
    }


def test_before_cutover_the_plan_adopts_both_cirun_files_and_never_overwrites_them(
    fixture_plan,
):
    files = _files(fixture_plan)

    assert sorted(files) == [".access.yml", ".cirun.global.yml"]
    for path, f in files.items():
        assert f.inputs["branch"] == "main"
        # admin-requests writes the files until the cutover: imported, never created over them.
        assert f.inputs["overwriteOnCreate"] is False
        assert f.import_id == f".cirun:{path}:main"
        assert f.retain_on_delete
        assert f.inputs["commitMessage"].startswith("Update ")
        assert f.parent == "cfinfra:runners:CirunFiles::runners-cirun"


def test_before_cutover_the_content_is_ignored_and_after_it_is_managed(monkeypatch, fixture_copy):
    from infra.plan import engine
    from infra.plan.engine import plan_stack
    from tests.stack_edits import edit_yaml as edit_stack

    seen: dict[str, list[str]] = {}
    original = engine.RecordingMonitor.RegisterResource

    def record(self, request):
        if request.type == REPOSITORY_FILE:
            seen[request.name] = list(request.ignoreChanges)
        return original(self, request)

    monkeypatch.setattr(engine.RecordingMonitor, "RegisterResource", record)
    plan_stack(fixture_copy, FIXTURE_STACK)
    assert seen["runners-cirun-access-yml"] == ["content", "commitMessage"]
    edit_stack(
        fixture_copy / STACK_FILE,
        lambda d: d["config"]["cfinfra:runners"].update(cirun_files_writer="infrastructure"),
    )
    after = {r.name: r for r in plan_stack(fixture_copy, FIXTURE_STACK).of_type(REPOSITORY_FILE)}
    assert seen["runners-cirun-access-yml"] == []
    assert after["runners-cirun-access-yml"].import_id is None


def test_without_a_current_openstack_host_no_flavor_and_no_openstack_provider_is_declared(
    fixture_copy,
):
    from infra.plan.engine import plan_stack

    # gpu-cloud, the one current OpenStack host, is decommissioned like old-gpu-server: its labels
    # are retired (no grant may name them) and its credential goes with it.
    edit_yaml(
        fixture_copy / DATA / "hosts/gpu-cloud.yaml",
        lambda d: d.update(decommissioned=date(2026, 4, 1)),
    )
    edit_yaml(
        fixture_copy / DATA / "access/numpy.yaml",
        lambda d: d["cirun"][0].update(resources=["cirun-azure-windows-2xlarge"]),
    )
    for part in ("id", "secret"):
        (fixture_copy / f"secrets/gpu-cloud-credential-{part}.yaml").unlink()
        (fixture_copy / f"secrets/gpu-cloud-read-only-credential-{part}.yaml").unlink()
    plan = plan_stack(fixture_copy, FIXTURE_STACK)

    assert plan.of_type(FLAVOR) == []
    assert plan.of_type("pulumi:providers:openstack") == []
    # The rest of the runners is still declared.
    assert sorted(_files(plan)) == [".access.yml", ".cirun.global.yml"]


def test_the_plan_has_one_selected_runner_group_per_large_runner_provider(fixture_plan):
    data, _ = load(FIXTURE_ROOT)
    assert data is not None
    groups = {r.inputs["name"]: r for r in fixture_plan.of_type(RUNNER_GROUP)}

    assert sorted(groups) == sorted(p.runner_group for p in data.providers)
    assert sorted(groups) == ["blacksmith", "depot", "namespace"]
    for g in groups.values():
        assert g.inputs["visibility"] == "selected"
        assert g.inputs["allowsPublicRepositories"] is True
        assert g.parent == "cfinfra:runners:LargeRunnerGroups::runners-large"


def test_the_generated_access_file_round_trips_to_the_same_grants(fixture_plan):
    data, _ = load(FIXTURE_ROOT)
    assert data is not None
    doc = yaml.safe_load(_files(fixture_plan)[".access.yml"].inputs["content"])
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


def test_the_generated_access_file_is_ordered_as_conda_forges_linter_expects(fixture_plan):
    data, _ = load(FIXTURE_ROOT)
    assert data is not None
    doc = yaml.safe_load(_files(fixture_plan)[".access.yml"].inputs["content"])

    ids = [p["id"] for p in doc["policies"]]
    assert ids == sorted(ids)
    assert [a["resource"] for a in doc["access_control"]] == [
        r.label for r in data.current_resources
    ]
    for a in doc["access_control"]:
        assert a["policies"] == sorted(a["policies"])


def test_the_global_config_lists_current_runners_in_cirun_format(fixture_plan):
    doc = yaml.safe_load(_files(fixture_plan)[".cirun.global.yml"].inputs["content"])
    runners = {r["name"]: r for r in doc["runners"]}

    # Not cirun-retired-box nor cirun-old-gpu-large: their hosts are decommissioned.
    assert sorted(runners) == [
        "cirun-aws-gpu-t4",
        "cirun-azure-windows-2xlarge",
        "cirun-gpu-box",
        "cirun-openstack-cpu-large",
        "cirun-openstack-gpu-large",
    ]
    assert runners["cirun-azure-windows-2xlarge"] == {
        "name": "cirun-azure-windows-2xlarge",
        "cloud": "azure",
        "instance_type": "Standard_D8ads_v5",
        "machine_image": "cirun-win22",
        "region": "uksouth",
        "labels": ["windows", "x64", "cirun-azure-windows-2xlarge"],
        "extra_config": {"licenseType": "Windows_Server"},
    }
    # An OpenStack runner's instance type is its flavor; an on-prem one has none.
    assert runners["cirun-openstack-gpu-large"]["instance_type"] == "gpu_large"
    assert runners["cirun-gpu-box"] == {
        "name": "cirun-gpu-box",
        "cloud": "on_prem",
        "labels": ["linux", "x64", "cirun-gpu-box"],
    }


def test_a_current_openstack_host_gets_its_flavors_through_its_own_provider(fixture_plan):
    flavors = {r.inputs["name"]: r for r in fixture_plan.of_type(FLAVOR)}

    # Every flavor of gpu-cloud (gpu_double has no label); none of old-gpu-server's.
    assert sorted(flavors) == ["ci_large", "gpu_double", "gpu_large"]
    assert flavors["gpu_large"].inputs["ram"] == 12 * 1024
    assert flavors["gpu_large"].inputs["vcpus"] == 4
    assert flavors["gpu_large"].inputs["disk"] == 60
    assert flavors["gpu_large"].inputs["region"] == "RegionOne"
    assert flavors["gpu_large"].inputs["extraSpecs"] == {"pci_passthrough:alias": "v100:1"}
    assert flavors["gpu_double"].inputs["extraSpecs"] == {"pci_passthrough:alias": "v100:2"}
    assert "extraSpecs" not in flavors["ci_large"].inputs
    assert {f.parent for f in flavors.values()} == {
        "cfinfra:runners:HostFlavors::runners-gpu-cloud"
    }
    [provider] = fixture_plan.of_type("pulumi:providers:openstack")
    assert provider.inputs["authUrl"] == "https://openstack.example-forge.org:5000/v3"
    # Its credential comes from the manifest, as secrets, never from the runner's `OS_*`.
    assert provider.inputs["applicationCredentialId"] == "[secret]"
    assert provider.inputs["applicationCredentialSecret"] == "[secret]"
    # Nothing is declared for the decommissioned host's flavors.
    assert "gpu_tiny" not in flavors
    assert "ci_4xlarge" not in flavors


def test_runner_groups_select_exactly_the_granted_feedstocks(fixture_copy):
    from infra.plan.engine import plan_stack

    write_yaml(
        fixture_copy / DATA / "access/scipy.yaml",
        {
            **yaml.safe_load((fixture_copy / DATA / "access/scipy.yaml").read_text()),
            "large_runners": ["blacksmith", "namespace"],
        },
    )
    write_yaml(fixture_copy / DATA / "access/pandas.yaml", {"large_runners": ["blacksmith"]})

    plan = plan_stack(fixture_copy, FIXTURE_STACK)
    groups = {
        r.inputs["name"]: r.inputs["selectedRepositoryIds"] for r in plan.of_type(RUNNER_GROUP)
    }

    def repo_id(feedstock: str) -> str:
        # The plan shows fake repository ids by what they stand for.
        return f"<repo_id:example-forge/{feedstock}-feedstock>"

    assert groups == {
        "blacksmith": [repo_id("pandas"), repo_id("scipy")],
        "namespace": [repo_id("numpy"), repo_id("scipy")],
        "depot": [],
    }


def test_switching_management_off_declares_nothing_for_it(fixture_copy):
    from infra.plan.engine import plan_stack

    edit_yaml(
        fixture_copy / STACK_FILE,
        lambda d: d["config"]["cfinfra:runners"].update(
            manage_cirun_files=False, manage_runner_groups=False
        ),
    )
    plan = plan_stack(fixture_copy, FIXTURE_STACK)

    assert _files(plan) == {}
    assert plan.of_type(RUNNER_GROUP) == []


def test_the_plan_commits_exactly_what_render_produces_every_time(fixture_plan):
    from infra.runners.render import render_cirun_files

    data, _ = load(FIXTURE_ROOT)
    assert data is not None
    first, second = render_cirun_files(data), render_cirun_files(data)

    assert first == second
    assert {name: f.inputs["content"] for name, f in _files(fixture_plan).items()} == first
