"""The runner data is strict: every mistake is refused with its file and key path, all at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from infra.errors import ConfigError, Problem
from infra.runners.access_files import canonical_text
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK, REPO_ROOT
from tests.runners.runner_helpers import DATA, edit_yaml, load, write_yaml
from tests.stack_edits import problems_of

HOST_FILE = "data/runners/hosts/gpu-cloud.yaml"
OLD_HOST_FILE = "data/runners/hosts/old-gpu-server.yaml"
RESOURCES = "data/runners/resources.yaml"
STACK_FILE = f"Pulumi.{FIXTURE_STACK}.yaml"


def _problems(root: Path) -> list[Problem]:
    data, problems = load(root)
    assert data is None, "expected the data to be refused"
    return problems


def _set_flavor(root: Path, index: int, host: str = "gpu-cloud", **changes: object) -> None:
    edit_yaml(root / DATA / f"hosts/{host}.yaml", lambda d: d["flavors"][index].update(changes))


def test_the_committed_runner_data_is_valid():
    # Policy on production: the committed runner data loads without a problem.
    data, problems = load(REPO_ROOT)
    assert problems == []
    assert data is not None


def test_a_decommissioned_host_stays_as_history_and_its_labels_are_retired():
    data, _ = load(FIXTURE_ROOT)
    assert data is not None
    host = data.host("old-gpu-server")
    assert host is not None
    assert host.decommissioned == date(2026, 3, 13)
    assert (host.gpu.count, host.gpu.assignable) == (6, 4)  # type: ignore[union-attr]
    retired = [r.label for r in data.resources if not data.is_current(r)]
    assert retired == ["cirun-retired-box", "cirun-old-gpu-large"]
    assert [r.label for r in data.current_resources] == [
        "cirun-openstack-gpu-large",
        "cirun-openstack-cpu-large",
        "cirun-azure-windows-2xlarge",
        "cirun-aws-gpu-t4",
        "cirun-gpu-box",
    ]


def test_a_flavor_asking_for_more_gpus_than_the_host_can_assign_is_refused(fixture_copy):
    # old-gpu-server has 6 GPUs installed but can assign only 4: 5 is refused.
    _set_flavor(fixture_copy, 0, host="old-gpu-server", gpus=5)

    assert Problem(
        OLD_HOST_FILE,
        "flavors[0].gpus",
        "`gpu_tiny` asks for 5 GPUs; the host can assign 4 to VMs at once",
    ) in _problems(fixture_copy)


def test_the_loader_refuses_the_stack_when_a_flavor_exceeds_its_host(fixture_copy):
    _set_flavor(fixture_copy, 0, gpus=3)
    from infra.config.loader import load_project

    with pytest.raises(ConfigError) as exc:
        load_project(fixture_copy, FIXTURE_STACK)
    assert any(p.file == HOST_FILE and p.path == "flavors[0].gpus" for p in exc.value.problems)


def test_a_flavor_with_more_vcpus_or_ram_than_the_host_is_refused(fixture_copy):
    _set_flavor(fixture_copy, 1, vcpus=64, ram_gb=512)

    found = {(p.file, p.path) for p in _problems(fixture_copy)}
    assert {(HOST_FILE, "flavors[1].vcpus"), (HOST_FILE, "flavors[1].ram_gb")} <= found


def test_more_assignable_gpus_than_installed_is_refused(fixture_copy):
    edit_yaml(fixture_copy / DATA / "hosts/gpu-cloud.yaml", lambda d: d["gpu"].update(assignable=3))

    assert Problem(
        HOST_FILE, "gpu.assignable", "3 assignable GPUs but only 2 installed"
    ) in _problems(fixture_copy)


def test_a_gpu_label_on_a_gpu_less_flavor_is_refused(fixture_copy):
    edit_yaml(
        fixture_copy / DATA / "resources.yaml",
        lambda d: d["resources"][0].update(flavor="ci_large"),
    )

    assert Problem(
        RESOURCES,
        "resources[0].flavor",
        "`cirun-openstack-gpu-large` is a GPU label but flavor `ci_large` has no GPU",
    ) in _problems(fixture_copy)


def test_an_unknown_resource_label_in_a_grant_is_refused(fixture_copy):
    edit_yaml(
        fixture_copy / DATA / "access/numpy.yaml",
        lambda d: d["cirun"][0]["resources"].append("cirun-openstack-gpu-huge"),
    )

    assert Problem(
        "data/runners/access/numpy.yaml",
        "cirun[0].resources[2]",
        "unknown resource `cirun-openstack-gpu-huge` (not in resources.yaml)",
    ) in _problems(fixture_copy)


def test_a_grant_to_a_retired_resource_is_refused(fixture_copy):
    edit_yaml(
        fixture_copy / DATA / "access/numpy.yaml",
        lambda d: d["cirun"][0]["resources"].append("cirun-old-gpu-large"),
    )

    assert Problem(
        "data/runners/access/numpy.yaml",
        "cirun[0].resources[2]",
        "`cirun-old-gpu-large` is retired: host `old-gpu-server` was decommissioned on 2026-03-13",
    ) in _problems(fixture_copy)


def test_an_access_file_named_with_the_feedstock_suffix_is_refused(fixture_copy):
    access = fixture_copy / DATA / "access"
    (access / "numpy.yaml").rename(access / "numpy-feedstock.yaml")

    assert Problem(
        "data/runners/access/numpy-feedstock.yaml",
        "",
        "name the file after the package, without `-feedstock` (`numpy.yaml`)",
    ) in _problems(fixture_copy)


def test_duplicate_ids_are_refused(fixture_copy):
    edit_yaml(
        fixture_copy / DATA / "hosts/gpu-cloud.yaml",
        lambda d: d["flavors"].append(dict(d["flavors"][0])),
    )
    edit_yaml(
        fixture_copy / DATA / "resources.yaml",
        lambda d: d["resources"].append(dict(d["resources"][-1])),
    )
    edit_yaml(
        fixture_copy / DATA / "providers.yaml",
        lambda d: d["providers"].append(dict(d["providers"][0])),
    )
    # A second unnamed grant in one file would generate the same policy id twice.
    edit_yaml(
        fixture_copy / DATA / "access/numpy.yaml",
        lambda d: d["cirun"].append({"resources": ["cirun-gpu-box"], "pull_request": False}),
    )

    found = {(p.file, p.path) for p in _problems(fixture_copy)}
    assert {
        (HOST_FILE, "flavors[3].id"),
        (RESOURCES, "resources[7].label"),
        ("data/runners/providers.yaml", "providers[3].id"),
        ("data/runners/providers.yaml", "providers[3].runner_group"),
        ("data/runners/access/numpy.yaml", "cirun[1].name"),
    } <= found


def test_every_problem_is_reported_at_once(fixture_copy):
    _set_flavor(fixture_copy, 0, gpus=3)
    edit_yaml(
        fixture_copy / DATA / "resources.yaml",
        lambda d: d["resources"][0].update(flavor="ci_large"),
    )
    edit_yaml(
        fixture_copy / DATA / "access/numpy.yaml",
        lambda d: d["cirun"][0]["resources"].append("cirun-nope"),
    )
    access = fixture_copy / DATA / "access"
    (access / "scipy.yaml").rename(access / "scipy-feedstock.yaml")

    found = {(p.file, p.path) for p in _problems(fixture_copy)}
    assert {
        (HOST_FILE, "flavors[0].gpus"),
        (RESOURCES, "resources[0].flavor"),
        ("data/runners/access/numpy.yaml", "cirun[0].resources[2]"),
        ("data/runners/access/scipy-feedstock.yaml", ""),
    } <= found


def test_schema_errors_in_several_files_are_reported_together(fixture_copy):
    edit_yaml(fixture_copy / DATA / "hosts/gpu-box.yaml", lambda d: d.update(ram_gb="64"))
    edit_yaml(
        fixture_copy / DATA / "access/numpy.yaml",
        lambda d: d["cirun"][0].update(colour="red"),
    )

    found = {(p.file, p.path) for p in _problems(fixture_copy)}
    assert {
        ("data/runners/hosts/gpu-box.yaml", "ram_gb"),
        ("data/runners/access/numpy.yaml", "cirun[0].colour"),
    } <= found


def test_an_aws_runner_with_an_instance_type_outside_the_pool_is_refused(fixture_copy):
    def add(doc):
        doc["resources"] += [
            {
                "label": "cirun-aws-gpu-a10g",
                "cloud": "aws",
                "instance_type": "g5.xlarge",
                "region": "us-east-1",
            },
            {
                "label": "cirun-aws-gpu-a100",
                "cloud": "aws",
                "instance_type": "p4d.24xlarge",
                "region": "us-east-1",
            },
        ]

    edit_yaml(fixture_copy / DATA / "resources.yaml", add)

    problems = _problems(fixture_copy)
    assert [p for p in problems if p.path.startswith("resources[7]")] == []
    assert any(
        p.path == "resources[8].instance_type"
        and "unknown instance type `p4d.24xlarge`" in p.message
        for p in problems
    )


def test_a_pool_instance_type_without_a_gpu_or_above_the_pool_limit_is_refused(fixture_copy):
    edit_yaml(
        fixture_copy / DATA / "aws-gpu-pool.yaml",
        lambda d: d["instance_types"].update(
            {
                "g4dn.4xlarge": {
                    "gpu_model": "none",
                    "gpus": 0,
                    "gpu_memory_gb": 1,
                    "vcpus": 4,
                    "ram_gb": 16,
                    "max_instances": 9,
                }
            }
        ),
    )

    found = {p.path for p in _problems(fixture_copy)}
    assert {
        "instance_types.g4dn.4xlarge.gpus",
        "instance_types.g4dn.4xlarge.max_instances",
    } <= found


def test_the_aws_stack_reads_the_pool_through_project_runners():
    from infra.config.loader import load_project

    project = load_project(FIXTURE_ROOT, FIXTURE_STACK)
    pool = project.runners.aws_gpu_pool
    assert sorted(pool.instance_types) == ["g4dn.xlarge", "g5.xlarge"]
    assert pool.allowed_instance_types == tuple(sorted(pool.instance_types))
    assert all(t.gpus >= 1 for t in pool.instance_types.values())


def test_the_cirun_repository_must_be_a_stack_repository(fixture_copy):
    from infra.config.loader import load_project

    edit_yaml(
        fixture_copy / STACK_FILE,
        lambda d: d["config"]["cfinfra:runners"].update(cirun_repository="cirun"),
    )

    with pytest.raises(ConfigError) as exc:
        load_project(fixture_copy, FIXTURE_STACK)
    assert (
        Problem(
            STACK_FILE,
            "config.cfinfra:runners.cirun_repository",
            "`cirun` is not a repository of data/github/repositories/; did you mean `.cirun`?",
        )
        in exc.value.problems
    )


@pytest.mark.parametrize("root", [REPO_ROOT, FIXTURE_ROOT], ids=["prod", "fixture"])
def test_committed_access_files_are_in_canonical_form(root: Path):
    # Canonical files are what make "grant, then revoke" a byte-for-byte no-op (a policy on the
    # production data; the fixture's must be canonical too for the round-trip tests to mean it).
    data, _ = load(root)
    assert data is not None
    assert data.access
    for entry in data.access:
        text = (root / entry.file).read_text(encoding="utf-8")
        assert text == canonical_text(data, entry.feedstock, entry.access), entry.file


def test_yml_files_are_refused(fixture_copy):
    write_yaml(fixture_copy / DATA / "access/pandas.yml", {"large_runners": ["depot"]})

    assert Problem(
        "data/runners/access/pandas.yml",
        "",
        "feedstock files end in `.yaml` (the file name is the feedstock's id): "
        "this file would not be read",
    ) in _problems(fixture_copy)


def test_on_prem_runners_need_an_on_prem_host(fixture_copy):
    edit_yaml(
        fixture_copy / DATA / "resources.yaml",
        lambda d: d["resources"][-1].update(host="gpu-cloud"),
    )

    assert Problem(
        RESOURCES, "resources[6].host", "`gpu-cloud` is a openstack host, not on_prem"
    ) in _problems(fixture_copy)


def test_a_runner_grant_to_a_known_login_spelt_in_another_case_is_refused(fixture_copy):
    edit_yaml(
        fixture_copy / DATA / "access/scipy.yaml",
        lambda d: d["cirun"][0]["users"].append("Bo-Owner"),
    )

    assert (
        "data/runners/access/scipy.yaml: cirun[0].users[1]: `Bo-Owner` is `bo-owner` "
        "(the org member): write it `bo-owner`"
    ) in problems_of(fixture_copy)


def test_a_runner_grant_to_someone_outside_the_org_is_spelt_alike_in_every_grant(fixture_copy):
    edit_yaml(
        fixture_copy / DATA / "access/scipy.yaml",
        lambda d: d["cirun"][0]["users"].append("Outside-Person"),
    )
    edit_yaml(
        fixture_copy / DATA / "access/numpy.yaml",
        lambda d: d["cirun"][0].update(users=["outside-person"]),
    )

    problems = problems_of(fixture_copy)
    assert (
        "data/runners/access/scipy.yaml: cirun[0].users[1]: `Outside-Person` is "
        "`outside-person` (spelt elsewhere in grants): write it `outside-person`"
    ) in problems
