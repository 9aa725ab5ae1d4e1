"""CI runners as data: hosts and flavors, cirun resources, large-runner providers, access grants.

Two halves. ``RunnersConfig`` is the ``cfinfra:runners`` key of the stack file (where the generated
files go, what the stack manages). Everything else describes ``data/runners/`` (docs/runners.md):
one strict model per file kind, read by ``read_runner_files`` and checked by the named rules in
``infra.config.runner_rules``. Nothing here touches the network or imports a provider SDK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import (
    AfterValidator,
    Field,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
    model_validator,
)

from infra.config.aws_gpu import check_gpu_instance_type
from infra.config.base import Description, GitHubLogin, Kebab, Model, RepoName, enum_field
from infra.config.folder import load_folder, read_model
from infra.config.yamlio import display_path
from infra.errors import Problem

# --- names ----------------------------------------------------------------------------------------

Label = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", max_length=100)]
"""A runner label as workflows write it in `runs-on`, e.g. `cirun-hetzner-gpu`."""
FlavorId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]
InstanceTypeName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)
]
GpuInstanceType = Annotated[str, AfterValidator(check_gpu_instance_type)]
"""An EC2 GPU instance type AWS sells (the allow-list of `infra.config.aws_gpu`)."""
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$", max_length=500)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]
FEEDSTOCK_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
PolicyId = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=200)
]
"""A cirun policy id in `.access.yml`."""
"""A feedstock's package name (conda package names: lower-case letters, digits, `.`, `_`, `-`)."""


def is_gpu_label(label: str) -> bool:
    """A label naming `gpu` as a word (`cirun-hetzner-gpu`): the rules make such a label land on a
    GPU, and every label that lands on one say so, so reviewers can tell GPU grants by name."""
    return "gpu" in label.split("-")


# --- the stack file -------------------------------------------------------------------------------


class CirunFilesWriter(StrEnum):
    """The one system that writes `.access.yml` and `.cirun.global.yml`."""

    ADMIN_REQUESTS = "admin-requests"
    """conda-forge/admin-requests' `cirun` automation (and hand edits): before the cutover."""
    INFRASTRUCTURE = "infrastructure"
    """This repository's data, through `pulumi up`: after the cutover."""


NOT_APPLIED_NOTE = (
    "`.cirun` is written by admin-requests until the cutover (cirun_files_writer: "
    "admin-requests): a grant recorded here is not applied by `pulumi up` "
    "(docs/migration.md#one-writer-of-the-cirun-files)."
)
"""What every runner command says while admin-requests writes the cirun files."""


class RunnersConfig(Model):
    """CI runners of this stack. Example:

    ```yaml
    cfinfra:runners:
      cirun_repository: .cirun
      manage_runner_groups: true
    ```
    The runner data lives in `data_dir` (docs/runners.md); this key says what the stack does.
    """

    data_dir: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")] = (
        "data/runners"
    )
    """Folder of the runner data, relative to the project root."""
    cirun_repository: RepoName = ".cirun"
    """The repository cirun reads `.cirun.global.yml` and `.access.yml` from.

    It must be one of `data/github/repositories/`."""
    cirun_branch: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._/-]+$")] = "main"
    """Branch the generated files are committed to."""
    manage_cirun_files: bool = True
    """Declare `.cirun.global.yml` and `.access.yml`; false leaves them alone."""
    cirun_files_writer: CirunFilesWriter = enum_field(default=CirunFilesWriter.ADMIN_REQUESTS)
    """Who writes the two files (docs/migration.md, "One writer of the cirun files"). Until the
    cutover, `admin-requests`: the files are adopted (imported) and never overwritten by an `up`.
    After it, `infrastructure`: the data here is rendered into them."""
    manage_runner_groups: bool = True
    """Declare a runner group per large-runner provider, open to granted feedstocks only."""

    @model_validator(mode="after")
    def _data_dir_inside_project(self) -> RunnersConfig:
        if ".." in Path(self.data_dir).parts:
            raise ValueError("data_dir must stay inside the project (no `..`)")
        return self


# --- hosts and flavors (data/runners/hosts/<host>.yaml) -------------------------------------------


class HostKind(StrEnum):
    """How cirun gets a machine from the host."""

    OPENSTACK = "openstack"
    """An OpenStack cloud: cirun boots a VM of a flavor; this project declares the flavors."""
    ON_PREM = "on_prem"
    """A machine running cirun's on-prem agent; nothing to declare beyond cirun's configuration."""


class Cpu(Model):
    """The host's processor."""

    model: Text
    """Marketing name, e.g. `AMD EPYC 7352`."""
    cores: PositiveInt
    """Logical cores (hardware threads) the hypervisor can hand out as vCPUs."""


class Gpu(Model):
    """The host's GPUs."""

    model: Text
    """e.g. `NVIDIA Tesla V100`."""
    count: PositiveInt
    """GPUs installed."""
    assignable: NonNegativeInt
    """GPUs that can be passed through to VMs at the same time (may be fewer than `count`)."""
    memory_gb: PositiveInt | None = None
    """Memory per GPU."""


class OpenStackEndpoint(Model):
    """Where the program reaches an OpenStack host. Its credential is an application credential from
    the manifest (`provider-credential` targets naming the host), never the `OS_*` environment."""

    auth_url: HttpsUrl | None = None
    """Keystone URL; omitted means `OS_AUTH_URL` of the machine running Pulumi."""
    region: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$")] = "RegionOne"
    """OpenStack region the flavors are created in."""
    gpu_pci_alias: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$")] | None = None
    """Nova PCI alias of the host's GPU; GPU flavors request `<alias>:<gpus>` through it."""


class Flavor(Model):
    """A VM size offered by an OpenStack host. Example:

    ```yaml
    - {id: gpu_large, vcpus: 4, ram_gb: 12, disk_gb: 60, gpus: 1}
    ```
    """

    id: FlavorId
    """The flavor's name in OpenStack, which cirun uses as `instance_type`."""
    vcpus: PositiveInt
    """Virtual CPUs."""
    ram_gb: PositiveInt
    """Memory in GB."""
    disk_gb: PositiveInt
    """Root disk in GB."""
    gpus: NonNegativeInt = 0
    """GPUs passed through to the VM."""


class Host(Model):
    """A machine (or cloud) that runs CI jobs for cirun; the file name is its id."""

    description: Description
    """What the host is and who provides it."""
    kind: HostKind = enum_field()
    """How cirun gets machines from it."""
    operator: Text | None = None
    """Who runs the hardware, when known."""
    cpu: Cpu
    """Processor."""
    ram_gb: PositiveInt
    """Physical memory in GB."""
    gpu: Gpu | None = None
    """GPUs, if any."""
    decommissioned: date | None = None
    """The day it stopped serving jobs. History stays in the data; nothing is declared for it."""
    openstack: OpenStackEndpoint | None = None
    """For `kind: openstack`: how to reach it."""
    flavors: list[Flavor] = Field(default_factory=list)
    """For `kind: openstack`: the VM sizes it offers."""

    @property
    def assignable_gpus(self) -> int:
        return self.gpu.assignable if self.gpu else 0


# --- cirun resources (data/runners/resources.yaml) ------------------------------------------------


class Cloud(StrEnum):
    """Where cirun starts the runner."""

    OPENSTACK = "openstack"
    AZURE = "azure"
    SCALEWAY = "scaleway"
    ON_PREM = "on_prem"
    AWS = "aws"


class Os(StrEnum):
    LINUX = "linux"
    WINDOWS = "windows"
    MACOS = "macos"


class Arch(StrEnum):
    X64 = "x64"
    ARM64 = "arm64"


class Resource(Model):
    """A cirun runner, by the label feedstocks put in `runs-on`. Example:

    ```yaml
    - label: cirun-azure-windows-2xlarge
      cloud: azure
      instance_type: Standard_D8ads_v5
      region: uksouth
      os: windows
    ```
    OpenStack runners name a `host` and one of its `flavor`s; on-prem runners name a `host`; cloud
    runners name an `instance_type` (for `aws`, one of the AWS GPU pool's).
    """

    label: Label
    """The label (also the runner's name in `.cirun.global.yml`)."""
    cloud: Cloud = enum_field()
    """cirun's `cloud`."""
    description: Description | None = None
    """What it is for."""
    host: Kebab | None = None
    """For `openstack` and `on_prem`: the host (a file in `hosts/`)."""
    flavor: FlavorId | None = None
    """For `openstack`: the host's flavor (cirun's `instance_type`)."""
    instance_type: InstanceTypeName | None = None
    """For cloud runners: the instance type (for on_prem, optionally the agent's template)."""
    image: Text | None = None
    """cirun's `machine_image`."""
    region: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$")] | None = None
    """cirun's `region`."""
    os: Os = enum_field(default=Os.LINUX)
    """Operating system (the first runner label)."""
    arch: Arch = enum_field(default=Arch.X64)
    """Architecture (the second runner label)."""
    extra_config: dict[
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")], Text
    ] = Field(default_factory=dict)
    """cirun's `extra_config`, passed through (e.g. Azure's `licenseType`)."""
    in_global_config: bool = True
    """False when cirun's definition of this runner is kept outside `.cirun.global.yml`."""

    @property
    def wants_gpu(self) -> bool:
        """Labels promise what they say: anything called `...-gpu-...` must land on a GPU."""
        return is_gpu_label(self.label)


class ResourcesFile(Model):
    """`resources.yaml`: every cirun runner, in the order `.access.yml` lists them."""

    resources: list[Resource] = Field(min_length=1)
    """The runners."""


# --- access (data/runners/policy-defaults.yaml, data/runners/access/<feedstock>.yaml) -------------


class Role(StrEnum):
    """A repository role whose holders may start a runner (cirun checks who triggered the job)."""

    ADMIN = "admin"
    MAINTAIN = "maintain"
    WRITE = "write"
    TRIAGE = "triage"
    READ = "read"


# Lists of enums relax strictness per item, as ``enum_field`` does for a single value.
RoleName = Annotated[Role, Field(strict=False)]


class PolicyDefaults(Model):
    """`policy-defaults.yaml`: what a grant gets when it does not say otherwise."""

    roles: list[RoleName] = Field(min_length=1)
    """Roles allowed by default, e.g. `[admin, maintain, write]`."""
    users_from_json: HttpsUrl
    """Default user list: people who accepted the runners' terms of service, as cirun's JSON."""


class CirunGrant(Model):
    """Access for one feedstock to cirun resources: one policy in `.access.yml`. Example:

    ```yaml
    - name: windows
      resources: [cirun-azure-windows-2xlarge]
      pull_request: true
      users: [wolfv]
    ```
    Without `users` or `users_from_json`, the defaults' terms-of-service list applies.
    """

    name: Kebab | None = None
    """Tells a feedstock's policies apart: the id becomes `<feedstock>-feedstock-<name>-policy`."""
    id: PolicyId | None = None
    """The policy's id when it does not follow `<feedstock>-feedstock[-<name>]-policy` (a live id
    kept by `cfinfra runners import-access`, e.g. `cf-autotick-bot-test-package-policy`)."""
    resources: list[Label] = Field(min_length=1)
    """Labels from `resources.yaml`."""
    pull_request: bool
    """Whether pull requests (not only pushes) may start the runners."""
    roles: list[RoleName] | None = Field(default=None, min_length=1)
    """Roles allowed; omitted means the defaults'."""
    users: list[GitHubLogin] | None = Field(default=None, min_length=1)
    """Only these people may start the runners."""
    users_from_json: HttpsUrl | None = None
    """Only people in this JSON list may start the runners."""

    @model_validator(mode="after")
    def _one_user_source(self) -> CirunGrant:
        if self.users is not None and self.users_from_json is not None:
            raise ValueError("give `users` or `users_from_json`, not both")
        return self

    def policy_id(self, feedstock: str) -> str:
        if self.id is not None:
            return self.id
        middle = f"-{self.name}" if self.name else ""
        return f"{feedstock}-feedstock{middle}-policy"


class FeedstockAccess(Model):
    """`access/<feedstock>.yaml`: what one feedstock (file name without `-feedstock`) may use."""

    cirun: list[CirunGrant] = Field(default_factory=list)
    """cirun policies."""
    large_runners: list[Kebab] = Field(default_factory=list)
    """Large-runner providers (`providers.yaml` ids) whose runner group includes the feedstock."""


# --- large-runner providers (data/runners/providers.yaml) -----------------------------------------


class LargeRunnerProvider(Model):
    """A hosted large-runner service granted per feedstock through admin-requests."""

    id: Kebab
    """The admin-requests `action` (`namespace`, `blacksmith`, `depot`)."""
    name: Text
    """Display name."""
    website: HttpsUrl
    """Where to read about it."""
    runner_group: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 ._-]+$", max_length=100)]
    """The GitHub Actions runner group its runners join."""


class ProvidersFile(Model):
    """`providers.yaml`."""

    providers: list[LargeRunnerProvider] = Field(default_factory=list)
    """The providers."""


# --- the AWS GPU pool (data/runners/aws-gpu-pool.yaml) --------------------------------------------


class AwsInstanceType(Model):
    """An EC2 GPU instance type cirun may start."""

    gpu_model: Text
    """e.g. `NVIDIA T4`."""
    gpus: NonNegativeInt
    """GPUs per instance (a pool type must have at least one)."""
    gpu_memory_gb: PositiveInt
    """Memory per GPU."""
    vcpus: PositiveInt
    """vCPUs per instance."""
    ram_gb: PositiveInt
    """Memory per instance in GB."""
    max_instances: PositiveInt
    """At most this many of this type at once."""


class AwsGpuPool(Model):
    """The AWS GPU pool cirun draws from: the GPU server's successor. The AWS stack reads it.

    ```yaml
    region: us-east-1
    max_instances: 4
    instance_types:
      g4dn.xlarge:
        {gpu_model: NVIDIA T4, gpus: 1, gpu_memory_gb: 16, vcpus: 4, ram_gb: 16, max_instances: 4}
    ```
    """

    region: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$")]
    """AWS region cirun launches instances in."""
    max_instances: PositiveInt
    """At most this many pool instances at once, all types together."""
    instance_types: dict[GpuInstanceType, AwsInstanceType] = Field(min_length=1)
    """Allowed instance types by EC2 name: the only ones cirun may launch (the AWS stack restricts
    cirun's IAM user to them)."""

    @property
    def allowed_instance_types(self) -> tuple[str, ...]:
        """The allowed EC2 instance type names, sorted (for `ec2:InstanceType` conditions)."""
        return tuple(sorted(self.instance_types))


# --- loaded data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostEntry:
    id: str
    file: str
    host: Host


@dataclass(frozen=True)
class AccessEntry:
    feedstock: str
    file: str
    access: FeedstockAccess


@dataclass(frozen=True)
class RunnerData:
    """Everything in `data/runners/`, validated. ``Project.runners`` holds one."""

    data_dir: str
    """The folder as shown in messages (relative to the project root)."""
    hosts: tuple[HostEntry, ...]
    resources: tuple[Resource, ...]
    policy_defaults: PolicyDefaults
    providers: tuple[LargeRunnerProvider, ...]
    access: tuple[AccessEntry, ...]
    aws_gpu_pool: AwsGpuPool | None
    """The AWS GPU pool (None when `aws-gpu-pool.yaml` is absent)."""

    def file(self, name: str) -> str:
        return f"{self.data_dir}/{name}"

    def host(self, host_id: str) -> Host | None:
        return next((h.host for h in self.hosts if h.id == host_id), None)

    def resource(self, label: str) -> Resource | None:
        return next((r for r in self.resources if r.label == label), None)

    def is_current(self, resource: Resource) -> bool:
        """A resource is retired when its host is decommissioned."""
        host = self.host(resource.host) if resource.host else None
        return host is None or host.decommissioned is None

    @property
    def current_resources(self) -> tuple[Resource, ...]:
        return tuple(r for r in self.resources if self.is_current(r))

    def feedstocks_with(self, label: str) -> list[str]:
        """Feedstocks holding a grant for ``label``, sorted."""
        return sorted(
            {a.feedstock for a in self.access for g in a.access.cirun if label in g.resources}
        )

    def feedstocks_of_provider(self, provider_id: str) -> list[str]:
        return sorted(a.feedstock for a in self.access if provider_id in a.access.large_runners)


# --- reading --------------------------------------------------------------------------------------

HOSTS_DIR = "hosts"
ACCESS_DIR = "access"
RESOURCES_FILE = "resources.yaml"
POLICY_DEFAULTS_FILE = "policy-defaults.yaml"
PROVIDERS_FILE = "providers.yaml"
AWS_GPU_POOL_FILE = "aws-gpu-pool.yaml"

_FEEDSTOCK = re.compile(FEEDSTOCK_PATTERN)
M = TypeVar("M", bound=Model)


def _load_file(path: Path, root: Path | None, model: type[M]) -> tuple[M | None, list[Problem]]:
    return read_model(model)(path, root)


def _load_required(
    data_dir: Path, root: Path | None, name: str, model: type[M]
) -> tuple[M | None, list[Problem]]:
    path = data_dir / name
    if not path.is_file():
        return None, [Problem(display_path(path, root), "", "required runner data file is missing")]
    return _load_file(path, root, model)


def read_runner_files(
    data_dir: Path, root: Path | None = None
) -> tuple[RunnerData | None, list[Problem]]:
    """Parse every runner data file (schema only; the rules run in ``infra.config.rule_table``).

    None unless every file parses: cross-file rules cannot tell "unknown label" from
    "resources.yaml is broken".
    """
    shown_dir = display_path(data_dir, root)
    if not data_dir.is_dir():
        return None, [Problem(shown_dir, "", "the runner data folder is missing")]
    problems: list[Problem] = []
    hosts, found = load_folder(data_dir / HOSTS_DIR, Host, root, what="host")
    problems.extend(found)
    access, found = load_folder(
        data_dir / ACCESS_DIR,
        FeedstockAccess,
        root,
        what="feedstock",
        id_pattern=_FEEDSTOCK,
        id_rule="the feedstock's package name (lower-case, digits, `._-`)",
    )
    problems.extend(found)
    resources, found = _load_required(data_dir, root, RESOURCES_FILE, ResourcesFile)
    problems.extend(found)
    defaults, found = _load_required(data_dir, root, POLICY_DEFAULTS_FILE, PolicyDefaults)
    problems.extend(found)
    providers: ProvidersFile | None = ProvidersFile()
    if (data_dir / PROVIDERS_FILE).exists():
        providers, found = _load_file(data_dir / PROVIDERS_FILE, root, ProvidersFile)
        problems.extend(found)
    pool: AwsGpuPool | None = None
    if (data_dir / AWS_GPU_POOL_FILE).exists():
        pool, found = _load_file(data_dir / AWS_GPU_POOL_FILE, root, AwsGpuPool)
        problems.extend(found)
    if problems or resources is None or defaults is None or providers is None:
        return None, problems
    return (
        RunnerData(
            data_dir=shown_dir,
            hosts=tuple(HostEntry(id=e.id, file=e.file, host=e.value) for e in hosts),
            resources=tuple(resources.resources),
            policy_defaults=defaults,
            providers=tuple(providers.providers),
            access=tuple(AccessEntry(feedstock=e.id, file=e.file, access=e.value) for e in access),
            aws_gpu_pool=pool,
        ),
        [],
    )
