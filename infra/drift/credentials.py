"""A read-only run's expected provider update: which inputs are credentials, and which run this is.

A read-only run (``CFINFRA_ENVIRONMENT=read-only``, the program's own switch) authenticates each
provider with the read-only credential while the state holds the deploy's. The engine diffs an
explicit provider's config on every preview (``Registry.Diff`` → the bridge's ``DiffConfig``), so
the preview shows ``~ pulumi:providers:github update [diff: ~token]`` and
``--expect-no-changes`` exits 7 (docs/provider-behaviour.md PB-303). That update is the credential
swap the run was built for, not drift: ``parse_preview`` sets it apart when, and only when, the
run is stated to be read-only and *every* property the engine names is a credential input of that
provider. An endpoint, an owner, a base URL, an added input, or a step that names nothing (the
engine could not say) stays drift, and security-relevant, like every provider change.

The credential inputs are the manifest's: each ``provider-credential`` target's ``input``, as the
engine names it (``infra.pulumi_formats.engine_property``). No second list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from infra.config.manifest import ProviderCredentialTarget, SecretEntry
from infra.pulumi_formats import engine_property
from infra.runtime_config import run_environment, stated_environment

CredentialInputs = Mapping[str, frozenset[str]]
"""``{provider package: the engine properties its credentials fill}`` (``github``: ``token``,
``appAuth``)."""

EXPECTED_LINE = "the read-only run's provider credential differs from the deploy's, as expected"
"""What the report says of such an update, in one plain line."""


def credential_inputs(secrets: Iterable[SecretEntry]) -> CredentialInputs:
    """Every provider's credential inputs, from the manifest's ``provider-credential`` targets
    (both runs': a read-only token in place of the deploy's App is a credential change too)."""
    found: dict[str, set[str]] = {}
    for entry in secrets:
        for target in entry.secret.targets:
            if isinstance(target, ProviderCredentialTarget):
                found.setdefault(target.provider.value, set()).add(engine_property(target.input))
    return {package: frozenset(names) for package, names in sorted(found.items())}


def read_only_run(root: Path, stack: str, env: Mapping[str, str]) -> CredentialInputs | None:
    """The credential inputs whose change a read-only run expects; None for any other run.

    The run is read-only only when its workflow says so (``stated_environment``) and the stack's
    read-only environment is the one it names (``run_environment``, which refuses any other
    value with a ``ConfigError``). Unset, the deploy's: nothing is expected, every provider
    update is drift. The project is loaded only for a stated run."""
    stated = stated_environment(env)
    if stated is None:
        return None
    # Only a stated run loads the project: the deploy's report stays a pure read of the preview.
    from infra.config.loader import load_project

    project = load_project(root, stack)
    if run_environment(project, stated) is None:
        return None
    return credential_inputs(project.secrets)
