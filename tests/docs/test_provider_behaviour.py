"""The provider behaviour register names the locked versions, and every entry is complete.

A provider bump in uv.lock must fail here until someone re-checks the register's entries for
that provider and updates the table (docs/provider-behaviour.md).
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from tests.conftest import REPO_ROOT

REGISTER = REPO_ROOT / "docs" / "provider-behaviour.md"
FIELDS = (
    "Provider / resource",
    "Behaviour",
    "Evidence",
    "Version read",
    "What the project does",
    "Pinned by",
)


def is_pulumi_package(name: str) -> bool:
    """The engine SDK and every provider SDK: the packages whose behaviour entries rely on."""
    return name == "pulumi" or name.startswith(("pulumi-", "pulumiverse-"))


def locked_versions(lock_text: str) -> dict[str, str]:
    lock = tomllib.loads(lock_text)
    return {
        p["name"]: p["version"] for p in lock.get("package", []) if is_pulumi_package(p["name"])
    }


def register_versions(register_text: str) -> dict[str, str]:
    """The `package | locked` columns of the register's "Locked versions" table."""
    section = register_text.split("## Locked versions", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and is_pulumi_package(cells[0]):
            rows[cells[0]] = cells[1]
    return rows


def version_mismatches(locked: dict[str, str], registered: dict[str, str]) -> list[str]:
    problems = []
    for name in sorted(locked.keys() | registered.keys()):
        have, checked = locked.get(name), registered.get(name)
        if have == checked:
            continue
        if checked is None:
            problems.append(f"{name} {have} is locked but not in the register")
        elif have is None:
            problems.append(f"{name} is in the register ({checked}) but not in uv.lock")
        else:
            problems.append(f"uv.lock has {name} {have}, the register was checked at {checked}")
    return problems


def entries(register_text: str) -> dict[str, str]:
    """Each `### PB-n: ...` entry's heading and body."""
    body = register_text.split("\n## Entries", 1)[1]
    parts = re.split(r"^### ", body, flags=re.MULTILINE)[1:]
    return {p.splitlines()[0]: p for p in parts}


def field(entry: str, name: str) -> str | None:
    m = re.search(rf"^- \*\*{re.escape(name)}\*\*: (.+?)(?=^- \*\*|\Z)", entry, re.M | re.S)
    return " ".join(m.group(1).split()) if m else None


def defined_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def entry_problems(register_text: str) -> list[str]:
    problems = []
    numbers = []
    for heading, entry in entries(register_text).items():
        m = re.match(r"PB-(\d+): \S", heading)
        if not m:
            problems.append(f"{heading!r}: heading must read 'PB-<n>: <summary>'")
            continue
        numbers.append(int(m.group(1)))
        for name in FIELDS:
            if not field(entry, name):
                problems.append(f"{heading}: no '{name}' field")
        pinned = field(entry, "Pinned by") or ""
        if pinned.startswith("none:"):
            continue
        refs = re.findall(r"`([^`]+)`", pinned)
        if not refs:
            problems.append(f"{heading}: 'Pinned by' names no `tests/...py::test` and no 'none:'")
        for ref in refs:
            path, _, test = ref.partition("::")
            target = REPO_ROOT / path
            if not (path.startswith("tests/") and target.is_file()):
                problems.append(f"{heading}: {path} is not a test file")
            elif test.split("[")[0] not in defined_functions(target):
                problems.append(f"{heading}: {path} has no test {test!r}")
    if len(set(numbers)) != len(numbers):
        problems.append("entry numbers repeat")
    return problems


def test_the_register_names_the_provider_versions_uv_lock_pins():
    problems = version_mismatches(
        locked_versions((REPO_ROOT / "uv.lock").read_text(encoding="utf-8")),
        register_versions(REGISTER.read_text(encoding="utf-8")),
    )
    assert not problems, (
        "re-check the register (docs/provider-behaviour.md) against the new provider source, "
        "then update its 'Locked versions' table:\n" + "\n".join(problems)
    )


def test_a_provider_bump_asks_for_a_re_check():
    lock = (REPO_ROOT / "uv.lock").read_text(encoding="utf-8")
    bumped = lock.replace(
        'name = "pulumi-github"\nversion = "6.15.0"', 'name = "pulumi-github"\nversion = "6.16.0"'
    )
    assert bumped != lock
    problems = version_mismatches(
        locked_versions(bumped), register_versions(REGISTER.read_text(encoding="utf-8"))
    )
    assert problems == ["uv.lock has pulumi-github 6.16.0, the register was checked at 6.15.0"]


def test_a_new_provider_in_the_lock_must_be_registered():
    assert version_mismatches({"pulumi-gitlab": "9.0.0"}, {}) == [
        "pulumi-gitlab 9.0.0 is locked but not in the register"
    ]


def test_the_register_names_the_upstream_versions_read():
    text = REGISTER.read_text(encoding="utf-8")
    assert "| pulumi-github | 6.15.0 | integrations/terraform-provider-github | v6.13.0 |" in text
    assert "| pulumiverse-heroku | 1.0.4 | heroku/terraform-provider-heroku | v5.2.10 |" in text


def test_every_entry_has_every_field_and_a_real_pinning_test():
    problems = entry_problems(REGISTER.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_an_entry_pinned_by_a_missing_test_is_refused():
    text = (
        "\n## Entries\n### PB-1: x\n"
        + "".join(f"- **{name}**: y\n" for name in FIELDS[:-1])
        + "- **Pinned by**: `tests/docs/test_provider_behaviour.py::test_nothing_here`\n"
    )
    assert entry_problems(text) == [
        "PB-1: x: tests/docs/test_provider_behaviour.py has no test 'test_nothing_here'"
    ]
