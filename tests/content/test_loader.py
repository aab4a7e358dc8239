"""Loading a workspace: every problem at once, each with file, line, field and a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.content.loader import load_workspace
from generator.errors import ContentError
from tests.conftest import MINIMAL_PROJECT, write


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as exc:
        load_workspace(root)
    return [p.render(root) for p in exc.value.problems]


def test_example_workspace_loads(workspace: Path) -> None:
    ws = load_workspace(workspace)
    assert [p.slug for p in ws.projects] == ["slimme-verlichting", "smart-bins"]
    assert list(ws.audiences) == ["supporters", "doubters"]
    assert ws.warnings == []


def test_a_project_folder_or_content_folder_is_accepted(workspace: Path) -> None:
    assert len(load_workspace(workspace / "content").projects) == 2
    only = load_workspace(workspace / "content" / "smart-bins")
    assert [p.slug for p in only.projects] == ["smart-bins"]


def test_typo_gets_did_you_mean_with_file_and_line(workspace: Path) -> None:
    path = workspace / "content" / "p" / "project.yaml"
    write(path, MINIMAL_PROJECT + "benifits:\n  - title: x\n")
    assert problems(workspace) == [
        "content/p/project.yaml:6: unknown field 'benifits'; did you mean 'benefits'?"
    ]


def test_all_problems_are_reported_together(workspace: Path) -> None:
    write(
        workspace / "content" / "p" / "project.yaml",
        "stage: pilott\nproject:\n  title: T\npitch:\n  key_message: K\n"
        "costs:\n  investment: veel\nbenefits:\n  - titel: x\n",
    )
    assert problems(workspace) == [
        "content/p/project.yaml:1: stage: must be one of 'start', 'pilot', 'scale-up' or "
        "'operation'",
        "content/p/project.yaml:2: project.municipality: required field is missing; "
        "add 'municipality:' here",
        "content/p/project.yaml:7: costs.investment: must be a number; write digits only, "
        "e.g. 250000 (no currency sign or dots)",
        "content/p/project.yaml:9: benefits[0].title: required field is missing; add 'title:' here",
        "content/p/project.yaml:9: benefits[0]: unknown field 'titel'; did you mean 'title'?",
    ]


def test_unknown_audience_lists_the_known_ones(workspace: Path) -> None:
    write(
        workspace / "content" / "p" / "project.yaml", MINIMAL_PROJECT + "audiences: [suporters]\n"
    )
    assert problems(workspace) == [
        "content/p/project.yaml:6: audiences[0]: unknown audience 'suporters'; did you mean "
        "'supporters'? known audiences: supporters, doubters"
    ]


def test_unknown_theme_lists_the_known_ones(workspace: Path) -> None:
    write(workspace / "content" / "p" / "project.yaml", "theme: westerhaven\n" + MINIMAL_PROJECT)
    (message,) = problems(workspace)
    assert message.startswith("content/p/project.yaml:1: theme: unknown theme 'westerhaven'")
    assert "known themes: default" in message


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("images/nope.png", "image 'images/nope.png' not found"),
        ("../../outside.png", "points outside the project folder"),
        ("/etc/passwd", "is an absolute path"),
        ("notes.txt", "is not an image pitchkit can read"),
    ],
)
def test_bad_images_are_refused(workspace: Path, file: str, expected: str) -> None:
    folder = workspace / "content" / "p"
    write(folder / "notes.txt", "not an image")
    write(workspace / "outside.png", "x")
    write(folder / "project.yaml", MINIMAL_PROJECT + f"images:\n  - file: {file}\n    alt: Iets\n")
    (message,) = problems(workspace)
    assert message.startswith("content/p/project.yaml:7: images[0].file: ")
    assert expected in message


def test_decompression_bomb_is_refused_before_decoding(workspace: Path) -> None:
    from PIL import Image

    folder = workspace / "content" / "p"
    folder.mkdir(parents=True)
    Image.new("1", (10_000, 10_000)).save(folder / "huge.png")
    write(folder / "project.yaml", MINIMAL_PROJECT + "images:\n  - file: huge.png\n    alt: Iets\n")
    (message,) = problems(workspace)
    assert "too large" in message


def test_alt_text_that_is_the_file_name_is_refused(workspace: Path) -> None:
    folder = workspace / "content" / "slimme-verlichting"
    text = (folder / "project.yaml").read_text(encoding="utf-8")
    start = text.index("alt:")
    end = text.index("\n", start)
    write(folder / "project.yaml", text[:start] + "alt: impressie.png" + text[end:])
    (message,) = problems(workspace)
    assert "alt text is the file name" in message


def test_empty_and_non_mapping_files(workspace: Path) -> None:
    write(workspace / "content" / "a" / "project.yaml", "")
    write(workspace / "content" / "b" / "project.yaml", "- just\n- a list\n")
    found = problems(workspace)
    assert found[0].startswith("content/a/project.yaml:1: the file is empty")
    assert found[1].startswith("content/b/project.yaml:1: the file is not a set of")


def test_no_content_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as exc:
        load_workspace(tmp_path)
    assert "pitchkit init" in str(exc.value)


@pytest.mark.parametrize("name", ["CON", "nul", "com1", "LPT1", "Aux", "prn"])
def test_windows_reserved_names_are_refused_as_project_folders(workspace: Path, name: str) -> None:
    write(workspace / "content" / name / "project.yaml", MINIMAL_PROJECT)
    found = problems(workspace)
    assert found == [
        f"content/{name}/project.yaml: the project folder name '{name}' is reserved by Windows "
        "for a device; OneDrive, Teams and Windows cannot hold a folder of that name; rename "
        f"the folder, e.g. to '{name.lower()}-project'"
    ]


def test_names_that_only_start_like_a_device_are_fine(workspace: Path) -> None:
    for name in ("console", "com10", "nullen", "lpt"):
        write(workspace / "content" / name / "project.yaml", MINIMAL_PROJECT)
    slugs = [p.slug for p in load_workspace(workspace).projects]
    assert {"console", "com10", "nullen", "lpt"} <= set(slugs)


@pytest.mark.parametrize("theme", ["x" * 300, "themes/" + "y" * 300 + ".potx"])
def test_a_theme_name_too_long_for_the_file_system_is_an_unknown_theme(
    workspace: Path, theme: str
) -> None:
    write(workspace / "content" / "p" / "project.yaml", MINIMAL_PROJECT + f"theme: {theme}\n")
    (found,) = problems(workspace)
    assert found.startswith(f"content/p/project.yaml:6: theme: unknown theme '{theme}'")
