"""Shared fixtures: the repository's example content, copied, and one build of it per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_CONTENT = REPO / "content"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh copy of the example workspace (content/ only), safe to edit."""
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE_CONTENT, root / "content")
    return root


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one build of the example workspace."""
    from generator.build import build

    root = tmp_path_factory.mktemp("built")
    shutil.copytree(EXAMPLE_CONTENT, root / "content")
    build(root, jobs=1)
    return root / "output"


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL_PROJECT = """\
project:
  title: Minimaal project
  municipality: Gemeente Klein
pitch:
  key_message: Dit is de kernboodschap.
"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In CI (PITCHKIT_REQUIRE_LIBREOFFICE=1) a test may not skip for want of LibreOffice."""
    import os

    if os.environ.get("PITCHKIT_REQUIRE_LIBREOFFICE") != "1":
        return
    from generator.pdf import find_soffice

    if find_soffice() is None:
        raise pytest.UsageError("PITCHKIT_REQUIRE_LIBREOFFICE=1 but LibreOffice is not installed")
