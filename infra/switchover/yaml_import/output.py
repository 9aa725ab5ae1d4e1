"""Write a translation as files: ``secrets/<id>.yaml`` per secret, ``Pulumi.<stack>.yaml``, and a
file per repository and per webhook under ``data/github/``.

Rendering is pure and deterministic (``render_translation``); writing refuses to mix an import with
an existing manifest unless told to replace it, so a stale secret file can never survive an import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from infra.config.files import file_in
from infra.config.github import REPOSITORIES_DIR, WEBHOOKS_DIR
from infra.config.kinds import schema_header
from infra.config.loader import MANIFEST_DIR, stack_file_name
from infra.switchover.yaml_import.translate import Translation

# Wide enough that no flow mapping wraps mid-entry: one target or repository per line reads best.
_WIDTH = 4096


def _dump(data: Any) -> str:
    # Flow style for leaf collections, as the hand-written manifest does (`onepassword: {...}`).
    return yaml.safe_dump(
        data, sort_keys=False, default_flow_style=None, allow_unicode=True, width=_WIDTH
    )


def render_translation(translation: Translation, stack: str) -> dict[Path, str]:
    """Relative path → file text. Raises ``UnsafeName`` for an id that is not a plain name."""
    files: dict[Path, str] = {}
    for secret_id, doc in translation.secrets.items():
        sources = ", ".join(translation.sources.get(secret_id, [])) or "?"
        path = file_in(Path(MANIFEST_DIR), secret_id, ".yaml")  # a name from the YAML projects
        header = f"# Imported by `cfinfra import-yaml` from {sources}.\n"
        files[path] = schema_header(path) + header + _dump(doc)
    config = dict(translation.config)
    github = dict(config.get("cfinfra:github") or {})
    for key, folder in (("repositories", REPOSITORIES_DIR), ("webhooks", WEBHOOKS_DIR)):
        for entity_id, doc in (github.pop(key, None) or {}).items():
            path = file_in(Path(folder), entity_id, ".yaml")
            files[path] = schema_header(path) + _dump(doc or {})
    if "cfinfra:github" in config:
        config["cfinfra:github"] = github
    header = (
        "# Imported by `cfinfra import-yaml`.\n"
        "# Audiences come from --like, or are the fail-closed default `public`: review them.\n"
    )
    path = Path(stack_file_name(stack))
    stack_doc = {**translation.stack_extra, "config": config}
    files[path] = schema_header(path) + header + _dump(stack_doc)
    return files


class OutputExistsError(Exception):
    """The output folder already holds a manifest or stack file."""


def write_translation(
    translation: Translation, output: Path, stack: str, *, overwrite: bool = False
) -> list[Path]:
    """Write the files under ``output``. Returns the paths written (sorted)."""
    stack_path = output / stack_file_name(stack)
    folders = [output / MANIFEST_DIR, output / REPOSITORIES_DIR, output / WEBHOOKS_DIR]
    existing = [path for folder in folders if folder.is_dir() for path in sorted(folder.iterdir())]
    if stack_path.exists():
        existing.append(stack_path)
    if existing and not overwrite:
        raise OutputExistsError(
            f"{output} already holds {len(existing)} manifest/stack/data file(s); pass --overwrite "
            "to replace them (every file of secrets/, data/github/repositories/ and "
            "data/github/webhooks/ there is removed first)"
        )
    for path in existing:
        if path.parent in folders:
            path.unlink()
    written = []
    for rel, text in sorted(render_translation(translation, stack).items()):
        path = output / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
