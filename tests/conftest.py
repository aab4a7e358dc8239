"""Shared fixtures: the repository's example content, copied, and one build of it per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_CONTENT = REPO / "content"
#: The shared OOXML checkers: the ECMA-376 schemas and the rules behind Office's repair prompt.
OOXML_CHECKERS = ("ooxml_check.py", "office_strict.py")


def find_shared_tools() -> Path | None:
    """The shared checkers' folder, ``shared/tools`` beside the repository or beside a folder
    above it (a worktree sits deeper than the main checkout); None when there is none."""
    for parent in REPO.parents:
        folder = parent / "shared" / "tools"
        if all((folder / tool).is_file() for tool in OOXML_CHECKERS):
            return folder
    return None


def require_shared_tools() -> Path:
    """The shared checkers' folder; the calling test skips, saying why, when it is missing, and
    fails in CI (PITCHKIT_REQUIRE_LIBREOFFICE=1), where a skip would hide that nothing was
    checked."""
    found = find_shared_tools()
    if found is None:
        reason = "the shared OOXML checkers (../shared/tools) are not there"
        if os.environ.get("PITCHKIT_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="session")
def shared_tools() -> Path:
    """:func:`require_shared_tools` as a fixture."""
    return require_shared_tools()


def ooxml_errors(tools: Path, files: Sequence[Path | str]) -> list[str]:
    """What the shared checkers in ``tools`` find wrong in ``files``: their error lines, and
    the tail of their output when a checker fails without one (empty: all clean)."""
    errors: list[str] = []
    for tool in OOXML_CHECKERS:
        run = subprocess.run(
            [sys.executable, str(tools / tool), *map(str, files)],
            capture_output=True,
            text=True,
            check=False,
        )
        found = [
            f"{tool}: {line}"
            for line in run.stdout.splitlines()
            if " ERROR " in line or "schema:" in line
        ]
        if run.returncode != 0 and not found:
            found = [f"{tool} exited {run.returncode}: {(run.stdout + run.stderr)[-2000:]}"]
        errors += found
    return errors


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh copy of the example workspace (content/ only), safe to edit."""
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE_CONTENT, root / "content")
    return root


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one build of the example workspace."""
    from generator.pipeline.build import build

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
    from generator.export.pdf import find_soffice

    if find_soffice() is None:
        raise pytest.UsageError("PITCHKIT_REQUIRE_LIBREOFFICE=1 but LibreOffice is not installed")
