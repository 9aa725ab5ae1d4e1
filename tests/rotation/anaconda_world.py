"""A world for the anaconda.org rotator: recorded HTTP, the 1Password fake, the offline plan.

- **anaconda.org** answers through ``responses`` (``binstar_client`` uses ``requests``) with
  responses shaped like its ``/authentications`` API, each call refusing the wrong scheme:
  ``POST /authentications`` only with ``Authorization: Bearer <the issuer's API key>`` (``note`` =
  name, ``user`` = org, ``fail-if-exists`` → 400 on a taken name; 403 for an organisation the
  issuer does not belong to) returns ``{"token": ...}``; ``GET /authentication`` with
  ``Authorization: token T`` describes T (401 for a token it never issued, 403 for one removed);
  ``DELETE /authentications/org/{org}/name/{name}`` and ``GET /user/orgs`` only with
  ``Authorization: token <the issuer's anaconda.org token>`` (201, 404 if absent; 403 for a foreign
  organisation). Its state is a table of tokens, so "valid" means anaconda.org would accept it.
- **Targets** (GitHub org secret, Azure variable group, Heroku config vars) are a small table the
  *real* read-only verifier reads through recorded GitHub, Azure DevOps and Heroku responses.
- **Delivery** applies the offline plan: the resources a targeted ``pulumi up`` names are looked up
  among the real program's registrations (run once offline), and each placeholder of the rotated
  secret in their inputs is replaced by what 1Password holds, written into the target table.

Side effects are traced (``op:items.put``, ``anaconda:create``, ``anaconda:remove``,
``pulumi:up``); after each, the invariant is checked (the stored token is valid and every target
holds a valid token) and the process may "crash" (``Crash``, a ``BaseException``).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import responses
from pulumi.runtime import rpc
from pydantic import SecretStr

from infra.config.loader import Project, load_project
from infra.config.manifest import (
    AzureVariableTarget,
    GitHubOrgSecretTarget,
    HerokuConfigVarTarget,
    SecretEntry,
)
from infra.rotation.anaconda import AnacondaTokenRotator, Wiring
from infra.rotation.anaconda_api import DEFAULT_DOMAIN, BinstarApi
from infra.rotation.base import RotationContext, RotationReport
from infra.rotation.delivery import AZURE_DEVOPS, GITHUB_API, HEROKU_API, HttpVerifier
from infra.rotation.targets import Carriers, carriers
from infra.sources.offline import placeholder
from tests.fakes.onepassword import FakeClient
from tests.github import provider_model as provider

ROOT = Path(__file__).resolve().parents[2]
VAULT = "pulumi"
SECRET = "prod-binstar-token"
ISSUER = "anaconda-org-issuer-token"
API_KEY = "anaconda-org-issuer-api-key"
ORG = "conda-forge"
ISSUER_ORGS = ("conda-forge", "cf-staging", "cf-post-staging")
SCOPES = ["repos", "conda:upload"]
ENV = {"GITHUB_TOKEN": "gh-test", "AZDO_PERSONAL_ACCESS_TOKEN": "az-test", "HEROKU_API_KEY": "hk"}


class Crash(BaseException):
    """The process dies right here (no ``except Exception`` clean-up runs)."""


@cache
def prod_project() -> Project:
    return load_project(ROOT, "prod")


@cache
def prod_carriers() -> Carriers:
    """The real program's resources, run once offline (about 4 s)."""
    return carriers(prod_project())


def entry(secret_id: str = SECRET) -> SecretEntry:
    return next(e for e in prod_project().secrets if e.id == secret_id)


@dataclass
class Token:
    name: str
    org: str
    scopes: list[str]
    expires: datetime


@dataclass
class Target:
    value: str
    updated_at: datetime
    selection: set[str] | None = None
    """For a `selected` org secret: the repositories GitHub lets read it."""


@dataclass(repr=False)  # its fields hold tokens: never in a failure message
class World:
    frozen: Any
    http: responses.RequestsMock
    op: FakeClient
    issuer: str
    """The issuer's anaconda.org token (``Authorization: token``)."""
    api_key: str
    """The issuer's anaconda.com API key (``Authorization: Bearer``)."""
    issuer_orgs: set[str] = field(default_factory=lambda: set(ISSUER_ORGS))
    revoked: set[str] = field(default_factory=set)
    """Tokens removed: anaconda.org answers them 403, not 401."""
    tokens: dict[str, Token] = field(default_factory=dict)
    """anaconda.org's valid tokens: value → what it is."""
    github: dict[str, Target] = field(default_factory=dict)
    azure: dict[tuple[str, str], dict[str, Target]] = field(default_factory=dict)
    heroku: dict[str, dict[str, Target]] = field(default_factory=dict)
    trace: list[str] = field(default_factory=list)
    crash_after: set[int] = field(default_factory=set)
    delivered_urns: list[list[str]] = field(default_factory=list)
    secrets_seen: list[str] = field(default_factory=list)
    secret_id: str = SECRET
    fail_delivery: bool = False
    external_delivery: bool = False
    """`--no-deliver`: the deploy workflow delivers (call ``deploy()`` between runs)."""

    # --- the actors ---

    def rotator(self) -> AnacondaTokenRotator:
        wiring = Wiring(
            issuer_for=self._issuer_for,
            urns_for=lambda e: [r.urn for r in prod_carriers().of(e.id)],
            deliverer=None if self.external_delivery else self,
            verifier=HttpVerifier(prod_project().config, ENV),
        )
        return AnacondaTokenRotator(self.op, BinstarApi(DEFAULT_DOMAIN), wiring)

    async def _issuer_for(self, issuer_id: str) -> SecretStr:
        issuer = entry(issuer_id)
        return SecretStr(await self.op.secrets.resolve(issuer.secret.onepassword.uri))

    def run(self, *, emergency: bool = False, dry_run: bool = False) -> RotationReport:
        ctx = RotationContext(now=self.now(), dry_run=dry_run, emergency=emergency)
        return asyncio.run(self.rotator().rotate(entry(self.secret_id), ctx))

    def now(self) -> datetime:
        return datetime.now(UTC)

    def advance(self, days: float) -> None:
        self.frozen.tick(timedelta(days=days))

    # --- observing ---

    def stored(self) -> str:
        return self.op.field_value(VAULT, self.secret_id, "credential")

    @property
    def org(self) -> str:
        """The organisation the rotated secret's tokens belong to (the manifest's)."""
        anaconda = entry(self.secret_id).secret.rotation.anaconda
        assert anaconda is not None
        return anaconda.org

    def valid_tokens(self) -> set[str]:
        """Names of the organisation's valid tokens."""
        return {
            t.name for t in self.tokens.values() if t.org == self.org and t.expires > self.now()
        }

    def valid(self, value: str) -> bool:
        token = self.tokens.get(value)
        return token is not None and token.expires > self.now()

    def held_by_targets(self) -> list[str]:
        """The values the secret's targets hold, in the manifest's order."""
        held = []
        for target in entry(self.secret_id).secret.targets:
            match target:
                case GitHubOrgSecretTarget(name=name):
                    held.append(self.github[name].value)
                case AzureVariableTarget(project=project, group=group, variable=variable):
                    held.append(self.azure[(project, group)][variable].value)
                case HerokuConfigVarTarget(app=app, var=var):
                    held.append(self.heroku[app][var].value)
                case _:
                    raise AssertionError(f"no fake for {target.label}")
        return held

    def assert_invariant(self) -> None:
        """1Password's token is valid and every target holds a valid token."""
        assert self.valid(self.stored()), "the token stored in 1Password is not valid"
        for held in self.held_by_targets():
            assert self.valid(held), "a target holds a token anaconda.org rejects"

    def converged(self) -> bool:
        """One valid token, stored and held by every target, and no bookkeeping left."""
        stored = self.stored()
        return (
            self.valid(stored)
            and set(self.held_by_targets()) == {stored}
            and len(self.valid_tokens()) == 1
            and not self.op.field_value(VAULT, self.secret_id, "previous-credential")
            and not self.op.field_value(VAULT, self.secret_id, "pending-token-name")
        )

    # --- side effects ---

    def _effect(self, label: str) -> None:
        self.trace.append(label)
        self.assert_invariant()
        if len(self.trace) in self.crash_after:
            raise Crash(f"crash after side effect #{len(self.trace)} ({label})")

    def install_hooks(self) -> None:
        put = self.op.items.put

        async def put_and_observe(item: Any) -> Any:
            result = await put(item)
            self._effect("op:items.put")
            return result

        self.op.items.put = put_and_observe  # type: ignore[method-assign]

    # Deliverer: apply the offline plan's targeted resources to the target table.
    def deliver(self, secret: SecretEntry, urns: Any) -> None:
        urns = list(urns)
        self.delivered_urns.append(urns)
        if self.fail_delivery:
            from infra.rotation.delivery import DeliveryError

            raise DeliveryError(f"{secret.id}: the targeted `pulumi up` failed (injected)")
        by_urn = {r.urn: r for r in prod_carriers().resources}
        mine = placeholder(secret.secret.onepassword.uri)
        value = self.op.field_value(VAULT, secret.secret.onepassword.item, "credential")
        now = self.now()
        for urn in urns:
            res = by_urn[urn]
            inputs = {k: _unwrap(v) for k, v in res.inputs.items()}
            if res.type.endswith("ActionsOrganizationSecret"):
                if inputs["value"] == mine:
                    name = inputs["secretName"]
                    old = self.github.get(name)
                    # The PUT the provider's Update sends (tests.github.provider_model): a
                    # selection it does not carry is emptied.
                    body = provider.update_body(provider.planned({}, inputs))
                    kept = old.selection if old and "selected_repository_ids" in body else set()
                    selection = kept if inputs["visibility"] == "selected" else None
                    self.github[name] = Target(value, now, selection)
            elif res.type.endswith("VariableGroup"):
                group = self._azure_group(res.name, inputs["name"])
                for var in _unwrap(inputs["variables"]):
                    var = {k: _unwrap(v) for k, v in var.items()}
                    if var.get("secretValue") == mine:
                        group[var["name"]] = Target(value, now)
            elif res.type.endswith("ConfigAssociation"):
                app = res.name.removesuffix("-config")
                for var, held in _unwrap(inputs["sensitiveVars"]).items():
                    if _unwrap(held) == mine:
                        self.heroku.setdefault(app, {})[var] = Target(value, now)
        self._effect("pulumi:up")

    def deploy(self) -> None:
        """deploy.yml with `secret-values`: a full `pulumi up` (every resource of the secret)."""
        secret = entry(self.secret_id)
        self.deliver(secret, [r.urn for r in prod_carriers().of(secret.id)])

    def _azure_group(self, resource_name: str, group: str) -> dict[str, Target]:
        for (project, name), variables in self.azure.items():
            if name == group and resource_name == f"{project}-{group}":
                return variables
        raise AssertionError(f"no Azure group for {resource_name}")

    # --- recorded HTTP ---

    def install_http(self) -> None:
        api = re.escape(DEFAULT_DOMAIN)
        self.http.add_callback(
            responses.POST, re.compile(f"{api}/authentications$"), callback=self._create
        )
        self.http.add_callback(
            responses.GET, re.compile(f"{api}/authentication$"), callback=self._info
        )
        self.http.add_callback(
            responses.DELETE,
            re.compile(f"{api}/authentications/org/([^/]+)/name/([^/]+)$"),
            callback=self._remove,
        )
        self.http.add_callback(responses.GET, re.compile(f"{api}/user/orgs$"), callback=self._orgs)
        self.http.add_callback(
            responses.GET, re.compile(f"{re.escape(GITHUB_API)}/orgs/.*"), callback=self._gh
        )
        self.http.add_callback(
            responses.GET, re.compile(f"{re.escape(AZURE_DEVOPS)}/.*"), callback=self._az
        )
        self.http.add_callback(
            responses.GET, re.compile(f"{re.escape(HEROKU_API)}/apps/.*"), callback=self._hk
        )

    def _scheme(self, request: Any, scheme: str, credential: str) -> tuple[int, str] | None:
        """``None`` when ``request`` carries ``scheme`` with ``credential``, else anaconda.org's
        refusal: 401 (the session's ``token`` header is not a Bearer key, and vice versa)."""
        if request.headers.get("Authorization") == f"{scheme} {credential}":
            return None
        return 401, json.dumps({"error": "Unauthorized"})

    def _create(self, request: Any) -> tuple[int, dict[str, str], str]:
        refused = self._scheme(request, "Bearer", self.api_key)
        if refused is not None:
            return refused[0], {}, refused[1]
        body = json.loads(request.body)
        org, name = body["user"], body["note"]
        if org not in self.issuer_orgs:
            return 403, {}, json.dumps({"error": f"you may not create tokens for {org}"})
        taken = any(t.org == org and t.name == name for t in self.tokens.values())
        if taken and body["fail-if-exists"]:
            return 400, {}, json.dumps({"error": f"token {name} already exists"})
        value = f"cf-{secrets.token_hex(20)}"
        self.secrets_seen.append(value)
        expires = self.now() + timedelta(seconds=int(body["max-age"]))
        self.tokens[value] = Token(name, org, list(body["scopes"]), expires)
        self._effect("anaconda:create")
        return 200, {}, json.dumps({"token": value})

    def _info(self, request: Any) -> tuple[int, dict[str, str], str]:
        header = request.headers.get("Authorization", "")
        value = header.removeprefix("token ")
        if header.startswith("token ") and value in self.revoked:
            return 403, {}, json.dumps({"error": "token has been revoked"})
        token = self.tokens.get(value)
        if not header.startswith("token ") or token is None or token.expires <= self.now():
            return 401, {}, json.dumps({"error": "Unauthorized"})
        info = {
            "id": f"id-{token.name}",
            "application": token.name,
            "owner": token.org,
            "scopes": token.scopes,
            "expires": token.expires.isoformat(),
        }
        return 200, {}, json.dumps(info)

    def _remove(self, request: Any) -> tuple[int, dict[str, str], str]:
        refused = self._scheme(request, "token", self.issuer)
        if refused is not None:
            return refused[0], {}, refused[1]
        org, name = urlparse(request.url).path.split("/")[-3::2]
        if org not in self.issuer_orgs:
            return 403, {}, json.dumps({"error": f"you may not remove tokens of {org}"})
        found = [v for v, t in self.tokens.items() if t.org == org and t.name == name]
        if not found:
            return 404, {}, json.dumps({"error": "Not Found"})
        for value in found:
            del self.tokens[value]
            self.revoked.add(value)
        self._effect("anaconda:remove")
        return 201, {}, "{}"

    def _orgs(self, request: Any) -> tuple[int, dict[str, str], str]:
        refused = self._scheme(request, "token", self.issuer)
        if refused is not None:
            return refused[0], {}, refused[1]
        return 200, {}, json.dumps([{"login": o, "name": o} for o in sorted(self.issuer_orgs)])

    def _gh(self, request: Any) -> tuple[int, dict[str, str], str]:
        path = urlparse(request.url).path
        if path.endswith("/repositories"):
            held = self.github.get(path.rsplit("/", 2)[-2])
            if held is None or held.selection is None:
                return 404, {}, "{}"
            repos = [{"name": r} for r in sorted(held.selection)]
            return 200, {}, json.dumps({"total_count": len(repos), "repositories": repos})
        name = path.rsplit("/", 1)[-1]
        held = self.github.get(name)
        if held is None:
            return 404, {}, "{}"
        stamp = held.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        return 200, {}, json.dumps({"name": name, "created_at": stamp, "updated_at": stamp})

    def _az(self, request: Any) -> tuple[int, dict[str, str], str]:
        url = urlparse(request.url)
        project = url.path.split("/")[2]
        group = parse_qs(url.query)["groupName"][0]
        variables = self.azure.get((project, group))
        if variables is None:
            return 200, {}, json.dumps({"count": 0, "value": []})
        modified = max(t.updated_at for t in variables.values())
        value = {
            "id": 7,
            "name": group,
            "variables": {k: {"isSecret": True, "value": None} for k in variables},
            "modifiedOn": modified.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        return 200, {}, json.dumps({"count": 1, "value": [value]})

    def _hk(self, request: Any) -> tuple[int, dict[str, str], str]:
        app = urlparse(request.url).path.split("/")[2]
        return 200, {}, json.dumps({k: t.value for k, t in self.heroku.get(app, {}).items()})


def _unwrap(value: Any) -> Any:
    """The value inside a Pulumi secret marker (or the value itself)."""
    if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
        return value["value"]
    return value


def build_world(frozen: Any, http: responses.RequestsMock, secret_id: str = SECRET) -> World:
    """One valid hand-made upload token of ``secret_id``, held by 1Password and every target."""
    issuer = f"issuer-{secrets.token_hex(8)}"
    api_key = f"apikey-{secrets.token_hex(8)}"
    old = f"cf-{secrets.token_hex(20)}"
    now = datetime.now(UTC)
    op = FakeClient(
        {
            VAULT: {
                secret_id: {"fields": {"credential": old}},
                ISSUER: {"fields": {"credential": issuer}},
                API_KEY: {"fields": {"credential": api_key}},
            }
        }
    )
    world = World(
        frozen=frozen, http=http, op=op, issuer=issuer, api_key=api_key, secret_id=secret_id
    )
    world.secrets_seen += [issuer, api_key, old]
    name = "conda-forge-prod-2029" if secret_id == SECRET else f"{secret_id}-2029"
    world.tokens[old] = Token(name, world.org, SCOPES, now + timedelta(days=400))
    world.tokens[f"cf-{secrets.token_hex(20)}"] = Token("unrelated", "someone", ["all"], now)
    long_ago = now - timedelta(days=30)
    for target in entry(secret_id).secret.targets:
        match target:
            case GitHubOrgSecretTarget(name=name, repositories=repos):
                world.github[name] = Target(old, long_ago, set(repos) or None)
            case AzureVariableTarget(project=project, group=group, variable=variable):
                world.azure.setdefault((project, group), {})[variable] = Target(old, long_ago)
            case HerokuConfigVarTarget(app=app, var=var):
                world.heroku.setdefault(app, {})[var] = Target(old, long_ago)
    world.install_http()
    return world
