"""Turn an admin-requests runner request into an edit of the access data: requests in, grants out.

A request (`action: cirun|namespace|blacksmith|depot`) is checked against the data, applied in
memory, the whole data set re-validated, and only then written. Grants are exact inverses of
revokes: granting something a feedstock already has, or revoking something it does not have, is
refused, so applying a request and then its revoke leaves every file byte-for-byte as it was.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints

from infra.config.base import Model, enum_field, repeats, validate
from infra.config.files import file_in, write_all
from infra.config.loader import check_runner_data
from infra.config.runners import (
    FEEDSTOCK_PATTERN,
    AccessEntry,
    CirunGrant,
    FeedstockAccess,
    RunnerData,
)
from infra.config.yamlio import display_path, load_yaml
from infra.errors import Problem
from infra.runners.access_files import access_text

_FEEDSTOCK = re.compile(FEEDSTOCK_PATTERN)
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class RequestAction(StrEnum):
    """The admin-requests actions that grant runners."""

    CIRUN = "cirun"
    NAMESPACE = "namespace"
    BLACKSMITH = "blacksmith"
    DEPOT = "depot"


class RunnerRequest(Model):
    """A runner request file from conda-forge/admin-requests (`examples/example-cirun.yml`)."""

    action: RequestAction = enum_field()
    """`cirun` for cirun resources; `namespace`, `blacksmith` or `depot` for large runners."""
    feedstocks: list[Name] = Field(min_length=1)
    """Feedstock names without the `-feedstock` suffix."""
    resources: list[Name] | None = None
    """For `cirun`: the labels, each starting with `cirun-`."""
    pull_request: bool = False
    """For `cirun`: allow the runners on pull requests too."""
    revoke: bool = False
    """Remove the access instead of granting it."""
    send_pr: bool = True
    """For `cirun`: admin-requests' job sends the feedstock a pull request enabling the runners."""


@dataclass(frozen=True)
class Change:
    """One feedstock's access before and after (None: no access file)."""

    feedstock: str
    before: FeedstockAccess | None
    after: FeedstockAccess | None
    summary: str


def read_request(
    path: Path, root: Path | None = None
) -> tuple[RunnerRequest | None, list[Problem]]:
    # The file is named on the command line (an admin-requests checkout, anywhere): ``root`` only
    # shortens its name in messages, it does not confine it.
    data, problems = load_yaml(path, root, confine=False)
    if problems:
        return None, problems
    return validate(RunnerRequest, data, display_path(path, root))


def _check_feedstocks(req: RunnerRequest, file: str) -> list[Problem]:
    problems = []
    for i, name in enumerate(req.feedstocks):
        path = f"feedstocks[{i}]"
        if name.endswith("-feedstock"):
            problems.append(
                Problem(
                    file,
                    path,
                    f"write the package name `{name.removesuffix('-feedstock')}` "
                    "without `-feedstock`",
                )
            )
        elif not _FEEDSTOCK.match(name):
            problems.append(
                Problem(file, path, f"`{name}` is not a feedstock name (lower-case, digits, `._-`)")
            )
    for i, name, _ in repeats(req.feedstocks):
        problems.append(Problem(file, f"feedstocks[{i}]", f"`{name}` is listed twice"))
    return problems


def _check_cirun_resources(req: RunnerRequest, data: RunnerData, file: str) -> list[Problem]:
    if not req.resources:
        return [Problem(file, "resources", "a cirun request names at least one resource")]
    problems = []
    for j, label in enumerate(req.resources):
        path = f"resources[{j}]"
        resource = data.resource(label)
        if not label.startswith("cirun-"):
            problems.append(Problem(file, path, f"`{label}`: cirun resources start with `cirun-`"))
        elif resource is None:
            known = ", ".join(r.label for r in data.current_resources)
            problems.append(Problem(file, path, f"unknown resource `{label}`; available: {known}"))
        elif not req.revoke and not data.is_current(resource):
            problems.append(
                Problem(file, path, f"`{label}` is retired (its host is decommissioned)")
            )
    for j, label, _ in repeats(req.resources):
        problems.append(Problem(file, f"resources[{j}]", f"`{label}` is listed twice"))
    return problems


def _check_large_runner_fields(req: RunnerRequest, data: RunnerData, file: str) -> list[Problem]:
    problems = []
    if req.resources is not None:
        problems.append(Problem(file, "resources", "only `cirun` requests name resources"))
    if req.pull_request:
        problems.append(Problem(file, "pull_request", "only `cirun` requests set pull_request"))
    if req.action.value not in {p.id for p in data.providers}:
        problems.append(
            Problem(file, "action", f"provider `{req.action}` is not in providers.yaml")
        )
    return problems


def _grant_cirun(
    fs: str, i: int, access: FeedstockAccess, req: RunnerRequest, file: str
) -> tuple[FeedstockAccess, list[Problem]]:
    labels = req.resources or []
    problems = []
    held = {label: g.policy_id(fs) for g in access.cirun for label in g.resources}
    for j, label in enumerate(labels):
        if label in held:
            problems.append(
                Problem(file, f"resources[{j}]", f"`{fs}` already has `{label}` ({held[label]})")
            )
    # The request-managed policy is the feedstock's default one, as admin-requests created it.
    default = next((g for g in access.cirun if g.name is None), None)
    if default is not None and default.pull_request != req.pull_request:
        problems.append(
            Problem(
                file,
                "pull_request",
                f"`{fs}` has pull_request: {str(default.pull_request).lower()} on "
                f"{default.policy_id(fs)}; changing it is a hand edit of the access file",
            )
        )
    if problems:
        return access, problems
    others = [g for g in access.cirun if g is not default]
    if default is None:
        grant = CirunGrant(resources=list(labels), pull_request=req.pull_request)
    else:
        grant = default.model_copy(update={"resources": [*default.resources, *labels]})
    return access.model_copy(update={"cirun": [*others, grant]}), []


def _revoke_cirun(
    fs: str, i: int, access: FeedstockAccess, req: RunnerRequest, file: str
) -> tuple[FeedstockAccess, list[Problem]]:
    labels = req.resources or []
    held = {label for g in access.cirun for label in g.resources}
    problems = [
        Problem(file, f"resources[{j}]", f"`{fs}` has no access to `{label}`; nothing to revoke")
        for j, label in enumerate(labels)
        if label not in held
    ]
    if problems:
        return access, problems
    grants = []
    for g in access.cirun:
        kept = [r for r in g.resources if r not in labels]
        if kept:
            grants.append(g if kept == g.resources else g.model_copy(update={"resources": kept}))
    return access.model_copy(update={"cirun": grants}), []


def _large_runners(
    fs: str, i: int, access: FeedstockAccess, req: RunnerRequest, file: str
) -> tuple[FeedstockAccess, list[Problem]]:
    provider = req.action.value
    has = provider in access.large_runners
    if req.revoke and not has:
        return access, [
            Problem(
                file, f"feedstocks[{i}]", f"`{fs}` has no {provider} runners; nothing to revoke"
            )
        ]
    if not req.revoke and has:
        return access, [Problem(file, f"feedstocks[{i}]", f"`{fs}` already has {provider} runners")]
    runners = (
        [p for p in access.large_runners if p != provider]
        if req.revoke
        else [*access.large_runners, provider]
    )
    return access.model_copy(update={"large_runners": runners}), []


def _summary(fs: str, req: RunnerRequest) -> str:
    what = (
        ", ".join(req.resources or [])
        if req.action is RequestAction.CIRUN
        else f"{req.action} large runners"
    )
    if req.revoke:
        return f"revoke {what} from {fs}"
    prs = " (pull requests too)" if req.action is RequestAction.CIRUN and req.pull_request else ""
    return f"grant {what} to {fs}{prs}"


def plan_request(
    data: RunnerData, req: RunnerRequest, file: str
) -> tuple[list[Change], list[Problem]]:
    """Check ``req`` and compute every feedstock's new access; nothing is written."""
    problems = _check_feedstocks(req, file)
    if req.action is RequestAction.CIRUN:
        problems += _check_cirun_resources(req, data, file)
        step = _revoke_cirun if req.revoke else _grant_cirun
    else:
        problems += _check_large_runner_fields(req, data, file)
        step = _large_runners
    if problems:
        return [], problems
    current = {a.feedstock: a.access for a in data.access}
    changes = []
    for i, fs in enumerate(req.feedstocks):
        before = current.get(fs)
        after, found = step(fs, i, before or FeedstockAccess(), req, file)
        problems += found
        empty = not after.cirun and not after.large_runners
        changes.append(Change(fs, before, None if empty else after, _summary(fs, req)))
    if problems:
        return [], problems
    # The result must pass every rule the data passes (e.g. a generated policy id must stay unique).
    return changes, check_runner_data(apply_changes(data, changes))


def apply_changes(data: RunnerData, changes: list[Change]) -> RunnerData:
    """``data`` with the changed feedstocks' access replaced (in memory)."""
    by_fs = {c.feedstock: c for c in changes}
    access = [a for a in data.access if a.feedstock not in by_fs]
    for c in changes:
        if c.after is not None:
            access.append(
                AccessEntry(c.feedstock, f"{data.data_dir}/access/{c.feedstock}.yaml", c.after)
            )
    return dataclasses.replace(data, access=tuple(sorted(access, key=lambda a: a.feedstock)))


def write_changes(data: RunnerData, data_dir: Path, changes: list[Change]) -> list[Path]:
    """Write every changed access file in canonical form (deleting emptied ones), all at once."""
    texts = {
        file_in(data_dir / "access", c.feedstock, ".yaml"): access_text(data, c.feedstock, c.after)
        for c in changes
    }
    write_all(texts)
    return list(texts)
