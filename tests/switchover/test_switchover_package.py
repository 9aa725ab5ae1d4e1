"""The switch-over tooling is one package nothing weekly imports, deletable in one commit."""

from __future__ import annotations

import pkgutil
import tomllib

import pytest

import infra
from infra.cli import LAZY, LAZY_IN_GROUP
from infra.config.files import UnsafeName, file_in
from tests.conftest import REPO_ROOT

ONE_TIME = {"import-yaml", "import-plan", "adopt", "actions-audit", "clearance-tags"}


def test_every_one_time_command_lives_in_the_switchover_package():
    assert {n for n, lazy in LAZY.items() if lazy.module.startswith("infra.switchover.")} == (
        ONE_TIME
    )
    assert LAZY_IN_GROUP["runners"]["import-access"].module.startswith("infra.switchover.")
    assert LAZY_IN_GROUP["rotation"]["bootstrap-ages"].module.startswith("infra.switchover.")


def test_the_import_contract_covers_every_weekly_module():
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c.get("forbidden_modules") == ["infra.switchover"]
    ]
    top = {f"infra.{m.name}" for m in pkgutil.iter_modules(infra.__path__)}
    # Only the CLI (which names the commands) and the package itself are outside the contract.
    assert set(contract["source_modules"]) == top - {"infra.cli", "infra.switchover"}


@pytest.mark.parametrize(
    "name", ["", ".", "..", "../x", "a/b", "a\\b", "/etc/passwd", "x\0y", "x\ny", "a\u202eb"]
)
def test_an_outside_name_with_a_path_in_it_is_refused(tmp_path, name):
    with pytest.raises(UnsafeName):
        file_in(tmp_path, name, ".yaml")


def test_an_outside_name_resolving_out_of_the_folder_through_a_symlink_is_refused(tmp_path):
    folder = tmp_path / "access"
    folder.mkdir()
    (folder / "numpy.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    with pytest.raises(UnsafeName, match="resolves outside"):
        file_in(folder, "numpy", ".yaml")
    assert file_in(folder, "scipy", ".yaml") == folder / "scipy.yaml"
