"""The secrets manifest: one YAML file per secret under ``secrets/``, the file name being its id.

A manifest entry says where the value lives (a 1Password vault, item and field), who owns it, how
sensitive it is, the widest audience it is cleared for, how it is rotated, and every place it is
delivered to. Values never live here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from infra.config.audience import Audience, Sensitivity
from infra.config.base import Description, EnvName, Kebab, Model, RepoName, enum_field

OP_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$"
"""A vault, item or field name in a secret reference: the characters 1Password documents for
references (letters, digits, `-`, `_`, `.`, space). Every ``op://vault/item/field`` built from three
of them is one the SDK's own validator accepts, so no run asks it again (and pays the ~80 ms of
importing the SDK): ``tests/config/test_onepassword_reference.py`` checks that claim against the
installed SDK, and a Dependabot bump that tightens the grammar fails there."""
OpName = Annotated[str, StringConstraints(pattern=OP_NAME_PATTERN, max_length=200)]
# IAM's own rule for user names (1-64 of letters, digits and `_+=,.@-`).
IamUserName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_+=,.@-]{1,64}$")]
AWS_IAM_ACCESS_KEY = "aws-iam-access-key"


def _github_secret_name(name: str) -> str:
    if name.upper().startswith("GITHUB_"):
        raise ValueError("GitHub refuses secret names starting with `GITHUB_`")
    return name


# GitHub's rules: letters, digits and `_`, not starting with a digit or `GITHUB_` (upper case here).
GitHubSecretName = Annotated[EnvName, AfterValidator(_github_secret_name)]
ANACONDA = "anaconda"
ROTATORS = (AWS_IAM_ACCESS_KEY, ANACONDA)
"""The automatic rotators ``infra.rotation`` has (``rotation.rotator`` must name one)."""
MANUAL_PROCEDURE = "docs/runbooks/rotate-a-token.md#manual-rotation-mode-manual"
# anaconda.org account and organisation names: letters, digits, `-`, `_`, `.`.
AnacondaOrgName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]


class OnePasswordRef(Model):
    """Where the value lives in 1Password. Example:

    ```yaml
    onepassword: {vault: pulumi, item: prod-binstar-token, field: credential}
    ```
    """

    vault: OpName
    """The vault's name (conda-forge keeps every synced secret in `pulumi`)."""
    item: OpName
    """The item's title."""
    field: OpName
    """The field's label inside the item, e.g. `credential`, `password`, `privateKey`,
    `username`."""

    @property
    def uri(self) -> str:
        """The secret reference URI, ``op://vault/item/field``."""
        return f"op://{self.vault}/{self.item}/{self.field}"


class RotationMode(StrEnum):
    """`manual`: a person rotates it by following `docs/runbooks/rotate-a-token.md`.
    `automatic`: a rotator in `infra.rotation` rotates it on schedule."""

    MANUAL = "manual"
    AUTOMATIC = "automatic"


class ChannelUse(Model):
    """Who uploads with the token, to which anaconda.org channel, and where that is written.
    Example:

    ```yaml
    - consumer: conda-forge-webservices
      channel: cf-post-staging
      evidence: >-
        conda_forge_webservices/feedstock_outputs.py: POST_STAGING = "cf-post-staging", its
        client built from POST_STAGING_BINSTAR_TOKEN
    ```
    """

    consumer: Description
    """The program or repository that uses the token (e.g. `conda-forge-webservices`)."""
    channel: AnacondaOrgName
    """The anaconda.org channel (= its owning organisation) it uses the token for."""
    evidence: Description
    """Where the consumer pairs this token with that channel: file, and the line that says so."""


class AnacondaRotation(Model):
    """For rotator `anaconda`: which organisation owns the token, what uses it for which channel,
    and the two issuer credentials (anaconda-client authenticates each call its own way: see
    `docs/runbooks/rotate-a-token.md#the-anacondaorg-issuer-credentials`). Example:

    ```yaml
    anaconda:
      org: cf-post-staging
      issuer: anaconda-org-issuer-token
      issuer_api_key: anaconda-org-issuer-api-key
      used_for:
      - consumer: conda-forge-webservices
        channel: cf-post-staging
        evidence: 'feedstock_outputs.py: POST_STAGING = "cf-post-staging"'
    ```
    """

    org: AnacondaOrgName
    """The anaconda.org organisation the upload token belongs to: tokens are minted, checked and
    removed under it. It must be the channel of every `used_for` (`cf-post-staging` for
    POST_STAGING_BINSTAR_TOKEN, not `conda-forge`)."""
    issuer: Kebab
    """The id of the manifest entry holding the issuer's *anaconda.org token*
    (`Authorization: token`): removes this organisation's tokens by name and lists the issuer's
    organisations. It must have no targets."""
    issuer_api_key: Kebab
    """The id of the manifest entry holding the issuer's *anaconda.com API key*
    (`Authorization: Bearer`): creates this organisation's tokens, as `anaconda auth --create`
    does. It must have no targets."""
    used_for: list[ChannelUse] = Field(min_length=1)
    """Every consumer of the token and the channel it uploads to, with the evidence."""


class Rotation(Model):
    """How often the value must be replaced and by whom. Example:

    ```yaml
    rotation: {max_age_days: 365, mode: manual}
    ```
    """

    max_age_days: int = Field(gt=0, le=3650)
    """Age (days since the 1Password item last changed) after which the secret is overdue."""
    mode: RotationMode = enum_field(default=RotationMode.MANUAL)
    """Whether a person or an automatic rotator replaces it."""
    rotator: Kebab | None = None
    """For `automatic`: the rotator's name (e.g. `aws-iam-access-key`)."""
    overlap_days: int = Field(default=1, ge=0, le=90)
    """For `automatic`: days the previous credential is kept deactivated (not deleted) after the new
    one was delivered, so it can be reactivated in seconds if a consumer still needed it."""
    aws_iam_user: IamUserName | None = None
    """For rotator `aws-iam-access-key`: the IAM user whose access key is rotated."""
    anaconda: AnacondaRotation | None = None
    """For rotator `anaconda`: the token's organisation, its consumers and the issuer credentials'
    entries."""
    procedure: str | None = Field(default=None, min_length=1, max_length=300)
    """For `manual`: the documented procedure a person follows (a runbook path and anchor). Unset
    means the general one, `docs/runbooks/rotate-a-token.md#manual-rotation-mode-manual`."""
    by_hand: list[Description] = Field(default_factory=list)
    """Steps of every rotation that need a person even when the rotation is automatic, e.g. a
    credential that must also be pasted into a third-party dashboard. Shown by
    `cfinfra rotation plan`."""

    @model_validator(mode="after")
    def _rotator_iff_automatic(self) -> Rotation:
        if (self.mode is RotationMode.AUTOMATIC) != (self.rotator is not None):
            raise ValueError("`rotator` is required for automatic rotation and only allowed there")
        if self.rotator is not None and self.rotator not in ROTATORS:
            raise ValueError(
                f"no rotator `{self.rotator}`: known rotators are {', '.join(ROTATORS)}"
            )
        if self.mode is RotationMode.AUTOMATIC and self.procedure is not None:
            raise ValueError("`procedure` is for manual rotation; an automatic one has its rotator")
        if (self.rotator == ANACONDA) != (self.anaconda is not None):
            raise ValueError(
                f"`anaconda` is required for rotator `{ANACONDA}` and only allowed there"
            )
        if (self.rotator == AWS_IAM_ACCESS_KEY) != (self.aws_iam_user is not None):
            raise ValueError(
                f"`aws_iam_user` is required for rotator `{AWS_IAM_ACCESS_KEY}` "
                "and only allowed there"
            )
        return self

    @property
    def how(self) -> str:
        """Where the procedure is: the rotator's name, or the runbook a person follows."""
        if self.mode is RotationMode.AUTOMATIC:
            return f"rotator `{self.rotator}`"
        return self.procedure or MANUAL_PROCEDURE


class CredentialKind(StrEnum):
    """What kind of credential a value is, which says how its expiry is known:

    - `opaque` (default): an id, a password, a certificate or key whose lifetime no service
      reports here; only its age counts.
    - `github-token`: a classic GitHub token; GitHub reports its expiry on every response
      (`GitHub-Authentication-Token-Expiration`) and its scopes (`X-OAuth-Scopes`).
    - `github-fine-grained-token`: always expires; GitHub reports it too, and its `expires` is
      recorded in 1Password when it is created.
    - `github-app-private-key`: a GitHub App's key; never expires.
    - `anaconda-org-token`: anaconda.org reports `expires` at `GET /authentication`.
    - `anaconda-api-key`: an anaconda.com API key (the issuer's Bearer credential).
    - `azure-devops-pat`: always expires (at most a year) and cannot ask for its own `validTo`:
      its `expires` is recorded in 1Password when it is created.
    - `azure-client-secret`: a Microsoft Entra client secret; always expires (at most two
      years): its `expires` is recorded in 1Password when it is created.
    - `heroku-api-key`: Heroku reports an authorization's `access_token.expires_in`.
    - `aws-access-key`: IAM reports the key's `CreateDate` (its age).
    - `1password-service-account`: its expiry is chosen when it is created (never, or 30-180 d).
    """

    OPAQUE = "opaque"
    GITHUB_TOKEN = "github-token"  # noqa: S105 - a kind's name
    GITHUB_FINE_GRAINED_TOKEN = "github-fine-grained-token"  # noqa: S105
    GITHUB_APP_PRIVATE_KEY = "github-app-private-key"
    ANACONDA_ORG_TOKEN = "anaconda-org-token"  # noqa: S105
    ANACONDA_API_KEY = "anaconda-api-key"
    AZURE_DEVOPS_PAT = "azure-devops-pat"
    AZURE_CLIENT_SECRET = "azure-client-secret"  # noqa: S105
    HEROKU_API_KEY = "heroku-api-key"
    AWS_ACCESS_KEY = "aws-access-key"
    ONEPASSWORD_SERVICE_ACCOUNT = "1password-service-account"


EXPIRES_RECORDED = frozenset(
    {
        CredentialKind.AZURE_DEVOPS_PAT,
        CredentialKind.AZURE_CLIENT_SECRET,
        CredentialKind.GITHUB_FINE_GRAINED_TOKEN,
    }
)
"""The kinds that always expire without a way for this project to ask: their 1Password item must
carry an `expires` date, written when the credential is created."""


class Visibility(StrEnum):
    """GitHub's visibility of an organisation secret: `all` repositories, `private` ones, or
    `selected`."""

    ALL = "all"
    PRIVATE = "private"
    SELECTED = "selected"


class GitHubOrgSecretTarget(Model):
    """A GitHub Actions organisation secret. Example:

    ```yaml
    - kind: github-org-secret
      name: PROD_BINSTAR_TOKEN
      visibility: selected
      repositories: [conda-forge-webservices, admin-requests]
    ```
    """

    kind: Literal["github-org-secret"]
    """The target kind: `github-org-secret`."""
    name: GitHubSecretName
    """The secret's name as workflows see it (`secrets.NAME`); GitHub refuses a `GITHUB_`
    prefix."""
    visibility: Visibility = enum_field()
    """Which repositories can read it. `all` and `private` include every feedstock."""
    repositories: list[RepoName] = Field(default_factory=list)
    """For `selected`: the repositories (files of `data/github/repositories/`)."""

    @model_validator(mode="after")
    def _repositories_iff_selected(self) -> GitHubOrgSecretTarget:
        if self.visibility is Visibility.SELECTED and not self.repositories:
            raise ValueError("visibility `selected` needs at least one repository")
        if self.visibility is not Visibility.SELECTED and self.repositories:
            raise ValueError(f"visibility `{self.visibility}` takes no `repositories`")
        return self

    @property
    def label(self) -> str:
        return f"GitHub org secret {self.name}"


class GitHubWebhookSecretTarget(Model):
    """The shared secret GitHub signs a webhook's deliveries with. Example:

    ```yaml
    - kind: github-webhook-secret
      webhook: autotickbot
    ```
    """

    kind: Literal["github-webhook-secret"]
    """The target kind: `github-webhook-secret`."""
    webhook: Kebab
    """The webhook's id (its file in `data/github/webhooks/`)."""

    @property
    def label(self) -> str:
        return f"GitHub webhook {self.webhook}"


class GitHubEnvironmentSecretTarget(Model):
    """A GitHub Actions secret of one deployment environment: only jobs that name the environment
    and pass its protection rules (branches, required reviewers) can read it. CI credentials of this
    project live here, never in an org or repository secret. Example:

    ```yaml
    - kind: github-environment-secret
      environment: production
      name: OP_SERVICE_ACCOUNT_TOKEN
    ```
    """

    kind: Literal["github-environment-secret"]
    """The target kind: `github-environment-secret`."""
    environment: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,255}$")]
    """The environment (a key of the stack's `cfinfra:github.environments`)."""
    name: GitHubSecretName
    """The secret's name as the environment's jobs see it (`secrets.NAME`); GitHub refuses a
    `GITHUB_` prefix."""

    @property
    def label(self) -> str:
        return f"GitHub environment secret {self.environment}/{self.name}"


class AzureVariableTarget(Model):
    """A secret variable in an Azure DevOps variable group. Example:

    ```yaml
    - kind: azure-variable
      project: cdt-builds
      group: anaconda-org
      variable: BINSTAR_TOKEN
    ```
    """

    kind: Literal["azure-variable"]
    """The target kind: `azure-variable`."""
    project: Kebab
    """The Azure DevOps project (a key of the stack's `cfinfra:azure.projects`)."""
    group: Kebab
    """The variable group's name in that project."""
    variable: EnvName
    """The variable's name as pipelines see it."""

    @property
    def label(self) -> str:
        return f"Azure variable {self.project}/{self.group}/{self.variable}"


class AzureProjectIdTarget(Model):
    """Supplies the id of an Azure DevOps project (kept in 1Password, not secret). Example:

    ```yaml
    - kind: azure-project-id
      project: feedstock-builds
    ```
    """

    kind: Literal["azure-project-id"]
    """The target kind: `azure-project-id`."""
    project: Kebab
    """The project (a key of the stack's `cfinfra:azure.projects`)."""

    @property
    def label(self) -> str:
        return f"Azure project id of {self.project}"


class HerokuConfigVarTarget(Model):
    """A sensitive config var of a Heroku app. Example:

    ```yaml
    - kind: heroku-config-var
      app: conda-forge
      var: PROD_BINSTAR_TOKEN
    ```
    """

    kind: Literal["heroku-config-var"]
    """The target kind: `heroku-config-var`."""
    app: Kebab
    """The app (a key of the stack's `cfinfra:heroku.apps`)."""
    var: EnvName
    """The config var's name."""

    @property
    def label(self) -> str:
        return f"Heroku config var {self.app}/{self.var}"


class ProviderKind(StrEnum):
    """A Pulumi provider this program configures explicitly: `github`, `azuredevops`, `heroku`,
    `openstack` (AWS takes the ambient role credentials and has no manifest entry)."""

    GITHUB = "github"
    AZUREDEVOPS = "azuredevops"
    HEROKU = "heroku"
    OPENSTACK = "openstack"


# The provider inputs a manifest secret may fill (snake_case, as the Python SDKs name them), and the
# complete sets a provider accepts: a provider is built from exactly one of them, never from the
# environment. Read from the providers' `Provider` args (pulumi_github 6.15 `app_auth`: `id`,
# `installation_id`, `pem_file`; pulumi_azuredevops 3.16; pulumiverse_heroku 1.0;
# pulumi_openstack 5.5).
CREDENTIAL_SETS: dict[ProviderKind, tuple[frozenset[str], ...]] = {
    ProviderKind.GITHUB: (
        frozenset({"app_auth.id", "app_auth.installation_id", "app_auth.pem_file"}),
        frozenset({"token"}),
    ),
    ProviderKind.AZUREDEVOPS: (frozenset({"personal_access_token"}),),
    ProviderKind.HEROKU: (frozenset({"api_key"}),),
    ProviderKind.OPENSTACK: (
        frozenset({"application_credential_id", "application_credential_secret"}),
    ),
}
CredentialInput = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*(\.[a-z][a-z_]*)?$")]


class CredentialAccess(StrEnum):
    """What a provider credential can do on its service, as it was created there."""

    WRITE = "write"
    """Read and write: the deploy's credential."""
    READ = "read"
    """Can read and not write (a read-only GitHub App installation or fine-grained token, an
    Azure DevOps PAT with read scopes, a Heroku authorization of scope `read-protected`): what a
    preview, a drift check or a status run needs."""


class ProviderCredentialTarget(Model):
    """The credential a provider of this program authenticates with: the value is passed to the
    provider as a secret input, never read from the environment. Examples:

    ```yaml
    - {kind: provider-credential, provider: github, input: token}
    - {kind: provider-credential, provider: github, input: app_auth.pem_file}
    - {kind: provider-credential, provider: azuredevops, input: personal_access_token}
    - {kind: provider-credential, provider: heroku, input: api_key}
    - kind: provider-credential
      provider: openstack
      host: my-host
      input: application_credential_secret
    ```
    """

    kind: Literal["provider-credential"]
    """The target kind: `provider-credential`."""
    provider: ProviderKind = enum_field()
    """The provider it authenticates."""
    input: CredentialInput
    """The provider input it fills. `github`: `token`, or all three of `app_auth.id`,
    `app_auth.installation_id`, `app_auth.pem_file` (a GitHub App, recommended);
    `azuredevops`: `personal_access_token`; `heroku`: `api_key`; `openstack`:
    `application_credential_id` and `application_credential_secret`."""
    host: Kebab | None = None
    """For `openstack`: the host (a file in `data/runners/hosts/`) whose provider it
    authenticates."""
    environment: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,255}$")] | None = None
    """The deployment environment whose runs authenticate the provider with it: the read-only
    environment (`read-only`: previews, drift checks, status runs) for a read-only credential.
    Omitted: the deploy (`pulumi up`, in the deploy environment)."""
    access: CredentialAccess = enum_field(default=CredentialAccess.WRITE)
    """What the credential can do on the service: `write` (the deploy's) or `read` (the read-only
    environment's; it must be created read-only on the service, which enforces it)."""

    @model_validator(mode="after")
    def _known_input(self) -> ProviderCredentialTarget:
        allowed = sorted(set().union(*CREDENTIAL_SETS[self.provider]))
        if self.input not in allowed:
            raise ValueError(
                f"`{self.input}` is not a credential input of the {self.provider} provider "
                f"(one of: {', '.join(allowed)})"
            )
        if (self.provider is ProviderKind.OPENSTACK) != (self.host is not None):
            raise ValueError("`host` is required for the openstack provider and only allowed there")
        return self

    @property
    def label(self) -> str:
        where = f" of host {self.host}" if self.host else ""
        run = f" ({self.environment} runs)" if self.environment else ""
        return f"{self.provider} provider{where} credential {self.input}{run}"


Target = Annotated[
    GitHubOrgSecretTarget
    | GitHubWebhookSecretTarget
    | GitHubEnvironmentSecretTarget
    | AzureVariableTarget
    | AzureProjectIdTarget
    | HerokuConfigVarTarget
    | ProviderCredentialTarget,
    Field(discriminator="kind"),
]


class Secret(Model):
    """One secret: a 1Password field and everywhere its value is delivered.

    The file name (`secrets/<id>.yaml`) is the secret's id. Example
    (`secrets/prod-binstar-token.yaml`):

    ```yaml
    description: anaconda.org upload token for the production conda-forge channel
    owner: core
    onepassword: {vault: pulumi, item: prod-binstar-token, field: credential}
    sensitivity: critical
    cleared_for: core
    rotation: {max_age_days: 365, mode: manual}
    targets:
      - kind: github-org-secret
        name: PROD_BINSTAR_TOKEN
        visibility: selected
        repositories: [conda-forge-webservices, admin-requests]
    ```
    """

    description: Description
    """What the value is and what it can do, in one sentence."""
    owner: Kebab
    """Who answers for it: a team slug (e.g. `core`) or a GitHub login."""
    onepassword: OnePasswordRef
    """Where the value lives."""
    sensitivity: Sensitivity = enum_field()
    """How much damage it does in the wrong hands; caps `cleared_for`."""
    cleared_for: Audience = enum_field()
    """The widest audience this value may reach. The leak guard refuses any target reaching
    wider."""
    rotation: Rotation
    """The rotation policy."""
    credential_kind: CredentialKind = enum_field(default=CredentialKind.OPAQUE)
    """What kind of credential the value is: how its expiry is known (`rotation status`,
    `cfinfra preflight`). `azure-devops-pat` and `github-fine-grained-token` need an `expires`
    field in their 1Password item."""
    targets: list[Target] = Field(default_factory=list)
    """Everywhere the value is delivered."""


class SecretEntry(Model):
    """A manifest entry as loaded: the secret plus its id and file (for messages)."""

    id: Kebab
    file: str
    secret: Secret
