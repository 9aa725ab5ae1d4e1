"""No top-level name in infra/ may shadow a stdlib or installed module.

Pulumi's Python language host runs the program with cwd ``infra/`` and
``runpy.run_path(".")``, which puts ``infra/`` first on ``sys.path``. A module
``infra/X.py`` or package ``infra/X/`` is then what *every* library gets for
``import X``: ``infra/markdown.py`` would replace the ``markdown`` distribution,
``infra/secrets.py`` the stdlib ``secrets``, for Pulumi's SDK as much as for us.
"""

import importlib.machinery
import importlib.metadata
import sys
from pathlib import Path

INFRA = Path(__file__).resolve().parents[2] / "infra"
_SUFFIXES = tuple(importlib.machinery.all_suffixes())


def _top_level_names(folder: Path) -> dict[str, Path]:
    """Names `import X` resolves to a module or regular package in `folder`."""
    names: dict[str, Path] = {}
    for path in folder.iterdir():
        if path.is_dir() and (path / "__init__.py").is_file():
            names[path.name] = path
        elif path.is_file() and path.name.endswith(_SUFFIXES):
            name = path.name.split(".", 1)[0]
            if name not in ("__init__", "__main__"):
                names[name] = path
    return names


def _clashes(names: dict[str, Path]) -> list[str]:
    distributions = importlib.metadata.packages_distributions()
    problems = []
    for name, path in sorted(names.items()):
        owners = []
        if name in sys.stdlib_module_names:
            owners.append("the standard library")
        owners += [f"the {d!r} distribution" for d in sorted(set(distributions.get(name, [])))]
        if owners:
            problems.append(
                f"infra/{path.name} shadows `import {name}` from {' and '.join(owners)} "
                "for every library the program imports (the language host puts infra/ "
                f"first on sys.path); rename it, e.g. infra/{name}_/ or a name of the "
                "domain, and update its imports, the import-linter contracts in "
                "pyproject.toml and the docs"
            )
    return problems


def test_infra_top_level_names_shadow_nothing() -> None:
    names = _top_level_names(INFRA)
    assert "config" in names  # the listing sees packages
    assert "markdown" in names  # and modules
    problems = _clashes(names)
    assert not problems, "\n".join(problems)


def test_a_clash_is_reported_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "secrets.py").write_text("")
    (tmp_path / "pulumi").mkdir()
    (tmp_path / "pulumi" / "__init__.py").write_text("")
    (tmp_path / "data").mkdir()  # no __init__.py: a namespace portion never wins
    (tmp_path / "__main__.py").write_text("")
    problems = _clashes(_top_level_names(tmp_path))
    assert len(problems) == 2, problems
    assert problems[0].startswith("infra/pulumi shadows `import pulumi` from the 'pulumi'")
    assert "rename it" in problems[0]
    assert problems[1].startswith("infra/secrets.py shadows `import secrets` from the standard")
