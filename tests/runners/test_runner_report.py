"""The capacity report: what fits at once on each host, and who can reach each GPU resource."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from infra.cli import app
from infra.runners.report import flavor_fit, gpu_reach, host_capacity
from tests.conftest import FIXTURE_ROOT
from tests.runners.runner_helpers import DATA, add_synthetic_openstack_host, load, write_yaml


def _fixture():
    data, problems = load(FIXTURE_ROOT)
    assert data is not None, problems
    return data


def test_gpu_flavors_of_the_old_server_were_limited_by_its_four_assignable_gpus():
    data = _fixture()
    entry = next(h for h in data.hosts if h.id == "old-gpu-server")
    fits = {f.flavor.id: (f.fits, f.limited_by) for f in host_capacity(data, entry)}

    # Six V100s installed, but only four could be passed to VMs at once.
    assert fits["gpu_4xlarge"] == (4, "GPUs")
    assert fits["gpu_tiny"] == (4, "GPUs")
    # 48 cores / 4 vCPUs; RAM (500 GB / 8 GB) would allow 62.
    assert fits["ci_medium"] == (12, "cores")
    assert fits["ci_4xlarge"] == (6, "cores")


def test_ram_can_be_the_binding_limit():
    data = _fixture()
    host = data.host("old-gpu-server")
    assert host is not None
    big = host.flavors[0].model_copy(update={"vcpus": 1, "ram_gb": 200, "gpus": 0})

    assert (flavor_fit(host, big).fits, flavor_fit(host, big).limited_by) == (2, "RAM")


def test_gpu_reach_lists_who_can_use_each_gpu_resource(fixture_copy):
    write_yaml(
        fixture_copy / DATA / "access/pandas.yaml",
        {"cirun": [{"resources": ["cirun-gpu-box"], "pull_request": False}]},
    )
    data, problems = load(fixture_copy)
    assert data is not None, problems

    reach = {r.label: r for r in gpu_reach(data)}

    assert reach["cirun-gpu-box"].feedstocks == ("pandas",)
    assert reach["cirun-gpu-box"].current is True
    assert reach["cirun-gpu-box"].gpu == "1x NVIDIA L4"
    assert (reach["cirun-openstack-gpu-large"].gpu, reach["cirun-openstack-gpu-large"].runs_on) == (
        "1x NVIDIA Tesla V100",
        "gpu-cloud / gpu_large",
    )
    assert reach["cirun-openstack-gpu-large"].feedstocks == ("numpy",)
    assert reach["cirun-aws-gpu-t4"].gpu == "1x NVIDIA T4"
    assert reach["cirun-old-gpu-large"].current is False
    assert "cirun-azure-windows-2xlarge" not in reach
    assert "cirun-openstack-cpu-large" not in reach


def test_a_synthetic_openstack_host_reports_its_flavors_and_labels(fixture_copy):
    add_synthetic_openstack_host(fixture_copy)
    data, problems = load(fixture_copy)
    assert data is not None, problems
    entry = next(h for h in data.hosts if h.id == "test-gpu-cloud")

    fits = {f.flavor.id: (f.fits, f.labels) for f in host_capacity(data, entry)}

    assert fits["gpu_double"] == (2, ())
    assert fits["gpu_small"] == (4, ("cirun-test-gpu-small",))


@pytest.mark.parametrize("width", [80, 160])
def test_the_report_command_prints_hosts_gpus_and_the_aws_pool(monkeypatch, width):
    monkeypatch.chdir(FIXTURE_ROOT)
    monkeypatch.setenv("COLUMNS", str(width))

    result = CliRunner().invoke(app, ["runners", "report"])

    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())  # the same words however narrow the terminal wraps them
    for text in (
        "old-gpu-server",
        "decommissioned 2026-03-13",
        "4 assignable at once",
        "gpu-box",
        "cirun-openstack-gpu-large",
        "g4dn.xlarge",
    ):
        assert text in shown
