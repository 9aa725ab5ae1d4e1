"""The capacity report: what each host has, how many of each flavor fit at once, who reaches a GPU.

``host_capacity`` and ``gpu_reach`` are pure and tested; ``render_report`` lays them out with rich.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from infra.config.runners import Cloud, Flavor, Host, HostEntry, RunnerData


@dataclass(frozen=True)
class FlavorFit:
    """How many VMs of one flavor the host runs at once, and which limit binds first."""

    flavor: Flavor
    labels: tuple[str, ...]
    fits: int
    limited_by: str


def flavor_fit(host: Host, flavor: Flavor) -> FlavorFit:
    limits = {"cores": host.cpu.cores // flavor.vcpus, "RAM": host.ram_gb // flavor.ram_gb}
    if flavor.gpus:
        # GPUs cannot be shared between VMs: only the assignable ones count.
        limits["GPUs"] = host.assignable_gpus // flavor.gpus
    limited_by = min(limits, key=lambda k: (limits[k], k))
    return FlavorFit(flavor, (), limits[limited_by], limited_by)


def host_capacity(data: RunnerData, entry: HostEntry) -> list[FlavorFit]:
    """Every flavor of the host with what fits at once and the labels that use it."""
    out = []
    for flavor in entry.host.flavors:
        fit = flavor_fit(entry.host, flavor)
        labels = tuple(
            r.label for r in data.resources if r.host == entry.id and r.flavor == flavor.id
        )
        out.append(FlavorFit(fit.flavor, labels, fit.fits, fit.limited_by))
    return out


@dataclass(frozen=True)
class GpuReach:
    """A GPU resource, what it runs on, and the feedstocks granted it."""

    label: str
    runs_on: str
    gpu: str
    current: bool
    feedstocks: tuple[str, ...]


def gpu_reach(data: RunnerData) -> list[GpuReach]:
    """Every resource that lands on a GPU, in `resources.yaml` order."""
    out = []
    for r in data.resources:
        host = data.host(r.host) if r.host else None
        gpu = ""
        runs_on = r.host or str(r.cloud)
        if r.cloud is Cloud.OPENSTACK and host is not None and host.gpu is not None:
            flavor = next((f for f in host.flavors if f.id == r.flavor), None)
            if flavor is not None and flavor.gpus:
                gpu, runs_on = f"{flavor.gpus}x {host.gpu.model}", f"{r.host} / {flavor.id}"
        elif r.cloud is Cloud.ON_PREM and host is not None and host.gpu is not None:
            gpu = f"{host.gpu.count}x {host.gpu.model}"
        elif (
            r.cloud is Cloud.AWS
            and data.aws_gpu_pool
            and r.instance_type in data.aws_gpu_pool.instance_types
        ):
            t = data.aws_gpu_pool.instance_types[r.instance_type]
            gpu, runs_on = f"{t.gpus}x {t.gpu_model}", f"aws / {r.instance_type}"
        if gpu:
            out.append(
                GpuReach(
                    r.label, runs_on, gpu, data.is_current(r), tuple(data.feedstocks_with(r.label))
                )
            )
    return out


def _host_panel(data: RunnerData, entry: HostEntry) -> RenderableType:
    host = entry.host
    status = f"decommissioned {host.decommissioned}" if host.decommissioned else "current"
    gpu = "no GPU"
    if host.gpu is not None:
        mem = f" {host.gpu.memory_gb} GB" if host.gpu.memory_gb else ""
        gpu = f"{host.gpu.count}x {host.gpu.model}{mem} ({host.gpu.assignable} assignable at once)"
    head = Text.assemble(
        (entry.id, "bold"),
        f" [{host.kind}, {status}]\n",
        f"  CPU: {host.cpu.model}, {host.cpu.cores} cores; RAM: {host.ram_gb} GB\n",
        f"  GPU: {gpu}",
    )
    fits = host_capacity(data, entry)
    if host.decommissioned:
        # Its flavors are history: one line, not a table that buries the hosts in service.
        return Group(head, Text(f"  {len(fits)} flavors, none offered any more\n"))
    if not fits:
        return Group(head, Text("  no flavors: cirun's agent runs jobs on the machine itself\n"))
    table = Table(show_edge=False, pad_edge=False, box=None)
    for col in ("flavor", "vCPU", "RAM GB", "disk GB", "GPUs", "at once", "limited by", "labels"):
        numeric = col in ("vCPU", "RAM GB", "disk GB", "GPUs", "at once")
        # Labels wrap between labels, never inside one (they are searched for and copied).
        table.add_column(col, justify="right" if numeric else "left", no_wrap=col != "labels")
    for fit in fits:
        f = fit.flavor
        table.add_row(
            f.id,
            str(f.vcpus),
            str(f.ram_gb),
            str(f.disk_gb),
            str(f.gpus),
            str(fit.fits),
            fit.limited_by,
            ", ".join(fit.labels) or "-",
        )
    return Group(head, table, Text(""))


def _gpu_table(data: RunnerData) -> Table:
    table = Table(
        title="Who can reach each GPU resource", title_justify="left", show_edge=False, box=None
    )
    table.add_column("label", no_wrap=True)
    for col in ("runs on", "GPU", "feedstocks"):
        table.add_column(col)
    retired = []
    for reach in gpu_reach(data):
        if not reach.current:
            retired.append(reach.label)
            continue
        who = ", ".join(reach.feedstocks) if reach.feedstocks else "(nobody)"
        table.add_row(reach.label, reach.runs_on, reach.gpu, who)
    if retired:
        table.caption = f"Retired (host decommissioned): {', '.join(retired)}"
        table.caption_justify = "left"
    return table


def _pool_table(data: RunnerData) -> RenderableType:
    pool = data.aws_gpu_pool
    if pool is None:
        return Text("No AWS GPU pool (aws-gpu-pool.yaml is absent).")
    table = Table(
        title=f"AWS GPU pool ({pool.region}, at most {pool.max_instances} instances at once)",
        title_justify="left",
        show_edge=False,
        box=None,
    )
    for col in ("instance type", "GPU", "vCPU", "RAM GB", "max at once", "labels"):
        table.add_column(col, no_wrap=col in ("instance type", "vCPU", "RAM GB"))
    for name, t in sorted(pool.instance_types.items()):
        gpu = f"{t.gpus}x {t.gpu_model} {t.gpu_memory_gb} GB"
        labels = [
            r.label for r in data.resources if r.cloud is Cloud.AWS and r.instance_type == name
        ]
        table.add_row(
            name,
            gpu,
            str(t.vcpus),
            str(t.ram_gb),
            str(min(t.max_instances, pool.max_instances)),
            ", ".join(labels) or "(no label yet)",
        )
    return table


def render_report(data: RunnerData, console: Console) -> None:
    console.print(Text("Runner hosts", style="bold underline"))
    for entry in data.hosts:
        console.print(_host_panel(data, entry))
    console.print(_gpu_table(data))
    console.print()
    console.print(_pool_table(data))
