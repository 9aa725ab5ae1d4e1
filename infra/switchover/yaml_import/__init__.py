"""Take over what conda-forge's three Pulumi YAML projects manage, without recreating it.

``yaml_project`` reads a YAML project and ``translate`` turns projects into this repository's
manifest and stack data; ``infra.switchover.import_plan`` writes the file for ``pulumi import
--file`` from the offline plan and ``infra.switchover.yaml_cli`` holds the ``cfinfra import-yaml``
/ ``cfinfra import-plan`` commands. The step-by-step switch is in ``docs/migration.md``.
"""
