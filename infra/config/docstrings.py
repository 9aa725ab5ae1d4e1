"""Field docstrings as descriptions, read only for the JSON Schemas and the docs rendered from them.

A configuration model documents a field with the string literal under it, as pydantic's
``use_attribute_docstrings`` reads it. Only the published JSON Schemas (and the Markdown rendered
from them) read a description; validating and planning never do. So the source is parsed here, when
a schema is generated (``infra.config.base.describe``), not when a model class is created: that
parse cost every ``cfinfra plan`` about 20 ms for nothing.

Why not pydantic's ``use_attribute_docstrings``: it runs at class creation, and on Python < 3.13 it
finds each class's source by walking frames, tokenizes the class block and parses it twice, per
class. Parsing each module once gives the same descriptions: test_attribute_docstrings.py compares
the two for every model, and the JSON Schemas with pydantic's own.
"""

from __future__ import annotations

import ast
import inspect
import sys
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any, get_args
from weakref import WeakSet

from pydantic import BaseModel


@cache
def _class_bodies(module: str) -> dict[str, list[ast.ClassDef]]:
    """Every class statement of a module's source, by qualified name (``Outer.Inner``)."""
    file = getattr(sys.modules.get(module), "__file__", None)
    found: dict[str, list[ast.ClassDef]] = {}
    if not file or not file.endswith(".py"):
        return found
    try:
        with open(file, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError, ValueError):
        return found

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                found.setdefault(prefix + stmt.name, []).append(stmt)
                walk(stmt.body, f"{prefix}{stmt.name}.")
            elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                walk(stmt.body, f"{prefix}{stmt.name}.<locals>.")

    walk(tree.body, "")
    return found


def attribute_docstrings(cls: type) -> dict[str, str]:
    """Field name → the docstring written under it in ``cls``'s own body (pydantic's rule: a
    string statement right after an annotated assignment)."""
    bodies = _class_bodies(cls.__module__).get(cls.__qualname__, [])
    if len(bodies) != 1:
        # Not found once by name (defined twice, or from no readable source): pydantic's own way.
        from pydantic._internal._docs_extraction import extract_docstrings_from_cls

        return extract_docstrings_from_cls(cls, use_inspect=True)
    docs: dict[str, str] = {}
    target: str | None = None
    previous: ast.stmt | None = None
    for stmt in bodies[0].body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            target = stmt.target.id
        elif (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
            and isinstance(previous, ast.AnnAssign)
        ):
            if target:
                docs[target] = inspect.cleandoc(stmt.value.value)
            target = None
        previous = stmt
    return docs


_described: WeakSet[type[BaseModel]] = WeakSet()
"""Models whose core schema, if built, was built with every description it can reach."""


def describe_models(models: Iterable[type[BaseModel]], documented: type[BaseModel]) -> None:
    """Give every field of a ``documented`` subclass reachable from ``models`` (through field types)
    its docstring as ``description``, and rebuild each reachable model built without them.

    The result is what ``use_attribute_docstrings`` gives at class creation: a field declared in a
    class takes the docstring under it (unless it has a description already), an inherited one
    keeps its base's. Descriptions are documentation: validation never depends on them.
    """
    filled: set[type] = set()
    for cls in _children_first(models):
        if issubclass(cls, documented):
            _fill(cls, documented, filled)
        if cls in _described:
            continue
        # A built model holds the core schemas of the models it nests, taken when it was built; its
        # children are rebuilt first, so its own rebuild picks up their descriptions.
        if cls.__pydantic_complete__:
            cls.model_rebuild(force=True)
        _described.add(cls)


def _fill(cls: type[BaseModel], documented: type[BaseModel], filled: set[type]) -> None:
    if cls in filled:
        return
    filled.add(cls)
    bases = [b for b in cls.__bases__ if issubclass(b, documented)]
    for base in bases:
        _fill(base, documented, filled)
    docs = attribute_docstrings(cls)
    own = inspect.get_annotations(cls)
    for name, field in cls.__pydantic_fields__.items():
        if field.description is not None:
            continue
        if name in own:
            field.description = docs.get(name)
        else:
            # pydantic copies an inherited field from the first base that has it.
            parent = next(
                (b.__pydantic_fields__[name] for b in bases if name in b.__pydantic_fields__), None
            )
            field.description = parent.description if parent else None


def _children_first(models: Iterable[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    """Every model reachable from ``models`` through field types, each after those it nests."""
    seen: set[type] = set()

    def visit(cls: type[BaseModel]) -> Iterator[type[BaseModel]]:
        if cls in seen:
            return
        seen.add(cls)
        for field in cls.__pydantic_fields__.values():
            for nested in _models_in(field.annotation):
                yield from visit(nested)
        yield cls

    for model in models:
        yield from visit(model)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The pydantic models a type annotation names (``list[X]``, ``X | None``, ``Annotated``...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)
