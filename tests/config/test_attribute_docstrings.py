"""A field's docstring is its description, as pydantic's ``use_attribute_docstrings`` makes it, in
every JSON Schema; and nothing but a JSON Schema reads it.

``infra.config.docstrings`` reads the docstrings itself (one parse per module, not pydantic's
per-class source search) and only when a schema is generated, never when a model class is created:
validating and planning do not pay for documentation. The published JSON Schemas and docs depend on
the result being pydantic's.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
import textwrap

import pytest
from pydantic import BaseModel, ConfigDict, Field
from pydantic._internal._docs_extraction import extract_docstrings_from_cls

import infra.config
from infra.config.base import Model, describe
from infra.config.docstrings import attribute_docstrings
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK, REPO_ROOT


def _models() -> list[type[Model]]:
    for module in pkgutil.iter_modules(infra.config.__path__, "infra.config."):
        importlib.import_module(module.name)
    importlib.import_module("infra.runners.requests")
    found, todo = [], list(Model.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


MODELS = _models()


def test_every_data_model_is_compared() -> None:
    assert len(MODELS) > 40


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.__module__}.{m.__qualname__}")
def test_docstrings_are_the_ones_pydantic_reads(model: type[Model]) -> None:
    expected = extract_docstrings_from_cls(model, use_inspect=True)
    assert attribute_docstrings(model) == expected
    describe(model)
    own = inspect.get_annotations(model)
    for name, field in model.model_fields.items():
        if name in own:
            assert field.description == expected.get(name), name
        else:  # inherited: pydantic copies the base's field, description included
            base = next(b for b in model.__bases__ if name in getattr(b, "model_fields", {}))
            assert field.description == base.model_fields[name].description, name


class Pydantic(BaseModel):
    """``Model``'s configuration with pydantic's own docstring reading, the reference."""

    model_config = ConfigDict(
        {**Model.model_config, "use_attribute_docstrings": True, "defer_build": False}
    )


def _family(base: type[BaseModel]) -> type[BaseModel]:
    """Nested, inherited, redefined and explicitly described fields, on ``base``."""

    class Inner(base):  # type: ignore[valid-type, misc]
        x: int
        """The x.

        Second paragraph."""

    class Parent(base):  # type: ignore[valid-type, misc]
        a: int
        """From the parent."""
        b: int = 0

    class Outer(Parent):  # type: ignore[valid-type, misc]
        inner: Inner
        """An inner one."""
        several: list[Inner] | None = None
        """Several."""
        b: int = 1
        """Redefined here."""
        c: str = Field("", description="Explicit.")
        """Not this one."""
        d: int = 0

    return Outer


@pytest.mark.parametrize("validated_first", [False, True], ids=["fresh", "validated-first"])
def test_json_schema_is_pydantics_own(validated_first: bool) -> None:
    ours, reference = _family(Model), _family(Pydantic)
    if validated_first:  # built (the plan's case) before any schema: rebuilt with descriptions
        ours.model_validate({"inner": {"x": 1}, "a": 2})
    schema = ours.model_json_schema()
    assert schema == reference.model_json_schema()
    inner = schema["$defs"]["Inner"]["properties"]
    assert inner["x"]["description"] == "The x.\n\nSecond paragraph."
    assert ours.model_validate({"inner": {"x": 1}, "a": 2}).inner.x == 1


def test_a_root_model_of_models_is_described() -> None:
    from pydantic import RootModel

    Outer = _family(Model)

    class Many(RootModel[dict[str, Outer]]):  # type: ignore[valid-type]
        pass

    Many.model_validate({"one": {"inner": {"x": 1}, "a": 2}})
    describe(Many)
    schema = Many.model_json_schema()
    assert schema["$defs"]["Inner"]["properties"]["x"]["description"].startswith("The x.")
    assert schema["$defs"]["Outer"]["properties"]["a"]["description"] == "From the parent."


def test_validation_reads_no_description() -> None:
    class Local(Model):
        plain: int
        """The plain one."""

    assert Local.model_validate({"plain": 1}).plain == 1
    assert Local.model_fields["plain"].description is None
    assert Local.model_json_schema()["properties"]["plain"]["description"] == "The plain one."
    assert Local.model_fields["plain"].description == "The plain one."


# Counts every parse of Python source holding a class (a module, or a class block as pydantic's
# own extraction parses it); the parses `inspect` makes of builtins' signatures hold none.
_PLAN_PARSES = textwrap.dedent(
    """
    import ast, sys
    from pathlib import Path
    parsed = []
    _parse = ast.parse
    def parse(*args, **kwargs):
        tree = _parse(*args, **kwargs)
        if any(isinstance(node, ast.ClassDef) for node in ast.walk(tree)):
            parsed.append(1)
        return tree
    ast.parse = parse
    from infra.plan.engine import plan_stack
    plan = plan_stack(Path(sys.argv[1]), sys.argv[2])
    assert plan.resources
    print(len(parsed), "infra.config.docstrings" in sys.modules)
    """
)


def test_loading_and_planning_parse_no_source_for_docstrings() -> None:
    run = subprocess.run(
        [sys.executable, "-c", _PLAN_PARSES, str(FIXTURE_ROOT), FIXTURE_STACK],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.split() == ["0", "False"], run.stdout + run.stderr
