"""locate(): what PATH points at, from folder and file names alone (DESIGN.md, command line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.content.locate import locate
from generator.errors import ContentError
from tests.conftest import MINIMAL_PROJECT, write


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    write(tmp_path / "ws" / "content" / "audiences.yaml", "")
    write(tmp_path / "ws" / "content" / "klein" / "project.yaml", MINIMAL_PROJECT)
    return tmp_path / "ws"


def test_a_workspace_its_content_folder_a_project_and_its_file(ws: Path) -> None:
    content = ws / "content"
    assert locate(ws) == locate(content)
    assert locate(ws).root == ws.resolve() and locate(ws).content_dir == content.resolve()
    assert locate(ws).only_project is None
    for path in (content / "klein", content / "klein" / "project.yaml"):
        found = locate(path)
        assert (found.root, found.only_project) == (ws.resolve(), (content / "klein").resolve())


def test_a_content_folder_without_a_workspace_around_it(tmp_path: Path) -> None:
    write(tmp_path / "projecten" / "klein" / "project.yaml", MINIMAL_PROJECT)
    found = locate(tmp_path / "projecten")
    assert found.root == found.content_dir == (tmp_path / "projecten").resolve()


def test_nothing_here_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as exc:
        locate(tmp_path)
    assert "no content found here" in str(exc.value)
    assert "pitchkit init" in str(exc.value)
