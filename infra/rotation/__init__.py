"""Secret rotation: policy checks (``cfinfra rotation status``) and automatic rotators (``run``).

The policy of each secret lives in its manifest entry (``secrets/<id>.yaml``, field ``rotation``).
``status`` only reads 1Password item timestamps, never a secret value. ``run`` drives the automatic
rotators; each rotator derives its progress from the real state of the service and of the 1Password
item, so a run that crashes half-way is healed by running again. Targets receive a rotated value
through ``pulumi up``, never from a rotator.
"""
