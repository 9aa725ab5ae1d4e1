"""Adoption: take over what conda-forge's three Pulumi YAML projects manage, without recreating it.

``yaml_project`` reads a YAML project, ``translate`` turns projects into this repository's
manifest and stack data, ``import_plan`` writes the file for ``pulumi import --file`` from the
offline plan, and ``cli`` holds the ``cfinfra import-yaml`` / ``cfinfra import-plan`` commands. The
step-by-step switch is in ``docs/migration.md``.
"""
