"""The base model every configuration model derives from, and pydantic-error translation."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from difflib import get_close_matches
from types import UnionType
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from infra.errors import Problem, format_loc


class Model(BaseModel):
    """Strict: unknown keys are errors, no type coercion ("1" is not 1), immutable once loaded.

    A field's docstring (the string literal under it) is its description
    (``use_attribute_docstrings``), and so reaches the published JSON Schema and docs.
    """

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        validate_default=True,
        use_attribute_docstrings=True,
        # Built on first use: a run builds the validators of the models it uses, no more.
        defer_build=True,
    )


M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def repeats(
    items: Iterable[T], key: Callable[[T], Hashable] = lambda item: item
) -> Iterator[tuple[int, T, int]]:
    """Each item a list already had (by `key`): its index, the item and the index of the first.

    The one way the configuration finds a thing "listed twice"; each caller words its message.
    """
    first: dict[Hashable, int] = {}
    for i, item in enumerate(items):
        k = key(item)
        if k in first:
            yield i, item, first[k]
        else:
            first[k] = i


def repeated(items: Sequence[str]) -> list[str]:
    """The values a list holds more than once, sorted (for a validator's one-line message)."""
    return sorted({item for _, item, _ in repeats(items)})


# Names used as identities. Kept deliberately narrow so that a typo is an error, not a new entity.
Kebab = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$")]


def _repository_name(name: str) -> str:
    """GitHub's rules beyond the character set: `.` and `..` are reserved, `.git` is stripped."""
    if name in (".", ".."):
        raise ValueError("`.` and `..` are not repository names")
    if name.casefold().endswith(".git"):
        raise ValueError("GitHub drops a trailing `.git`: write the name without it")
    return name


# GitHub's repository names: letters, digits, `.`, `_`, `-`, at most 100, not `.`/`..`.
RepoName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9._-]+$", min_length=1, max_length=100),
    AfterValidator(_repository_name),
]
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=255)]
# GitHub logins: 1-39 alphanumerics or single hyphens, not starting or ending with a hyphen.
# (pydantic's regex engine has no look-ahead, so length is a separate constraint.)
GitHubLogin = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9](?:-?[A-Za-z0-9])*$", max_length=39)
]
Description = Annotated[str, StringConstraints(min_length=1, max_length=500)]


def enum_field(**kwargs: Any) -> Any:
    """A field holding a StrEnum.

    YAML gives strings, so enums are the one place strictness relaxes.
    """
    return Field(strict=False, **kwargs)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``; did you mean `x`?`` for the known names closest to ``name`` (ignoring case), or ``""``.

    Names here are identities (repositories, secret ids, labels): GitHub compares them ignoring
    case, so a case variant is matched, not suggested as a typo.
    """
    by_key: dict[str, str] = {}
    for k in known:
        by_key.setdefault(k.casefold(), k)
    close = [by_key[c] for c in get_close_matches(name.casefold(), list(by_key), n=3)]
    return f"; did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""


def validate(
    model: type[M], data: Any, file: str, prefix: Sequence[str | int] = ()
) -> tuple[M | None, list[Problem]]:
    """Validate ``data`` as ``model``. Problems carry ``file`` and the key path under ``prefix``.

    Messages are pydantic's, never including the offending input (it could be a secret pasted by
    mistake).
    """
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = [
            Problem(file, format_loc([*prefix, *err["loc"]]), _message(model, err))
            for err in exc.errors(include_input=False, include_url=False)
        ]
        return None, problems


# Pydantic prefixes the messages of custom validators with its error type; a reader needs only the
# sentence.
_LIBRARY_PREFIXES = ("Value error, ", "Assertion failed, ")


def _message(model: type[BaseModel], err: Any) -> str:
    msg = str(err["msg"])
    pattern = (err.get("ctx") or {}).get("pattern")
    if err.get("type") == "string_pattern_mismatch" and isinstance(pattern, str):
        msg = pattern_in_words(pattern)
    for prefix in _LIBRARY_PREFIXES:
        msg = msg.removeprefix(prefix)
    if err.get("type") == "extra_forbidden" and err["loc"]:
        close = get_close_matches(str(err["loc"][-1]), _known_keys(model, err["loc"][:-1]), n=3)
        if close:
            msg = f"{msg}; did you mean {', '.join(f'`{c}`' for c in close)}?"
    return msg


def _known_keys(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The keys allowed where ``loc`` points, following nested models, lists and dicts."""
    current: Any = model
    for part in loc:
        tp = _strip(current)
        if get_origin(tp) in (Union, UnionType):
            # A tagged union: pydantic puts the tag (`github-org-secret`) in the path.
            member = _tagged(tp, part)
            if member is None:
                return []
            current = member
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = next((f for n, f in tp.model_fields.items() if part in (n, f.alias)), None)
            if field is None:
                return []
            current = field.annotation
        elif get_origin(tp) in (dict, list, tuple, set, frozenset) and get_args(tp):
            current = get_args(tp)[-1]  # a dict key or a list index: the value type
        else:
            return []
    tp = _strip(current)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or n for n, f in tp.model_fields.items()]
    return []


def _tagged(union: Any, tag: str | int) -> type[BaseModel] | None:
    """The member of a tagged union whose tag field (a ``Literal``) is ``tag``."""
    for member in get_args(union):
        member = _strip(member)
        if not (isinstance(member, type) and issubclass(member, BaseModel)):
            continue
        for f in member.model_fields.values():
            if get_origin(f.annotation) is Literal and tag in get_args(f.annotation):
                return member
    return None


def _strip(tp: Any) -> Any:
    """``Annotated[X, ...]`` and ``X | None`` → ``X``."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, UnionType):
            rest = [a for a in get_args(tp) if a is not type(None)]
            if len(rest) != 1:
                return tp
            tp = rest[0]
        else:
            return tp


# Pydantic words a pattern mismatch as the raw regular expression; a reader gets the rule in words.
_PATTERN_WORDS: dict[str, str] = {
    r"^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$": (
        "use lower-case letters, digits and `-` (not first or last), e.g. `my-name`"
    ),
    r"^[A-Za-z0-9](?:-?[A-Za-z0-9])*$": (
        "a GitHub login: letters, digits and single `-` between them, e.g. `jakirkham`"
    ),
    r"^[A-Z][A-Z0-9_]*$": "use upper-case letters, digits and `_`, starting with a letter",
    r"^https://[^\s]+$": "an `https://` URL without spaces",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "an e-mail address (`name@example.org`)",
    r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$": "an AWS region, e.g. `us-east-1`",
    r"^[0-9]{12}$": "12 digits (an AWS account id)",
    r"^[a-z]{2}(-[a-z]+)+-[0-9]$": "an AWS region, e.g. `us-east-1`",
    r"^[A-Za-z0-9_.*-]+/[A-Za-z0-9_.*/-]+(@[A-Za-z0-9_.*/-]+)?$": (
        "an action as `owner/repository[/path][@ref]`, `*` allowed, e.g. `actions/checkout@*`"
    ),
    r"^[a-z_]+$|^\*$": "an event name in lower-case and `_` (e.g. `pull_request`), or `*`",
    r"^[a-z][a-z_]*(\.[a-z][a-z_]*)?$": "a field name, or `item.field`, in lower-case and `_`",
    r"^[a-z0-9][a-z0-9-]*[a-z0-9]$": (
        "use lower-case letters, digits and `-` (not first or last), e.g. `cirun-hetzner-gpu`"
    ),
}
_CLASS_WORDS = (("A-Za-z", "letters"), ("a-z", "lower-case letters"), ("A-Z", "upper-case letters"))


def pattern_in_words(pattern: str) -> str:
    """A regular expression of this project's data types as a rule a person reads."""
    known = _PATTERN_WORDS.get(pattern)
    if known is not None:
        return known
    classes = re.findall(r"\[(\^?)([^\]]*)\]", pattern)
    allowed: list[str] = []
    for negated, body in classes:
        if negated:
            continue
        for chars, words in _CLASS_WORDS:
            if chars in body:
                body = body.replace(chars, "")
                if words not in allowed:
                    allowed.append(words)
        if "0-9" in body:
            body = body.replace("0-9", "")
            if "digits" not in allowed:
                allowed.append("digits")
        for ch in body.replace("\\", ""):
            shown = "space" if ch == " " else f"`{ch}`"
            if shown not in allowed:
                allowed.append(shown)
    lead = re.match(r"^\^([A-Za-z0-9:/._-]+)", pattern)
    start = f"starts with `{lead.group(1)}`; " if lead else ""
    rest = re.sub(
        r"\[[^\]]*\]|\{[0-9,]*\}|[\^$*+?]", "", pattern[len(lead.group(0)) if lead else 0 :]
    )
    if rest or not allowed:
        # Literal characters or groups outside the classes: words would say less than it does.
        return f"not in the form this key takes (pattern `{pattern}`; docs/reference/)"
    words = ", ".join(allowed[:-1]) + (" and " if len(allowed) > 1 else "") + allowed[-1]
    return f"{start}use only {words}"
