"""What a public drift issue must never do: print a credential, or let a preview write Markdown.

And what it must always do: say which value is live, and put security-relevant drift first.
"""

from __future__ import annotations

import json
from pathlib import Path

from markdown_it import MarkdownIt
from typer.testing import CliRunner

from infra.cli import app
from infra.drift.report import RUNBOOK, parse_preview, render_markdown
from tests.drift.drift_helpers import ROOT_URN, URN_PREFIX, one_update

TOKEN = "ghp_" + "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eR4"  # GitHub token format, not a real one
SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
HIDDEN = "only-in-a-secret-object-7f3a"
MD = MarkdownIt("commonmark").enable("table")


def _preview(steps: list[dict], diagnostics: list[dict] | None = None) -> str:
    return json.dumps(
        {
            "steps": [{"op": "same", "urn": ROOT_URN}, *steps],
            "diagnostics": diagnostics or [],
            "changeSummary": {"update": len(steps)},
        }
    )


def _update(name: str, prop: str, old: object, new: object, type_: str) -> dict:
    urn = f"{URN_PREFIX}{type_}::{name}"
    return {
        "op": "update",
        "urn": urn,
        "oldState": {"urn": urn, "inputs": {prop: old}, "outputs": {prop: old}},
        "newState": {"urn": urn, "inputs": {prop: new}, "outputs": {}},
        "diffReasons": [prop],
        "detailedDiff": {prop: {"kind": "update", "inputDiff": True}},
    }


REPO = "github:index/repository:Repository"


def test_a_credential_in_a_plain_field_is_not_printed() -> None:
    text = one_update("description", f"rotated, new one is {TOKEN}", "Fine")
    md = render_markdown(parse_preview(text))
    assert TOKEN not in md
    assert "`description`: live: `[secret]` · code: `[secret]`" in md


def test_a_credential_in_a_diagnostic_is_not_printed() -> None:
    urn = f"{URN_PREFIX}{REPO}::staged-recipes"
    text = _preview(
        [],
        [
            {
                "severity": "error",
                "urn": urn,
                "message": f"POST failed: Authorization: token {TOKEN}",
            }
        ],
    )
    md = render_markdown(parse_preview(text))
    assert TOKEN not in md
    assert "Authorization: token [secret]" in md


def test_a_secret_object_is_never_walked_into_and_its_value_is_cut_from_diagnostics() -> None:
    secret = {**SIG, "plaintext": json.dumps(HIDDEN)}
    step = _update(
        "x", "settings", {"nested": secret, "visible": "ok"}, {"nested": "[secret]"}, REPO
    )
    text = _preview(
        [step],
        [{"severity": "warning", "urn": "", "message": f"provider echoed {HIDDEN} back"}],
    )
    md = render_markdown(parse_preview(text))
    assert HIDDEN not in md
    assert "provider echoed [secret] back" in md
    assert "1b47061264138c4ac30d75fd1eb44270" not in md


def test_a_secret_object_s_value_repeated_in_the_clear_elsewhere_is_masked() -> None:
    first = _update("x", "settings", {**SIG, "plaintext": json.dumps(HIDDEN)}, "[secret]", REPO)
    second = _update("y", "homepage", f"https://x.example/?{HIDDEN}", "https://x.example", REPO)
    md = render_markdown(parse_preview(_preview([first, second])))
    assert HIDDEN not in md
    assert '`homepage`: live: `[secret]` · code: `"https://x.example"`' in md


def test_a_urn_with_a_newline_and_a_mention_renders_as_inert_text() -> None:
    name = "evil\n# heading\n@conda-forge/core <img src=x> [a](https://x.example)"
    step = _update(name, "description", "a", "b", "github:index/repository:Repository\n# t")
    diag = {"severity": "error", "urn": step["urn"], "message": "```\n# boom\n@conda-forge/core"}
    md = render_markdown(parse_preview(_preview([step], [diag])))
    tokens = MD.parse(md)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert not any("heading" in h or "boom" in h for h in headings), headings
    assert not any(t.type in ("html_block", "html_inline") for t in tokens)
    for t in tokens:
        for child in t.children or []:
            # Every `@` that is not inside a code span or a fenced block must be neutralised.
            assert child.type == "code_inline" or "@conda" not in child.content
            assert child.type != "link_open"
    assert "@conda-forge/core" not in "".join(
        t.content for t in tokens if t.type not in ("fence", "inline")
    )


def test_a_secret_widened_by_hand_says_which_side_is_live_and_is_flagged_first() -> None:
    type_ = "github:index/actionsOrganizationSecret:ActionsOrganizationSecret"
    step = _update("PROD_BINSTAR_TOKEN", "visibility", "all", "selected", type_)
    md = render_markdown(parse_preview(_preview([step])))
    assert '`visibility`: live: `"all"` · code: `"selected"`' in md
    top, _, rest = md.partition("## Drift")
    assert "Security-relevant drift" in top
    assert "`PROD_BINSTAR_TOKEN`" in top
    assert "secret readable more widely live (`all`) than in code (`selected`)" in top
    assert RUNBOOK in top
    assert "`up` would set the live values back to the code's" in rest


def test_cosmetic_drift_is_not_flagged() -> None:
    md = render_markdown(parse_preview(one_update("hasWiki", True, False)))
    assert "Security-relevant" not in md


def test_an_unwritable_output_path_exits_2_with_one_line(tmp_path: Path) -> None:
    preview = tmp_path / "p.json"
    preview.write_text(one_update("hasWiki", True, False), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["drift-report", str(preview), "-o", "/nonexistent-dir/x.md"], catch_exceptions=False
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: cannot write /nonexistent-dir/x.md")
    assert "Traceback" not in result.output
