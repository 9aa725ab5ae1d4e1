"""Typed configuration: the stack file, the secrets manifest and the rules that tie them together.

Nothing in this package imports a Pulumi provider or talks to the network: validation is pure.
"""
