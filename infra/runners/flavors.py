"""OpenStack flavors of one current OpenStack host, through the host's own explicit provider."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_openstack as openstack

from infra.config.runners import Flavor, HostEntry

_MB_PER_GB = 1024


class HostFlavors(pulumi.ComponentResource):
    """The flavors a host offers cirun. GPU flavors request their GPUs through the host's PCI alias.

    Each host gets its own provider: hosts are separate clouds with separate credentials, and an
    explicit provider with the host's application credential (a manifest `provider-credential`)
    means nothing falls back to whatever `OS_CLOUD` the runner of `pulumi up` has.
    """

    def __init__(
        self,
        name: str,
        entry: HostEntry,
        credential: Mapping[str, pulumi.Output[str]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("cfinfra:runners:HostFlavors", name, None, opts)
        endpoint = entry.host.openstack
        assert endpoint is not None  # validate_host_kind_settings guarantees it for OpenStack hosts
        self.provider = openstack.Provider(
            f"{name}-provider",
            auth_url=endpoint.auth_url,
            region=endpoint.region,
            # The host's application credential from the manifest, never the runner's `OS_*`.
            application_credential_id=credential["application_credential_id"],
            application_credential_secret=credential["application_credential_secret"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, provider=self.provider)
        self.flavors: dict[str, openstack.compute.Flavor] = {
            f.id: openstack.compute.Flavor(
                f"{name}-{f.id}",
                name=f.id,
                vcpus=f.vcpus,
                ram=f.ram_gb * _MB_PER_GB,  # Nova counts RAM in MB, disks in GB
                disk=f.disk_gb,
                region=endpoint.region,
                is_public=True,
                extra_specs=_extra_specs(f, endpoint.gpu_pci_alias),
                opts=child,
            )
            for f in entry.host.flavors
        }
        self.register_outputs({"flavors": sorted(self.flavors)})


def _extra_specs(flavor: Flavor, alias: str | None) -> dict[str, str] | None:
    if not flavor.gpus:
        return None
    # validate_gpu_flavors_have_pci_alias guarantees an alias for current hosts with GPU flavors.
    return {"pci_passthrough:alias": f"{alias}:{flavor.gpus}"}
