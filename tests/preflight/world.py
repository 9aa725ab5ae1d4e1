"""A world for ``cfinfra preflight``: the fixture stack (copied, with anaconda.org rotation and
credential kinds added), the 1Password fake holding every item it names, the services as
recorded HTTP mirroring their real answers (``responses``) and AWS as moto.

- GitHub: ``GET /app/installations/{id}`` checks the JWT against the App's public key (401
  otherwise) and lists ``permissions``; ``GET /user`` answers a token with
  ``GitHub-Authentication-Token-Expiration`` and ``X-OAuth-Scopes``.
- Azure DevOps: variable groups by name, Basic auth with the PAT (401 otherwise, or 203 with a
  sign-in page as Azure DevOps answers a PAT it does not know).
- Heroku: ``/oauth/authorizations`` (the key's ``access_token.expires_in``), the app, its
  config-var names.
- anaconda.org: ``GET /user/orgs`` only with ``Authorization: token <issuer token>``;
  ``GET /authentication``; anaconda.com ``/api/account`` only with ``Bearer <API key>``.
- Pulumi Cloud: the stack, with ``Authorization: token``.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.config.loader import load_manifest
from tests.conftest import FIXTURE_ROOT
from tests.fakes.onepassword import FakeClient

NOW = datetime(2030, 1, 1, tzinfo=UTC)
APP_ID, INSTALLATION = "424242", "777"
PERMISSIONS = {
    "organization_administration": "write",
    "organization_secrets": "write",
    "organization_self_hosted_runners": "write",
    "organization_hooks": "write",
    "members": "write",
    "actions": "read",
    "administration": "write",
    "contents": "write",
    "environments": "write",
    "secrets": "write",
    "repository_hooks": "write",
    "metadata": "read",
}
ISSUER_FILES = {
    "issuer-token": "anaconda-org-token",
    "issuer-api-key": "anaconda-api-key",
}
PULUMI_TOKEN = "pul-test-token"


def _key() -> tuple[str, Any]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return pem, private.public_key()


def stack(tmp: Path) -> Path:
    """The fixture stack with an anaconda.org-rotated upload token, its two issuers, and kinds."""
    root = tmp / "stack"
    shutil.copytree(FIXTURE_ROOT, root)
    secrets = root / "secrets"
    upload = secrets / "prod-upload-token.yaml"
    text = upload.read_text(encoding="utf-8").replace(
        "rotation: {max_age_days: 180, mode: manual}",
        "credential_kind: anaconda-org-token\n"
        "rotation:\n  max_age_days: 180\n  mode: automatic\n  rotator: anaconda\n"
        "  anaconda:\n    org: example-forge\n    issuer: issuer-token\n"
        "    issuer_api_key: issuer-api-key\n    used_for:\n"
        "    - {consumer: webservices, channel: example-forge, evidence: its upload step}",
    )
    upload.write_text(text, encoding="utf-8")
    for name, kind in ISSUER_FILES.items():
        (secrets / f"{name}.yaml").write_text(
            f"description: the issuer's {kind}\nowner: core\n"
            f"onepassword: {{vault: pulumi, item: {name}, field: credential}}\n"
            f"sensitivity: critical\ncleared_for: core\ncredential_kind: {kind}\n"
            "rotation: {max_age_days: 365, mode: manual}\n",
            encoding="utf-8",
        )
    # The provider credentials carry their kinds in the fixture itself (a rule requires them).
    for name, kind in (("reports-token", "github-token"),):
        path = secrets / f"{name}.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "cleared_for: core\n", f"cleared_for: core\ncredential_kind: {kind}\n"
            ),
            encoding="utf-8",
        )
    return root


@dataclass(repr=False)  # holds credentials: never in a failure message
class World:
    root: Path
    op: FakeClient
    values: dict[str, str]
    public_key: Any
    permissions: dict[str, str] = field(default_factory=lambda: dict(PERMISSIONS))
    heroku_expires_in: int | None = None
    heroku_vars: set[str] = field(default_factory=set)
    issuer_orgs: set[str] = field(default_factory=lambda: {"example-forge"})
    azure_groups: set[tuple[str, str]] = field(
        default_factory=lambda: {
            ("cdt-builds", "anaconda-org"),
            ("feedstock-builds", "anaconda-org"),
        }
    )
    token_expires: datetime = NOW + timedelta(days=300)
    github_expiration: str = "2031-01-01 00:00:00 UTC"
    """The reports token's `GitHub-Authentication-Token-Expiration`, as GitHub formats it."""
    azure_answer: int = 401
    """What Azure DevOps answers a PAT it does not know (401, or 203 with a sign-in page)."""
    seed: dict[str, Any] = field(default_factory=dict)
    """Every vault's items, as seeded: ``account`` builds a service account that reads some."""
    read_only_token_scopes: str | None = None
    """The read-only runs' GitHub token's `X-OAuth-Scopes` (None: a fine-grained token, which
    GitHub answers without the header)."""

    def account(self, *vaults: str) -> FakeClient:
        """The 1Password service account that reads only ``vaults`` (the others do not exist
        for it, as 1Password answers an account a vault it was not granted)."""
        return FakeClient({v: self.seed[v] for v in vaults}, clock=lambda: NOW)

    def install(self, http: responses.RequestsMock) -> None:
        http.add_callback(
            responses.GET,
            re.compile(r"https://api\.github\.com/app/installations/\d+$"),
            self._installation,
        )
        http.add_callback(responses.GET, "https://api.github.com/user", self._user)
        http.add_callback(
            responses.GET, re.compile(r"https://dev\.azure\.com/.*variablegroups.*"), self._azure
        )
        http.add_callback(
            responses.GET, "https://api.heroku.com/oauth/authorizations", self._authorizations
        )
        http.add_callback(
            responses.GET, re.compile(r"https://api\.heroku\.com/apps/[^/]+$"), self._app
        )
        http.add_callback(
            responses.GET,
            re.compile(r"https://api\.heroku\.com/apps/[^/]+/config-vars$"),
            self._vars,
        )
        http.add_callback(responses.GET, "https://api.anaconda.org/user/orgs", self._orgs)
        http.add_callback(
            responses.GET, "https://api.anaconda.org/authentication", self._authentication
        )
        http.add_callback(responses.GET, "https://anaconda.com/api/account", self._account)
        http.add_callback(
            responses.GET, re.compile(r"https://api\.pulumi\.com/api/stacks/.*"), self._stack
        )

    @staticmethod
    def _json(
        status: int, body: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        return status, headers or {}, json.dumps(body)

    def _installation(self, request: Any) -> Any:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, self.public_key, algorithms=["RS256"])
        except jwt.PyJWTError:
            return self._json(401, {"message": "A JSON web token could not be decoded"})
        if claims.get("iss") != APP_ID or not request.url.endswith(f"/{INSTALLATION}"):
            return self._json(404, {"message": "Not Found"})
        return self._json(
            200,
            {
                "id": int(INSTALLATION),
                "account": {"login": "example-forge"},
                "permissions": self.permissions,
            },
        )

    def _user(self, request: Any) -> Any:
        known = (self.values["reports-token"], self.values["github-read-only-token"])
        if request.headers.get("Authorization") not in {f"Bearer {t}" for t in known}:
            return self._json(401, {"message": "Bad credentials"})
        headers = {"GitHub-Authentication-Token-Expiration": self.github_expiration}
        if request.headers["Authorization"] == f"Bearer {self.values['reports-token']}":
            headers["X-OAuth-Scopes"] = "repo"
        elif self.read_only_token_scopes is not None:
            headers["X-OAuth-Scopes"] = self.read_only_token_scopes
        return self._json(200, {"login": "reports-bot"}, headers)

    def _azure(self, request: Any) -> Any:
        expected = {
            "Basic " + base64.b64encode(f":{self.values[pat]}".encode()).decode()
            for pat in ("azure-runner-token", "azure-read-only-token")
        }
        if request.headers.get("Authorization") not in expected:
            if self.azure_answer == 203:
                return 203, {"Content-Type": "text/html"}, "<html>Sign in</html>"
            return self._json(401, {"message": "unauthorized"})
        project = request.url.split("/")[4]
        group = re.search(r"groupName=([^&]+)", request.url).group(1)  # type: ignore[union-attr]
        found = (project, group) in self.azure_groups
        return self._json(200, {"count": int(found), "value": [{"name": group}] if found else []})

    def _heroku_ok(self, request: Any) -> bool:
        keys = (self.values["heroku-runner-key"], self.values["heroku-read-only-key"])
        return request.headers.get("Authorization") in {f"Bearer {k}" for k in keys}

    def _authorizations(self, request: Any) -> Any:
        if not self._heroku_ok(request):
            return self._json(
                401, {"id": "unauthorized", "message": "Invalid credentials provided."}
            )
        return self._json(
            200,
            [
                {
                    "id": "a-other",
                    "description": "laptop",
                    "access_token": {"token": "other", "expires_in": 10},
                },
                {
                    "id": "a-1",
                    "description": "cfinfra",
                    "access_token": {
                        "token": self.values["heroku-runner-key"],
                        "expires_in": self.heroku_expires_in,
                    },
                },
                {
                    "id": "a-2",
                    "description": "cfinfra read-only (scope read-protected)",
                    "access_token": {
                        "token": self.values["heroku-read-only-key"],
                        "expires_in": self.heroku_expires_in,
                    },
                },
            ],
        )

    def _app(self, request: Any) -> Any:
        if not self._heroku_ok(request):
            return self._json(401, {"id": "unauthorized"})
        name = request.url.rsplit("/", 1)[-1]
        if name != "example-forge":
            return self._json(404, {"id": "not_found"})
        return self._json(200, {"name": name})

    def _vars(self, request: Any) -> Any:
        if not self._heroku_ok(request):
            return self._json(401, {"id": "unauthorized"})
        return self._json(200, {name: "value-never-kept" for name in self.heroku_vars})

    def _orgs(self, request: Any) -> Any:
        if request.headers.get("Authorization") != f"token {self.values['issuer-token']}":
            return self._json(401, {"error": "Unauthorized"})
        return self._json(200, [{"login": o} for o in sorted(self.issuer_orgs)])

    def _authentication(self, request: Any) -> Any:
        if request.headers.get("Authorization") != f"token {self.values['prod-upload-token']}":
            return self._json(403, {"error": "token revoked"})
        return self._json(
            200,
            {
                "application": "upload-2029",
                "scopes": ["api:write"],
                "expires": self.token_expires.isoformat(),
            },
        )

    def _account(self, request: Any) -> Any:
        if request.headers.get("Authorization") != f"Bearer {self.values['issuer-api-key']}":
            return self._json(401, {"detail": "Not authenticated"})
        return self._json(200, {"user": {"username": "admin"}})

    def _stack(self, request: Any) -> Any:
        if request.headers.get("Authorization") != f"token {PULUMI_TOKEN}":
            return self._json(401, {"code": 401, "message": "Unauthorized"})
        if not request.url.endswith("/conda-forge/conda-forge-infra/fixture"):
            return self._json(404, {"code": 404, "message": "Not Found"})
        return self._json(200, {"orgName": "conda-forge", "stackName": "fixture"})


def build(tmp: Path, access_key_id: str) -> World:
    root = stack(tmp)
    pem, public = _key()
    values: dict[str, str] = {}
    seed: dict[str, dict[str, Any]] = {}
    set_at = (NOW - timedelta(days=10)).isoformat(timespec="seconds")
    for entry in load_manifest(root):
        ref = entry.secret.onepassword
        value = {
            "github-runner-app-id": APP_ID,
            "github-runner-app-installation-id": INSTALLATION,
            "github-runner-app-key": pem,
        }.get(entry.id, f"v-{entry.id}-0123456789")
        values[entry.id] = value
        item = seed.setdefault(ref.vault, {}).setdefault(
            ref.item,
            {
                "fields": {},
                "tags": [f"cfinfra:cleared-for={entry.secret.cleared_for}"],
                "updated_at": NOW,
            },
        )
        item["fields"][ref.field] = value
        item["fields"]["value-set-at"] = {"value": set_at, "type": "Text", "section": "Rotation"}
        if entry.secret.credential_kind in ("azure-devops-pat", "github-fine-grained-token"):
            item["fields"]["expires"] = {
                "value": "2030-12-01",
                "type": "Text",
                "section": "Rotation",
            }
        if entry.secret.rotation.rotator == "aws-iam-access-key":
            item["fields"]["access-key-id"] = {
                "value": access_key_id,
                "type": "Text",
                "section": "Rotation",
            }
    op = FakeClient(seed, clock=lambda: NOW)
    world = World(root=root, op=op, values=values, public_key=public, seed=seed)
    return world
