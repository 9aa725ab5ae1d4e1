"""A field's docstring is its description, as pydantic's ``use_attribute_docstrings`` reads it.

``infra.config.base.Model`` reads the docstrings itself (one parse per module, not pydantic's
per-class source search, which dominated the import of ``infra.config``); the published JSON
Schemas and docs depend on the result being the same.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from pydantic._internal._docs_extraction import extract_docstrings_from_cls

import infra.config
from infra.config.base import Model, attribute_docstrings


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
    for name, field in model.model_fields.items():
        if name in expected and name in model.__annotations__:
            assert field.description is not None


def test_a_field_description_comes_from_the_docstring_under_it() -> None:
    class Local(Model):
        plain: int
        """The plain one.

        Second paragraph."""
        explicit: int = 0
        other: str = ""
        """Other."""

    assert Local.model_fields["plain"].description == "The plain one.\n\nSecond paragraph."
    assert Local.model_fields["explicit"].description is None
    assert Local.model_fields["other"].description == "Other."
    schema = Local.model_json_schema()
    assert schema["properties"]["other"]["description"] == "Other."
