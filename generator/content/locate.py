"""Where a PATH points: a workspace, its content folder, maybe one project (DESIGN.md).

Contract: :func:`locate` only looks at folders and file names (nothing is read), so a build can
tell whether anything changed before it loads the content model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import ContentError, Problem

PROJECT_FILE = "project.yaml"
AUDIENCES_FILE = "audiences.yaml"


@dataclass(frozen=True)
class Layout:
    """Where a PATH points: the workspace root, its content folder, and maybe one project."""

    root: Path
    content_dir: Path
    only_project: Path | None


def locate(path: Path) -> Layout:
    """Resolve PATH (a workspace, a content folder or a project folder) per DESIGN.md."""
    path = path.resolve()
    if path.is_file() and path.name == PROJECT_FILE:
        path = path.parent
    if (path / PROJECT_FILE).is_file():
        content_dir = path.parent
        root = content_dir.parent if content_dir.name == "content" else content_dir
        return Layout(root, content_dir, path)
    if (path / "content").is_dir():
        return Layout(path, path / "content", None)
    if (path / AUDIENCES_FILE).is_file() or any(path.glob(f"*/{PROJECT_FILE}")):
        root = path.parent if path.name == "content" else path
        return Layout(root, path, None)
    raise ContentError(
        [
            Problem(
                path,
                None,
                None,
                "no content found here",
                "run pitchkit in a workspace (a folder with content/), a content folder or a "
                "project folder with project.yaml; 'pitchkit init DIR' makes a new workspace",
            )
        ]
    )
