"""The one rule table: one signature, named rules, skippable by name, run on what loaded."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from infra.config.loader import load_project
from infra.config.rule_inputs import Data, MissingPart, Part
from infra.config.rule_table import RULES, run_rules
from infra.errors import ConfigError
from tests.conftest import FIXTURE_ROOT, FIXTURE_STACK


def test_every_rule_has_one_signature_a_unique_name_and_an_ensure_docstring() -> None:
    names = [rule.name for rule in RULES]

    assert len(names) == len(set(names))
    for rule in RULES:
        params = list(inspect.signature(rule.check).parameters.values())
        assert [(p.name, p.annotation) for p in params] == [("data", "Data")], rule.name
        assert rule.name.startswith("validate_"), rule.name
        assert rule.summary.startswith("Ensure "), rule.name
        assert rule.needs, rule.name


def test_a_rule_only_runs_when_the_parts_it_needs_loaded() -> None:
    # Nothing loaded: no rule runs, so none can read an absent part.
    assert run_rules(Data()) == []


def test_reading_an_undeclared_part_is_a_bug_named_as_such() -> None:
    with pytest.raises(MissingPart, match="`stack`"):
        _ = Data().config


def test_a_rule_can_be_skipped_by_name(fixture_copy: Path) -> None:
    owners = fixture_copy / "data/github/owners.csv"
    owners.write_text(owners.read_text().splitlines()[0] + "\n" + "Only One,only-one\n")
    with pytest.raises(ConfigError) as exc:
        load_project(fixture_copy, FIXTURE_STACK)
    # Not skipped, the rule reports the core members who are no longer owners.
    assert any("core members own the organisation" in p.message for p in exc.value.problems)
    with pytest.raises(ConfigError) as exc:
        load_project(fixture_copy, FIXTURE_STACK, skip=["validate_core_are_owners"])
    messages = [p.message for p in exc.value.problems]
    assert any("at least 2 owners" in m for m in messages)
    assert not any("core members own the organisation" in m for m in messages)


def test_skipping_an_unknown_rule_is_refused() -> None:
    with pytest.raises(ConfigError, match="validate_no_such_rule"):
        load_project(FIXTURE_ROOT, FIXTURE_STACK, skip=["validate_no_such_rule"])


def test_the_table_covers_every_part() -> None:
    assert {part for rule in RULES for part in rule.needs} == set(Part)
