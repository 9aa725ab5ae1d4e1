"""Cross-file rules over the runner data: small named checks, each with an "Ensure ..." docstring.

Every rule runs and yields ``Problem``s (file and key path); none stops the others. No network, no
provider SDK. The rules are registered in ``infra.config.rule_table``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from infra.config.base import did_you_mean, repeats
from infra.config.github import REPOSITORIES_DIR
from infra.config.logins import KnownLogins
from infra.config.rule_inputs import Data
from infra.config.runners import FEEDSTOCK_PATTERN, Cloud, HostKind, Resource, RunnerData
from infra.errors import Problem

_KEBAB = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$")
_FEEDSTOCK = re.compile(FEEDSTOCK_PATTERN)


def _resources_file(runners: RunnerData) -> str:
    return runners.file("resources.yaml")


# --- hosts and flavors ----------------------------------------------------------------------------


def validate_host_ids(data: Data) -> Iterable[Problem]:
    """Ensure every host file is named with a lower-case id (the file name is the host's id)."""
    runners = data.runners
    for entry in runners.hosts:
        if not _KEBAB.match(entry.id):
            yield Problem(
                entry.file, "", "the file name is the host's id: lower-case words and dashes"
            )


def validate_host_kind_settings(data: Data) -> Iterable[Problem]:
    """Ensure OpenStack hosts say how to reach them, and only OpenStack hosts declare flavors."""
    runners = data.runners
    for entry in runners.hosts:
        host = entry.host
        if host.kind is HostKind.OPENSTACK and host.openstack is None:
            yield Problem(entry.file, "openstack", "an OpenStack host needs an `openstack` block")
        if host.kind is not HostKind.OPENSTACK:
            if host.openstack is not None:
                yield Problem(
                    entry.file, "openstack", f"only OpenStack hosts have this (kind is {host.kind})"
                )
            if host.flavors:
                yield Problem(
                    entry.file,
                    "flavors",
                    f"only OpenStack hosts offer flavors (kind is {host.kind})",
                )


def validate_gpu_assignable_within_count(data: Data) -> Iterable[Problem]:
    """Ensure a host never claims more assignable GPUs than it has installed."""
    runners = data.runners
    for entry in runners.hosts:
        gpu = entry.host.gpu
        if gpu is not None and gpu.assignable > gpu.count:
            yield Problem(
                entry.file,
                "gpu.assignable",
                f"{gpu.assignable} assignable GPUs but only {gpu.count} installed",
            )


def validate_unique_flavors(data: Data) -> Iterable[Problem]:
    """Ensure no host declares the same flavor id twice."""
    runners = data.runners
    for entry in runners.hosts:
        seen: dict[str, int] = {}
        for i, flavor in enumerate(entry.host.flavors):
            if flavor.id in seen:
                yield Problem(
                    entry.file,
                    f"flavors[{i}].id",
                    f"flavor `{flavor.id}` is already declared (flavors[{seen[flavor.id]}])",
                )
            else:
                seen[flavor.id] = i


def validate_flavors_fit_host(data: Data) -> Iterable[Problem]:
    """Ensure every flavor fits its host: vCPUs, RAM, and GPUs within the assignable ones."""
    runners = data.runners
    for entry in runners.hosts:
        host = entry.host
        for i, f in enumerate(host.flavors):
            path = f"flavors[{i}]"
            if f.vcpus > host.cpu.cores:
                yield Problem(
                    entry.file,
                    f"{path}.vcpus",
                    f"`{f.id}` asks for {f.vcpus} vCPUs; the host has {host.cpu.cores} cores",
                )
            if f.ram_gb > host.ram_gb:
                yield Problem(
                    entry.file,
                    f"{path}.ram_gb",
                    f"`{f.id}` asks for {f.ram_gb} GB RAM; the host has {host.ram_gb} GB",
                )
            if f.gpus > host.assignable_gpus:
                yield Problem(
                    entry.file,
                    f"{path}.gpus",
                    f"`{f.id}` asks for {f.gpus} GPUs; "
                    f"the host can assign {host.assignable_gpus} to VMs at once",
                )


def validate_gpu_flavors_have_pci_alias(data: Data) -> Iterable[Problem]:
    """Ensure a current OpenStack host with GPU flavors names the PCI alias they request GPUs by."""
    runners = data.runners
    for entry in runners.hosts:
        host = entry.host
        if host.decommissioned is not None or host.openstack is None:
            continue
        if any(f.gpus for f in host.flavors) and host.openstack.gpu_pci_alias is None:
            yield Problem(
                entry.file,
                "openstack.gpu_pci_alias",
                "GPU flavors get GPUs through a Nova PCI alias; name it so flavors can request it",
            )


# --- resources ------------------------------------------------------------------------------------


def validate_unique_labels(data: Data) -> Iterable[Problem]:
    """Ensure no runner label is declared twice."""
    runners = data.runners
    seen: dict[str, int] = {}
    for i, r in enumerate(runners.resources):
        if r.label in seen:
            yield Problem(
                _resources_file(runners),
                f"resources[{i}].label",
                f"`{r.label}` is already declared (resources[{seen[r.label]}])",
            )
        else:
            seen[r.label] = i


def validate_cirun_labels(data: Data) -> Iterable[Problem]:
    """Ensure every label starts with `cirun-` (admin-requests only accepts such resources)."""
    runners = data.runners
    for i, r in enumerate(runners.resources):
        if not r.label.startswith("cirun-"):
            yield Problem(
                _resources_file(runners),
                f"resources[{i}].label",
                "cirun labels start with `cirun-`",
            )


def _placement_problems(runners: RunnerData, i: int) -> Iterable[tuple[str, str]]:
    r = runners.resources[i]
    on_host = r.cloud in (Cloud.OPENSTACK, Cloud.ON_PREM)
    if not on_host:
        if r.host is not None:
            yield "host", f"a `{r.cloud}` runner has no host (only openstack and on_prem do)"
        if r.flavor is not None:
            yield "flavor", f"a `{r.cloud}` runner has an instance_type, not a flavor"
        if r.instance_type is None:
            yield "instance_type", f"a `{r.cloud}` runner needs an instance_type"
        return
    if r.host is None:
        yield "host", f"a `{r.cloud}` runner needs a host (a file in hosts/)"
        return
    host = runners.host(r.host)
    if host is None:
        yield "host", f"unknown host `{r.host}` (no hosts/{r.host}.yaml)"
        return
    expected = HostKind.OPENSTACK if r.cloud is Cloud.OPENSTACK else HostKind.ON_PREM
    if host.kind is not expected:
        yield "host", f"`{r.host}` is a {host.kind} host, not {expected}"
        return
    if r.cloud is Cloud.OPENSTACK:
        if r.instance_type is not None:
            yield (
                "instance_type",
                "an OpenStack runner's instance type is its flavor; remove instance_type",
            )
        if r.flavor is None:
            yield "flavor", "an OpenStack runner needs a flavor of its host"
        elif r.flavor not in {f.id for f in host.flavors}:
            yield "flavor", f"host `{r.host}` has no flavor `{r.flavor}`"
    elif r.flavor is not None:
        yield "flavor", "on-prem hosts have no flavors"


def validate_resource_placement(data: Data) -> Iterable[Problem]:
    """Ensure each resource names what its cloud needs: host and flavor, host, or instance type."""
    runners = data.runners
    for i in range(len(runners.resources)):
        for key, message in _placement_problems(runners, i):
            yield Problem(_resources_file(runners), f"resources[{i}].{key}", message)


def _gpus(runners: RunnerData, r: Resource) -> tuple[int | None, str]:
    """How many GPUs a resource's machine has (None: cannot tell), and where that is said."""
    host = runners.host(r.host) if r.host else None
    pool = runners.aws_gpu_pool
    if r.cloud is Cloud.OPENSTACK and host is not None and r.flavor is not None:
        flavor = next((f for f in host.flavors if f.id == r.flavor), None)
        return (flavor.gpus if flavor else None), f"flavor `{r.flavor}`"
    if r.cloud is Cloud.ON_PREM and host is not None:
        return host.assignable_gpus, f"host `{r.host}`"
    if r.cloud is Cloud.AWS and pool is not None and r.instance_type in pool.instance_types:
        return pool.instance_types[r.instance_type].gpus, f"instance type `{r.instance_type}`"
    if r.cloud in (Cloud.AZURE, Cloud.SCALEWAY):
        return 0, f"a {r.cloud} instance type (this project knows no GPU for it)"
    return None, ""


def _placement_key(r: Resource) -> str:
    if r.cloud is Cloud.OPENSTACK:
        return "flavor"
    return "host" if r.cloud is Cloud.ON_PREM else "instance_type"


def validate_gpu_labels_reach_gpus(data: Data) -> Iterable[Problem]:
    """Ensure a resource labelled `gpu` runs on a flavor, host or instance type with a GPU."""
    runners = data.runners
    for i, r in enumerate(runners.resources):
        if not r.wants_gpu:
            continue
        gpus, where = _gpus(runners, r)
        if gpus == 0:
            yield Problem(
                _resources_file(runners),
                f"resources[{i}].{_placement_key(r)}",
                f"`{r.label}` is a GPU label but {where} has no GPU",
            )


def validate_gpu_runners_say_gpu(data: Data) -> Iterable[Problem]:
    """Ensure a resource that runs on a GPU says `gpu` in its label (reviewers, `runners report`
    and the pull-request diff tell GPU grants by the label)."""
    runners = data.runners
    for i, r in enumerate(runners.resources):
        gpus, where = _gpus(runners, r)
        if gpus and not r.wants_gpu:
            yield Problem(
                _resources_file(runners),
                f"resources[{i}].label",
                f"`{r.label}` runs on a GPU ({where}): name it with `gpu` as a word, "
                "e.g. `cirun-…-gpu-…`",
            )


def validate_aws_instance_types(data: Data) -> Iterable[Problem]:
    """Ensure AWS runners use an instance type of the AWS GPU pool (unknown types are refused)."""
    runners = data.runners
    pool = runners.aws_gpu_pool
    for i, r in enumerate(runners.resources):
        if r.cloud is not Cloud.AWS or r.instance_type is None:
            continue
        if pool is None:
            yield Problem(
                _resources_file(runners),
                f"resources[{i}].cloud",
                "AWS runners need the AWS GPU pool (aws-gpu-pool.yaml)",
            )
        elif r.instance_type not in pool.instance_types:
            allowed = ", ".join(pool.allowed_instance_types)
            yield Problem(
                _resources_file(runners),
                f"resources[{i}].instance_type",
                f"unknown instance type `{r.instance_type}`; the AWS GPU pool allows: {allowed}",
            )


# --- access ---------------------------------------------------------------------------------------


def validate_feedstock_names(data: Data) -> Iterable[Problem]:
    """Ensure access files are named after the feedstock's package name, without `-feedstock`."""
    runners = data.runners
    for a in runners.access:
        if a.feedstock.endswith("-feedstock"):
            yield Problem(
                a.file,
                "",
                "name the file after the package, without `-feedstock` "
                f"(`{a.feedstock.removesuffix('-feedstock')}.yaml`)",
            )
        elif not _FEEDSTOCK.match(a.feedstock):
            yield Problem(
                a.file,
                "",
                "the file name is the feedstock's package name (lower-case, digits, `._-`)",
            )


def validate_grant_resources(data: Data) -> Iterable[Problem]:
    """Ensure every granted label is a known, current resource, granted once per feedstock."""
    runners = data.runners
    for a in runners.access:
        granted: dict[str, str] = {}
        for i, grant in enumerate(a.access.cirun):
            for j, label in enumerate(grant.resources):
                path = f"cirun[{i}].resources[{j}]"
                resource = runners.resource(label)
                if resource is None:
                    yield Problem(
                        a.file, path, f"unknown resource `{label}` (not in resources.yaml)"
                    )
                elif not runners.is_current(resource):
                    host = runners.host(resource.host or "")
                    when = host.decommissioned if host else None
                    yield Problem(
                        a.file,
                        path,
                        f"`{label}` is retired: "
                        f"host `{resource.host}` was decommissioned on {when}",
                    )
                if label in granted:
                    yield Problem(
                        a.file,
                        path,
                        f"`{label}` is already granted to this feedstock ({granted[label]})",
                    )
                else:
                    granted[label] = f"cirun[{i}]"


def validate_unique_policy_ids(data: Data) -> Iterable[Problem]:
    """Ensure every policy id generated from the grants is unique."""
    runners = data.runners
    seen: dict[str, str] = {}
    for a in runners.access:
        for i, grant in enumerate(a.access.cirun):
            pid = grant.policy_id(a.feedstock)
            if pid in seen:
                yield Problem(
                    a.file, f"cirun[{i}].name", f"policy id `{pid}` is already used ({seen[pid]})"
                )
            else:
                seen[pid] = f"{a.file} cirun[{i}]"


def validate_large_runner_grants(data: Data) -> Iterable[Problem]:
    """Ensure large-runner grants name known providers, each once."""
    runners = data.runners
    known = {p.id for p in runners.providers}
    for a in runners.access:
        for j, provider in enumerate(a.access.large_runners):
            if provider not in known:
                yield Problem(
                    a.file,
                    f"large_runners[{j}]",
                    f"unknown large-runner provider `{provider}` (not in providers.yaml)",
                )
        for j, provider, _ in repeats(a.access.large_runners):
            yield Problem(a.file, f"large_runners[{j}]", f"`{provider}` is listed twice")


def validate_access_not_empty(data: Data) -> Iterable[Problem]:
    """Ensure every access file grants something (a feedstock without access has no file)."""
    runners = data.runners
    for a in runners.access:
        if not a.access.cirun and not a.access.large_runners:
            yield Problem(a.file, "", "grants nothing; delete the file instead")


# --- providers and the AWS pool -------------------------------------------------------------------


def validate_unique_providers(data: Data) -> Iterable[Problem]:
    """Ensure provider ids and their runner group names are unique."""
    runners = data.runners
    file = runners.file("providers.yaml")
    for key in ("id", "runner_group"):
        seen: dict[str, int] = {}
        for i, p in enumerate(runners.providers):
            value = getattr(p, key)
            if value in seen:
                yield Problem(
                    file,
                    f"providers[{i}].{key}",
                    f"`{value}` is already used (providers[{seen[value]}])",
                )
            else:
                seen[value] = i


def validate_aws_gpu_pool(data: Data) -> Iterable[Problem]:
    """Ensure every AWS pool instance type has a GPU and a limit within the pool's."""
    runners = data.runners
    pool = runners.aws_gpu_pool
    if pool is None:
        return
    file = runners.file("aws-gpu-pool.yaml")
    for name, t in sorted(pool.instance_types.items()):
        if t.gpus == 0:
            yield Problem(
                file, f"instance_types.{name}.gpus", "the pool is for GPU jobs: a type needs a GPU"
            )
        if t.max_instances > pool.max_instances:
            yield Problem(
                file,
                f"instance_types.{name}.max_instances",
                f"{t.max_instances} exceeds the pool's max_instances ({pool.max_instances})",
            )


# --- rules against the stack ----------------------------------------------------------------------


def validate_cirun_repository_declared(data: Data) -> Iterable[Problem]:
    """Ensure the cirun repository is one of the stack's infrastructure repositories."""
    config = data.config
    settings = config.runners
    declared = {n.casefold() for n in config.github.repositories}  # GitHub ignores case
    if settings is not None and settings.cirun_repository.casefold() not in declared:
        yield Problem(
            data.stack_file,
            "config.cfinfra:runners.cirun_repository",
            f"`{settings.cirun_repository}` is not a repository of {REPOSITORIES_DIR}/"
            + did_you_mean(settings.cirun_repository, config.github.repositories),
        )


def validate_runner_grant_logins(data: Data) -> Iterable[Problem]:
    """Ensure every login in a runner grant is spelt as its account is known: as the people data
    spells an org member, and alike in every grant for anyone else (logins ignore case, so
    `Jakirkham` is the owner `jakirkham`, and two spellings would read as two people)."""
    members = data.people.logins
    seen = KnownLogins(members)
    for a in data.runners.access:
        for i, grant in enumerate(a.access.cirun):
            for j, login in enumerate(grant.users or []):
                known = seen.canonical(login)
                path = f"cirun[{i}].users[{j}]"
                if known is None:
                    seen = KnownLogins([*seen, login])
                elif known != login:
                    who = "the org member" if login in members else "spelt elsewhere in grants"
                    yield Problem(
                        a.file, path, f"`{login}` is `{known}` ({who}): write it `{known}`"
                    )
