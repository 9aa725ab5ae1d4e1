"""Read a Pulumi YAML project (``Pulumi.yaml`` with ``runtime: yaml``) into plain, typed pieces.

Only what the translation needs is modelled: config values, ``fn::invoke`` variables, resources with
their type, properties and options, and whole-string ``${name.property}`` interpolations. Anything
fancier (interpolation inside a longer string, ``fn::join``, ...) stays as raw data and is reported
as untranslatable by ``translate``, never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.config.yamlio import load_yaml
from infra.errors import Problem

# `${name}`, `${name.prop}`, `${name.prop.sub}`, `${name.prop[0]}`: Pulumi YAML's property access.
_INTERPOLATION = re.compile(
    r"^\$\{(?P<root>[A-Za-z_][A-Za-z0-9_-]*)(?P<path>(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)\}$"
)


@dataclass(frozen=True)
class Ref:
    """A whole-string interpolation ``${root.path...}``."""

    root: str
    path: tuple[str, ...]

    @property
    def text(self) -> str:
        return "${" + ".".join((self.root, *self.path)) + "}"


def parse_ref(value: Any) -> Ref | None:
    """The interpolation ``value`` is, or None (a literal, or an interpolation inside text)."""
    if isinstance(value, dict) and len(value) == 1:
        # `fn::secret: ${x.y}` only marks the value secret; what it refers to is the same.
        ((key, inner),) = value.items()
        if str(key).lower() == "fn::secret":
            return parse_ref(inner)
    if not isinstance(value, str):
        return None
    m = _INTERPOLATION.match(value)
    if m is None:
        return None
    path = tuple(p for p in re.split(r"\.|\[|\]", m["path"]) if p)
    return Ref(m["root"], path)


def has_interpolation(value: Any) -> bool:
    """Whether ``value`` (any nesting) contains ``${``: such a literal is not what it seems."""
    if isinstance(value, str):
        return "${" in value.replace("$${", "")
    if isinstance(value, dict):
        return any(has_interpolation(v) for v in value.values())
    if isinstance(value, list):
        return any(has_interpolation(v) for v in value)
    return False


def canonical_token(token: str) -> str:
    """Pulumi YAML accepts short tokens; expand them so one table serves every spelling.

    ``github:Team`` → ``github:index/team:Team``; ``heroku:app:ConfigAssociation`` →
    ``heroku:app/configAssociation:ConfigAssociation``; ``onepassword:getItem`` →
    ``onepassword:index/getItem:getItem``. Full tokens are returned unchanged.
    """
    parts = token.split(":")
    if len(parts) == 2 and parts[0] != "pulumi":
        pkg, name = parts
        return f"{pkg}:index/{name[:1].lower()}{name[1:]}:{name}"
    if len(parts) == 3 and "/" not in parts[1] and parts[0] != "pulumi":
        pkg, mod, name = parts
        return f"{pkg}:{mod}/{name[:1].lower()}{name[1:]}:{name}"
    return token


@dataclass(frozen=True)
class Invoke:
    """A variable computed by ``fn::invoke`` (a data source)."""

    function: str
    """The canonical function token."""
    arguments: dict[str, Any]


@dataclass(frozen=True)
class YamlResource:
    name: str
    type: str
    """The canonical type token."""
    properties: dict[str, Any]
    options: dict[str, Any]


@dataclass(frozen=True)
class YamlProject:
    name: str
    file: str
    """The file it was read from, as given (for messages)."""
    config: dict[str, Any] = field(default_factory=dict)
    """Plain config values by key (``{value: x}`` unwrapped; secure ones left out)."""
    variables: dict[str, Invoke | Any] = field(default_factory=dict)
    resources: dict[str, YamlResource] = field(default_factory=dict)


def _plain_config(raw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(raw, dict):
        return out
    for key, value in raw.items():
        if isinstance(value, dict):
            if "secure" in value:
                continue  # encrypted: never needed here, never decrypted
            if "value" in value:
                value = value["value"]
            elif "default" in value:
                value = value["default"]
        out[str(key)] = value
    return out


def _invoke(value: Any) -> Invoke | None:
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((key, body),) = value.items()
    if str(key).lower() != "fn::invoke" or not isinstance(body, dict):
        return None
    lowered = {str(k).lower(): v for k, v in body.items()}
    function = lowered.get("function")
    arguments = lowered.get("arguments") or {}
    if not isinstance(function, str) or not isinstance(arguments, dict):
        return None
    return Invoke(canonical_token(function), dict(arguments))


def load_yaml_project(
    folder: Path, stack: str | None = None
) -> tuple[YamlProject | None, list[Problem]]:
    """Read ``folder/Pulumi.yaml`` (and config from ``Pulumi.<stack>.yaml`` beside it)."""
    path = folder / "Pulumi.yaml" if folder.is_dir() else folder
    shown = path.as_posix()
    if not path.is_file():
        return None, [Problem(shown, "", "no Pulumi.yaml here")]
    data, problems = load_yaml(path)
    if problems:
        return None, problems
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return None, [Problem(shown, "", "not a Pulumi project file (no `name`)")]
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "yaml":
        return None, [
            Problem(shown, "runtime", f"not a Pulumi YAML project (runtime `{runtime_name}`)")
        ]

    config = _plain_config(data.get("config"))
    if stack is not None:
        stack_file = path.parent / f"Pulumi.{stack}.yaml"
        if stack_file.is_file():
            stack_data, found = load_yaml(stack_file)
            problems.extend(found)
            if isinstance(stack_data, dict):
                config.update(_plain_config(stack_data.get("config")))

    variables: dict[str, Invoke | Any] = {}
    for name, value in (data.get("variables") or {}).items():
        variables[str(name)] = _invoke(value) or value

    resources: dict[str, YamlResource] = {}
    for name, body in (data.get("resources") or {}).items():
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            problems.append(Problem(shown, f"resources.{name}", "a resource needs a `type`"))
            continue
        resources[str(name)] = YamlResource(
            name=str(name),
            type=canonical_token(body["type"]),
            properties=dict(body.get("properties") or {}),
            options=dict(body.get("options") or {}),
        )
    return YamlProject(data["name"], shown, config, variables, resources), problems
