"""pitchkit: a pitch deck (.pptx) and a one-page handout (.docx, PDF) per audience group.

The flow, one subpackage per stage: :mod:`generator.content` (workspace -> model) ->
:mod:`generator.compose` (per-audience selection, templates -> document tree) ->
:mod:`generator.deck` / :mod:`generator.handout` (tree -> file) -> :mod:`generator.export` (PDF).
:mod:`generator.pipeline` runs them in order; :mod:`generator.checks` reads the documents back;
:mod:`generator.app` is the command line. ``docs/architecture.md`` draws the picture.

The public API, for using pitchkit as a library::

    from generator import build, check_workspace, load_workspace
    report = build(Path("my-workspace"))            # writes output/, returns a BuildReport
    result = check_workspace(Path("my-workspace"))  # findings, nothing written

Errors are :class:`PitchkitError` subclasses (``generator.errors``); their message says what to do.
Names are imported on first use, so ``import generator`` stays cheap for the command line.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> module that defines it.
_PUBLIC = {
    "build": "generator.pipeline.build",
    "BuildReport": "generator.pipeline.jobs",
    "check_workspace": "generator.checks.check",
    "CheckResult": "generator.checks.check",
    "load_workspace": "generator.content.loader",
    "Workspace": "generator.content.loader",
    "init_workspace": "generator.content.scaffold",
    "PitchkitError": "generator.errors",
    "ContentError": "generator.errors",
    "TemplateProblem": "generator.errors",
    "BuildError": "generator.errors",
    "Problem": "generator.errors",
}

__all__ = [
    "BuildError",
    "BuildReport",
    "CheckResult",
    "ContentError",
    "PitchkitError",
    "Problem",
    "TemplateProblem",
    "Workspace",
    "__version__",
    "build",
    "check_workspace",
    "init_workspace",
    "load_workspace",
]

if TYPE_CHECKING:
    from generator.checks.check import CheckResult, check_workspace
    from generator.content.loader import Workspace, load_workspace
    from generator.content.scaffold import init_workspace
    from generator.errors import BuildError, ContentError, PitchkitError, Problem, TemplateProblem
    from generator.pipeline.build import build
    from generator.pipeline.jobs import BuildReport


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'generator' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
