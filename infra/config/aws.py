"""``cfinfra:aws``: the AWS footprint (state backend, keyless CI, cirun GPU pool, budget)."""

from __future__ import annotations

from infra.config.base import Model


class AwsConfig(Model):
    """The AWS account this stack manages. (Filled in by the AWS work.)"""
