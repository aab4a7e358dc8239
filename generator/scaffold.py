"""``pitchkit init``: a new workspace with a worked example.

Contract: :func:`init_workspace` creates DIR with content/audiences.yaml, one example project with
its image, content/smart-city.yaml (Dutch), the JSON Schemas under .pitchkit/ that the files'
``$schema`` lines point to, and a .gitignore; it refuses to touch a folder that already has
content/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import PitchkitError
from .resources import default_content_dir, default_templates_dir
from .schema import schema_text

EXAMPLES = {"nl": "slimme-verlichting", "en": "smart-bins"}


def init_workspace(target: Path, language: str = "nl") -> list[Path]:
    """Create the workspace; return the files written."""
    content = target / "content"
    if content.exists():
        raise PitchkitError(
            f"{content} already exists; pitchkit init does not overwrite a workspace. "
            "Choose a new folder name."
        )
    source = default_content_dir()
    example = EXAMPLES[language]
    shutil.copytree(
        source / example, content / example, ignore=shutil.ignore_patterns("__pycache__")
    )
    if language == "en":
        shutil.copyfile(
            default_templates_dir() / "scaffold" / "audiences.en.yaml", content / "audiences.yaml"
        )
    else:
        shutil.copyfile(source / "audiences.yaml", content / "audiences.yaml")
        shutil.copyfile(source / "smart-city.yaml", content / "smart-city.yaml")
    schema_dir = target / ".pitchkit"
    schema_dir.mkdir(parents=True, exist_ok=True)
    for kind in ("project", "audiences", "smart-city"):
        (schema_dir / f"{kind}.schema.json").write_text(schema_text(kind), encoding="utf-8")
    (target / ".gitignore").write_text("output/\n", encoding="utf-8")
    return sorted(p for p in target.rglob("*") if p.is_file())
