"""The one snapshot tool: syrupy, with one readable file per snapshot.

A snapshot is the committed text of a rendered output, under ``__snapshots__/`` next to its test.
After an intended change, accept the new output with the one update flag:

    uv run pytest --snapshot-update

then review the snapshot diff like any other change. Unused snapshot files fail the run.
"""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


class _Text(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT


class MarkdownSnapshot(_Text):
    file_extension = "md"


class JsonSnapshot(_Text):
    file_extension = "json"


class YamlSnapshot(_Text):
    file_extension = "yml"


class TextSnapshot(_Text):
    file_extension = "txt"


@pytest.fixture
def md_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(MarkdownSnapshot)


@pytest.fixture
def json_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JsonSnapshot)


@pytest.fixture
def yaml_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(YamlSnapshot)


@pytest.fixture
def text_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(TextSnapshot)
