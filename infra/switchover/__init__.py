"""The switch-over from conda-forge's old setup: one-time tools, deleted in one commit after it.

- ``yaml_import``, ``yaml_cli``: ``cfinfra import-yaml`` (the old Pulumi YAML projects into data)
  and ``cfinfra import-plan`` (the ``pulumi import --file`` JSON adopting what exists);
- ``adopt``, ``adopt_cli``: ``cfinfra adopt --from SNAPSHOT`` (live values into the data files);
- ``import_access``, ``import_access_cli``: ``cfinfra runners import-access`` (the live
  ``.access.yml`` into ``data/runners/access/``);
- ``workflows``, ``audit_cli``: ``cfinfra actions-audit`` (what a proposed Actions policy blocks);
- ``clearance_cli``: ``cfinfra clearance-tags`` (the one-time ``op`` tagging commands).

Nothing weekly imports this package (an import-linter contract in pyproject.toml); only the CLI's
table of lazily loaded commands names it. The steps are in docs/migration.md.
"""
