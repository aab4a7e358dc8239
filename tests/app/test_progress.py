"""Progress: a bar on a terminal, plain lines elsewhere; every build ends with a summary table."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from generator.app.cli import cli
from generator.app.progress import Reporter, pptx_slide_count


def build(workspace: Path, env: dict[str, str]) -> str:
    result = CliRunner().invoke(
        cli, ["build", str(workspace), "--jobs", "1"], env=env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_not_a_terminal_prints_plain_lines(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TTY_COMPATIBLE", "TTY_INTERACTIVE", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    out = build(workspace, {})
    lines = out.splitlines()
    assert "built slimme-verlichting for supporters" in lines
    assert "wrote smart-bins/smart-bins-doubters-pitch.pptx" in lines
    assert "\x1b[" not in out  # no cursor movement or colour in a log
    assert "━" not in out.split("pitchkit build")[0]  # no bar before the table
    # The closing table: every document with its pages, then the total.
    table = out.split("pitchkit build", 1)[1]
    assert "document" in table and "pages" in table and "warnings" in table
    row = next(r for r in table.splitlines() if "slimme-verlichting-doubters-pitch.pptx" in r)
    slides = pptx_slide_count(
        (
            workspace / "output/slimme-verlichting/slimme-verlichting-doubters-pitch.pptx"
        ).read_bytes()
    )
    assert slides and f" {slides} " in row
    # 8 + programme.pptx + per project the engagement plan and its calendar
    assert f"13 document(s) written to {workspace.resolve() / 'output'}" in out


def test_terminal_shows_a_progress_bar(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    out = build(workspace, {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "TERM": "xterm"})
    before_table = out.split("pitchkit build")[0]
    assert "━" in before_table  # the bar
    assert "\x1b[" in before_table  # drawn in place
    # 2 projects x 2 audiences x (1 build + 2 writes) + 2 projects x 2 writes (the plan)
    assert "/16" in before_table
    assert "13 document(s) written" in out


def test_reporter_grows_when_more_steps_come_than_announced() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, force_interactive=True, width=100)
    with Reporter(console, bar=True) as reporter:
        reporter.expect(2)
        for n in range(3):
            reporter(f"step {n}")
    assert reporter.steps == 3 and reporter.total == 3
    plain = io.StringIO()
    with Reporter(Console(file=plain, force_terminal=False), bar=False) as reporter:
        reporter.expect(1)
        reporter("[bold]not markup[/bold]")
    assert plain.getvalue() == "[bold]not markup[/bold]\n"
