"""Every relative link in the docs points at a file (and heading) that exists."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import REPO_ROOT

_FENCE = re.compile(r"```.*?```", re.DOTALL)
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def doc_files() -> list[Path]:
    return sorted(
        [*REPO_ROOT.glob("docs/**/*.md"), REPO_ROOT / "README.md", REPO_ROOT / "SECURITY.md"]
    )


def github_anchor(heading: str) -> str:
    """GitHub's heading slug: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return {github_anchor(m) for m in re.findall(r"^#+\s+(.*)$", text, flags=re.MULTILINE)}


def broken_links() -> list[str]:
    broken = []
    for doc in doc_files():
        if not doc.is_file():
            continue
        text = _FENCE.sub("", doc.read_text(encoding="utf-8"))
        for link in _LINK.findall(text):
            if re.match(r"[a-z]+:", link) or link.startswith("#"):
                continue
            target, _, anchor = link.partition("#")
            path = (doc.parent / target).resolve()
            where = f"{doc.relative_to(REPO_ROOT)} -> {link}"
            if not path.exists():
                broken.append(where)
            elif anchor and path.suffix == ".md" and anchor not in anchors(path):
                broken.append(f"{where} (no such heading)")
    return broken


def test_github_anchor_matches_githubs_slugs():
    assert github_anchor("The automatic rotator `aws-iam-access-key`") == (
        "the-automatic-rotator-aws-iam-access-key"
    )
    assert github_anchor("How admins run the real thing") == "how-admins-run-the-real-thing"


def test_every_relative_link_in_the_docs_resolves():
    assert not broken_links(), "broken links:\n" + "\n".join(broken_links())
