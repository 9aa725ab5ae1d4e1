"""First contact with the live systems: read-only snapshots, adoption from them, predictions.

Nothing in the Pulumi program or the offline plan imports this package: it talks to live APIs
(``snapshot``) or reads what they returned, and only the CLI uses it.
"""
