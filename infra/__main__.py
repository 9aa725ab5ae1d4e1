"""What ``pulumi preview``/``pulumi up`` run (``main: infra/`` in Pulumi.yaml)."""

from infra.program import main

main()
