"""Test doubles that mirror third-party SDK surfaces exactly (never for AWS: tests use moto)."""
