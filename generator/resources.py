"""Where the packaged defaults (templates, themes, labels, example content) live.

Contract: in an installed wheel they are inside the package (``generator/_defaults``); in a source
checkout (editable install, tests) they are the repository's own ``templates/`` and ``content/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def _defaults_root() -> Path:
    packaged = _PACKAGE / "_defaults"
    if (packaged / "templates").is_dir():
        return packaged
    return _PACKAGE.parent


def default_templates_dir() -> Path:
    """The default templates: deck/, handout/, labels/, themes/<name>/."""
    return _defaults_root() / "templates"


def default_content_dir() -> Path:
    """The example content that ``pitchkit init`` copies, and the default audiences.yaml."""
    return _defaults_root() / "content"
