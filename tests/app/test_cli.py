"""The command line, through click's CliRunner: exit codes and what the user reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.app.cli import cli
from tests.conftest import MINIMAL_PROJECT, write


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help(command: str) -> None:
    code, out = run(command, "--help")
    assert code == 0
    assert cli.commands[command].help, f"{command} has no help text"
    assert "Usage: " in out


def test_init_then_build_in_dutch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run("init", "mywork")
    assert code == 0, out
    content = tmp_path / "mywork" / "content"
    project = content / "slimme-verlichting" / "project.yaml"
    assert project.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../.pitchkit/project.schema.json"
    )
    assert (content / "slimme-verlichting" / "images" / "impressie.png").is_file()
    schema = json.loads((tmp_path / "mywork/.pitchkit/project.schema.json").read_text())
    assert "benefits" in schema["properties"]
    monkeypatch.chdir(tmp_path / "mywork")
    code, out = run("build", "--jobs", "1")
    assert code == 0, out
    made = sorted(p.name for p in (tmp_path / "mywork/output/slimme-verlichting").iterdir())
    assert made == [
        "slimme-verlichting-doubters-handout.docx",
        "slimme-verlichting-doubters-pitch.pptx",
        "slimme-verlichting-engagement-plan.docx",
        "slimme-verlichting-engagement-plan.ics",
        "slimme-verlichting-supporters-handout.docx",
        "slimme-verlichting-supporters-pitch.pptx",
    ]


def test_init_in_english(tmp_path: Path) -> None:
    code, _ = run("init", str(tmp_path / "w"), "--lang", "en")
    assert code == 0
    audiences = (tmp_path / "w/content/audiences.yaml").read_text(encoding="utf-8")
    assert "Supporters & followers" in audiences
    code, out = run("build", str(tmp_path / "w"), "--jobs", "1")
    assert code == 0, out
    assert (tmp_path / "w/output/smart-bins/smart-bins-doubters-pitch.pptx").is_file()


def test_init_refuses_an_existing_workspace(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    code, out = run("init", str(tmp_path))
    assert code == 1
    assert "already exists" in out


def test_init_into_an_existing_folder_adds_and_never_replaces(tmp_path: Path) -> None:
    """Issue 15.10: init replaced an existing .gitignore (its secrets.env line was lost)."""
    write(tmp_path / ".gitignore", "secrets.env")  # no line end at the end
    write(tmp_path / ".pitchkit" / "project.schema.json", "{}  my own\n")
    write(tmp_path / "notes.md", "mine\n")
    code, out = run("init", str(tmp_path))
    assert code == 0, out
    assert (tmp_path / ".gitignore").read_text() == "secrets.env\noutput/\n"
    assert (tmp_path / ".pitchkit" / "project.schema.json").read_text() == "{}  my own\n"
    assert (tmp_path / ".pitchkit" / "audiences.schema.json").is_file()
    assert (tmp_path / "notes.md").read_text() == "mine\n"
    assert (tmp_path / "content" / "slimme-verlichting" / "project.yaml").is_file()
    # A .gitignore that already holds the line is left exactly as it was.
    again = tmp_path / "again"
    write(again / ".gitignore", "/output/\nsecrets.env\n")
    assert run("init", str(again))[0] == 0
    assert (again / ".gitignore").read_text() == "/output/\nsecrets.env\n"


@pytest.mark.parametrize("link", [".pitchkit", ".gitignore", "content"])
def test_init_never_writes_through_a_link(tmp_path: Path, link: str) -> None:
    """Issue 15.10: init wrote through a symlinked .pitchkit/."""
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "keep.txt", "x")
    target = elsewhere / "keep.txt" if link == ".gitignore" else elsewhere
    root = tmp_path / "ws"
    root.mkdir()
    (root / link).symlink_to(target)
    code, out = run("init", str(root))
    assert code == 1
    if link == "content":
        assert "already exists" in out
    else:
        assert f"{root / link} is a symbolic link" in " ".join(out.split())
        assert not (root / "content").exists()  # refused before anything was written
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
    assert (elsewhere / "keep.txt").read_text() == "x"


def test_build_with_output_and_audience(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    code, output = run("build", str(workspace), "-o", str(out), "-a", "doubters", "--jobs", "1")
    assert code == 0, output
    names = sorted(p.name for p in out.rglob("*.*") if not p.name.startswith("."))
    assert names == [
        "slimme-verlichting-doubters-handout.docx",
        "slimme-verlichting-doubters-pitch.pptx",
        "smart-bins-doubters-handout.docx",
        "smart-bins-doubters-pitch.pptx",
    ]


def test_unknown_audience_on_the_command_line(workspace: Path) -> None:
    code, out = run("build", str(workspace), "-a", "nobody")
    assert code == 1
    assert "unknown audience 'nobody'; known audiences: supporters, doubters" in out


def test_bad_content_exit_1_no_traceback_nothing_written(workspace: Path) -> None:
    write(workspace / "content" / "p" / "project.yaml", MINIMAL_PROJECT + "benifits: []\n")
    code, out = run("build", str(workspace))
    assert code == 1
    assert "content/p/project.yaml:6: unknown field 'benifits'; did you mean 'benefits'?" in out
    assert "Traceback" not in out
    assert not (workspace / "output").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])  # 2: the error comes back from a worker process
def test_a_hook_too_long_for_its_slide_stops_the_build_naming_the_field(
    workspace: Path, jobs: str
) -> None:
    sentence = "Elke nacht branden in de binnenstad vijftienhonderd lampen op vol vermogen. "
    hook = f"  hook: {sentence * 40}\n"
    write(workspace / "content" / "p" / "project.yaml", MINIMAL_PROJECT + hook)
    code, out = run("build", str(workspace), "--jobs", jobs)
    assert code == 1, out
    assert "1 problem in the content; nothing was built" in out
    assert "content/p/project.yaml:6: pitch.hook: this text does not fit on slide 2 of the " in out
    words = int(out.split("shorten it to about ")[1].split()[0])
    assert 20 < words < len(sentence.split()) * 40
    assert "…" not in out and "Traceback" not in out
    assert not (workspace / "output").exists()


def test_debug_shows_the_traceback(workspace: Path) -> None:
    write(workspace / "content" / "p" / "project.yaml", MINIMAL_PROJECT + "benifits: []\n")
    result = CliRunner().invoke(cli, ["--debug", "build", str(workspace)])
    assert result.exit_code == 1
    assert result.exc_info is not None and result.exc_info[0].__name__ == "ContentError"


def test_usage_error_is_exit_2() -> None:
    code, _ = run("build", "--jobs", "zero")
    assert code == 2


def test_check_reports_without_writing(workspace: Path) -> None:
    code, out = run("check", str(workspace))
    assert code == 0, out
    # 8 + programme.pptx + per project the engagement plan and its calendar
    assert "checked 2 project(s), 13 document(s)" in out
    assert not (workspace / "output").exists()
    write(workspace / "content" / "p" / "project.yaml", MINIMAL_PROJECT + "stage: later\n")
    code, out = run("check", str(workspace))
    assert code == 1
    assert "content/p/project.yaml:6: stage: must be one of" in out


def test_schema_prints_json_schema() -> None:
    code, out = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["required"] == ["project", "pitch"]
    assert schema["properties"]["stage"]["description"].startswith("start, pilot")
    code, out = run("schema", "--for", "audiences")
    assert code == 0 and "additionalProperties" in out


def test_templates_lists_themes_and_inspects_a_template() -> None:
    code, out = run("templates")
    assert code == 0 and "default" in out
    deck = Path(__file__).parent.parent / "data" / "themes" / "mecanon" / "deck.potx"
    code, out = run("templates", str(deck))
    assert code == 0, out
    assert "Conteúdo" in out and "bullets" in out


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "generator", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "pitchkit" in done.stdout
