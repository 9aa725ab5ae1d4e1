"""The one masking pass (``infra.markdown.document``): every report ends with it, it masks a
credential wherever it stands, and it leaves the names the program joins from data alone."""

from __future__ import annotations

import ast
import re

import pytest

from infra.markdown import MASK, Document, code, document, text
from tests.conftest import REPO_ROOT

TOKEN = "ghp_" + "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eR4"  # GitHub's token format, not a real one
BLOB = "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eR4Wq1x"  # random base64: entropy, no format
SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"  # a commit id: 40 hex digits
URN = "urn:pulumi:prod::conda-forge-infra::github:index/team:Team::"

# Modules whose `# ` lines are YAML comments of the files they write, not Markdown headings.
YAML_WRITERS = {
    "infra/config/kinds.py": "the `# yaml-language-server` line of every data file",
    "infra/runners/render.py": "the header comment of `.cirun.global.yml` and `.access.yml`",
    "infra/switchover/yaml_import/output.py": "the header comment of imported YAML data",
}
# Modules that hold a heading but write no report of their own.
NOT_REPORTS = {
    "infra/live/api_cost.py": "its lines end `selection-drift`'s and `api-cost`'s documents",
    "infra/preflight/checks.py": "it reads the headings of docs/provider-credentials.md",
}
_HEADING = re.compile(r"^#{1,6} ")


def _heading_literals(tree: ast.AST) -> list[str]:
    """String literals (f-strings' leading text included) that start a Markdown heading."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [node.value] if _HEADING.match(node.value) else []
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and _HEADING.match(str(first.value)):
                found.append(str(first.value))
    return found


def _calls_document(tree: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "document"
        for n in ast.walk(tree)
    )


def test_every_module_that_writes_a_markdown_heading_ends_its_report_with_document() -> None:
    """A new report that forgot the pass fails here (and at its writer: mypy wants a Document)."""
    writers, missing = [], []
    for path in sorted((REPO_ROOT / "infra").rglob("*.py")):
        rel = path.relative_to(REPO_ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = rel == "infra/markdown.py" or rel in YAML_WRITERS or rel in NOT_REPORTS
        if skip or not _heading_literals(tree):
            continue
        writers.append(rel)
        if not _calls_document(tree):
            missing.append(rel)
    assert missing == []
    # The reports of today, so that the scan above cannot silently find nothing.
    assert {
        "infra/diff/markdown.py",
        "infra/diff/guard.py",
        "infra/drift/render.py",
        "infra/pipeline/verify.py",
        "infra/live/against_report.py",
        "infra/live/selections.py",
        "infra/rotation/render.py",
        "infra/docs/render.py",
    } <= set(writers)


def test_no_module_but_the_markdown_module_runs_the_pass_by_hand() -> None:
    hand = [
        p.relative_to(REPO_ROOT).as_posix()
        for p in (REPO_ROOT / "infra").rglob("*.py")
        if p.name != "markdown.py" and re.search(r"\b_mask\(|mask_credentials", p.read_text())
    ]
    assert hand == []


def test_a_document_is_a_finished_report_and_adding_to_it_gives_a_plain_string() -> None:
    doc = document("## Report\n")
    assert isinstance(doc, Document)
    assert not isinstance(doc + "more", Document)


@pytest.mark.parametrize(
    "line",
    [
        f"- {code('leak-' + TOKEN)}",  # a resource name
        f"- {code('topics.' + TOKEN)}: `a` → `b`",  # a property path
        f"- {code(TOKEN)}: +member",  # a login
        f"from 1Password {code('op://pulumi/' + TOKEN + '/credential')}",  # a reference
        f"- {code(URN + TOKEN)}",  # a URN
        f"error: {text('data/github/teams/' + TOKEN + '.csv: the file name is the id')}",
        f"- {code(BLOB)}",  # randomness alone
        f"- {code('repo/' + BLOB)}",  # randomness glued to a harmless part
        f"commit {SHA}",  # a 40-hex id nobody vouched for
    ],
)
def test_a_credential_is_masked_wherever_it_stands(line: str) -> None:
    masked = document(line)
    for planted in (TOKEN, BLOB, SHA):
        assert planted not in masked
    assert MASK in masked
    assert "Zq8rT2vW9x" not in masked  # no part of it either


@pytest.mark.parametrize(
    "line",
    [
        # Long joined names: the randomness rule alone takes each for a base64 token.
        "- +ActionsEnvironmentSecret `conda-forge/infrastructure/rotation/PRIVATE_REPORTS_TOKEN`",
        "- `org-secret-MACOS_NOTARIZATION_AUTHKEY_BASE64`: "
        "`secretName=MACOS_NOTARIZATION_AUTHKEY_BASE64`",
        "reaches Heroku config var "
        "conda-forge/CF\\_WEBSERVICES\\_FEEDSTOCK\\_PRIVATE\\_KEY (`core`)",
        # The report's own prose before a path reads like `secret: value` to the keyword rule.
        "- `leak-guard`: inputs no longer secret: `webhook-legacy.configuration.secret`",
        f"- `{URN}conda-forge-webservices-feedstock-maintainers`",
        "from 1Password `op://pulumi/windows-signing-azure-client-secret-value/credential`",
    ],
)
def test_a_name_joined_from_harmless_parts_is_left_alone(line: str) -> None:
    assert document(line) == line


def test_a_commit_id_the_report_vouches_for_is_left_alone() -> None:
    line = f"Reviewed: `{SHA}` → `{SHA[::-1]}`"
    assert document(line, allow=[SHA, SHA[::-1]]) == line
    assert SHA not in document(line, allow=[SHA[::-1]])


def test_a_known_plaintext_is_masked_even_where_it_looks_harmless() -> None:
    assert document("repository `plain-words`", known=["plain-words"]) == f"repository `{MASK}`"
