"""Plans with URNs, `pulumi stack export` documents and `pulumi preview --json` documents in the
shapes the real CLI writes (docs: /work/shared/context/pulumi-offline.md, "Real CLI formats")."""

from __future__ import annotations

from typing import Any

from infra.plan.model import Plan, PlannedResource

STACK = "prod"
PROJECT = "conda-forge-infra"
PREFIX = f"urn:pulumi:{STACK}::{PROJECT}::"
STACK_URN = f"{PREFIX}pulumi:pulumi:Stack::{PROJECT}-{STACK}"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

WEBHOOKS = "cfinfra:github:Webhooks"
HOOK_T = "github:index/organizationWebhook:OrganizationWebhook"
REPO_T = "github:index/repository:Repository"
MEMBER_T = "github:index/membership:Membership"
SECRET_T = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"


def urn(type_: str, name: str, parent_type: str | None = None, stack: str = STACK) -> str:
    chain = f"{parent_type}${type_}" if parent_type else type_
    return f"urn:pulumi:{stack}::{PROJECT}::{chain}::{name}"


def resource(
    type_: str, name: str, inputs: dict[str, Any], parent_type: str | None = None
) -> PlannedResource:
    return PlannedResource(
        type=type_,
        name=name,
        inputs=inputs,
        parent=f"{parent_type}::github-webhooks" if parent_type else None,
        urn=urn(type_, name, parent_type),
    )


def hook(name: str, events: list[str] | None = None) -> PlannedResource:
    inputs = {
        "active": True,
        "configuration": {"url": f"https://x/{name}"},
        "events": events or ["push"],
    }
    return resource(HOOK_T, name, inputs, WEBHOOKS)


def repo(name: str, description: str = "") -> PlannedResource:
    return resource(REPO_T, f"conda-forge/{name}", {"name": name, "description": description})


def member(login: str, role: str = "member") -> PlannedResource:
    return resource(MEMBER_T, f"member-{login}", {"role": role, "username": login})


def org_secret(name: str) -> PlannedResource:
    return resource(SECRET_T, f"org-secret-{name}", {"secretName": name, "value": "[secret]"})


def plan(*resources: PlannedResource) -> Plan:
    component = PlannedResource(
        type=WEBHOOKS, name="github-webhooks", inputs={}, urn=urn(WEBHOOKS, "github-webhooks")
    )
    return Plan(STACK, sorted([component, *resources], key=lambda r: (r.type, r.name)))


def stack_export(p: Plan) -> dict[str, Any]:
    """What `pulumi stack export` would hold after `pulumi up` of ``p``: the root stack, a default
    provider, every resource with its state inputs (secrets as ciphertext objects)."""

    def state_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
        return {
            k: {SIG_KEY: SECRET_SIG, "ciphertext": "v1:AAAA"} if v == "[secret]" else v
            for k, v in inputs.items()
        }

    root = urn("pulumi:pulumi:Stack", f"{PROJECT}-{p.stack}", stack=p.stack)
    resources: list[dict[str, Any]] = [
        {"urn": root, "custom": False, "type": "pulumi:pulumi:Stack"},
        {
            "urn": urn("pulumi:providers:github", "default_6_15_0", stack=p.stack),
            "custom": True,
            "id": "p1",
            "type": "pulumi:providers:github",
        },
    ]
    for r in p.resources:
        parent = root
        if r.parent:
            ptype, pname = r.parent.split("::", 1)
            parent = urn(ptype, pname, stack=p.stack)
        resources.append(
            {
                "urn": r.urn,
                "custom": not r.type.startswith("cfinfra:"),
                "id": f"id-{r.name}",
                "type": r.type,
                "inputs": state_inputs(r.inputs),
                "outputs": state_inputs(r.inputs),
                "parent": parent,
                "protect": r.protect,
            }
        )
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-11-29T09:00:00Z", "version": "v3.272.0"},
            "secrets_providers": {"type": "awskms"},
            "resources": resources,
        },
    }


def step(
    op: str,
    urn_: str,
    *,
    detailed: dict[str, str] | None = None,
    reasons: list[str] | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "op": op,
        "urn": urn_,
        "provider": f"{PREFIX}pulumi:providers:github::github::id",
    }
    if old is not None:
        out["oldState"] = {"urn": urn_, "inputs": old}
    if new is not None:
        out["newState"] = {"urn": urn_, "inputs": new}
    if reasons is not None:
        out["diffReasons"] = reasons
    if detailed is not None:
        out["detailedDiff"] = {k: {"kind": v, "inputDiff": True} for k, v in detailed.items()}
    else:
        out["detailedDiff"] = None
    return out


def preview(*steps: dict[str, Any]) -> dict[str, Any]:
    return {
        "config": {},
        "steps": [{"op": "same", "urn": STACK_URN}, *steps],
        "diagnostics": [],
        "duration": 1_000_000,
        "changeSummary": {},
    }
