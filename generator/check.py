"""``pitchkit check``: everything a build does except writing.

Contract: :func:`check_workspace` loads and validates the content (raising ContentError on
errors, like a build), renders every template and builds every document in memory, and returns
the warnings found, each naming project, audience and document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .build import build_documents, plan, render_all
from .loader import load_workspace


@dataclass
class CheckResult:
    """What the check found."""

    projects: int
    documents: int
    warnings: list[str] = field(default_factory=list)


def check_workspace(path: Path) -> CheckResult:
    """Validate and dry-run the build of the workspace at ``path``."""
    workspace = load_workspace(path)
    rendered = render_all(workspace, plan(workspace))
    warnings = [w.render(workspace.root) for w in workspace.warnings]
    count = 0
    for item in rendered:
        for document in build_documents(item, workspace.root / "output"):
            count += 1
            warnings += [f"{document.path.name}: {w}" for w in document.warnings]
    return CheckResult(len(workspace.projects), count, warnings)
