"""Helpers for the runner tests: load a copy's runner data, edit its YAML, fingerprint it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from infra.config.loader import load_runner_data
from infra.config.runners import RunnerData
from infra.errors import Problem

DATA = Path("data/runners")


def load(root: Path) -> tuple[RunnerData | None, list[Problem]]:
    return load_runner_data(root / DATA, root)


def edit_yaml(path: Path, change: Callable[[Any], Any]) -> None:
    """Load ``path``, let ``change`` mutate (or replace) the document, write it back."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = change(doc)
    path.write_text(
        yaml.safe_dump(doc if result is None else result, sort_keys=False), encoding="utf-8"
    )


def write_yaml(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` → sha256 of its bytes (proves "byte-for-byte as before")."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


SYNTHETIC_HOST = {
    "description": "A synthetic current OpenStack GPU host (tests only)",
    "kind": "openstack",
    "cpu": {"model": "Test CPU", "cores": 32},
    "ram_gb": 256,
    "gpu": {"model": "Test GPU", "count": 4, "assignable": 4, "memory_gb": 24},
    "openstack": {
        "auth_url": "https://keystone.example.org:5000/v3",
        "region": "TestRegion",
        "gpu_pci_alias": "testgpu",
    },
    "flavors": [
        {"id": "gpu_small", "vcpus": 8, "ram_gb": 32, "disk_gb": 80, "gpus": 1},
        {"id": "gpu_double", "vcpus": 16, "ram_gb": 64, "disk_gb": 120, "gpus": 2},
        {"id": "cpu_small", "vcpus": 4, "ram_gb": 8, "disk_gb": 40},
    ],
}


def add_synthetic_openstack_host(root: Path) -> None:
    """A current OpenStack host with a GPU label on it, so flavors get declared."""
    write_yaml(root / DATA / "hosts" / "test-gpu-cloud.yaml", SYNTHETIC_HOST)
    add_openstack_credentials(root, "test-gpu-cloud")
    edit_yaml(
        root / DATA / "resources.yaml",
        lambda doc: doc["resources"].append(
            {
                "label": "cirun-test-gpu-small",
                "cloud": "openstack",
                "host": "test-gpu-cloud",
                "flavor": "gpu_small",
                "image": "ubuntu-2404-nvidia",
                "region": "TestRegion",
            }
        ),
    )


def add_openstack_credentials(root: Path, host: str) -> None:
    """The host's provider credentials (application credentials), from 1Password like every
    provider credential: the deploy's (vault `deploy`) and the read-only runs' (a reader-role
    credential). A current OpenStack host without them is a validation error."""
    for run, vault, extra in (
        ("", "deploy", {}),
        ("read-only-", "pulumi", {"environment": "read-only", "access": "read"}),
    ):
        for part in ("id", "secret"):
            sid = f"{host}-{run}credential-{part}"
            write_yaml(
                root / "secrets" / f"{sid}.yaml",
                {
                    "description": f"Application credential {part} of host {host}",
                    "owner": "core",
                    "onepassword": {"vault": vault, "item": sid, "field": "credential"},
                    "sensitivity": "critical",
                    "cleared_for": "core",
                    "rotation": {"max_age_days": 365, "mode": "manual"},
                    "targets": [
                        {
                            "kind": "provider-credential",
                            "provider": "openstack",
                            "host": host,
                            "input": f"application_credential_{part}",
                            **extra,
                        }
                    ],
                },
            )
