"""``pitchkit check``: errors and warnings on what the build would produce, and exit codes."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.app.cli import cli
from generator.checks.check import check_workspace
from generator.export.pdf import find_soffice
from generator.resources import default_templates_dir
from tests.conftest import MINIMAL_PROJECT, write

PROJECT = Path("content") / "slimme-verlichting" / "project.yaml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_picture_with_a_file_name_as_alt_text_fails_naming_it(workspace: Path) -> None:
    # The content model refuses a file name as alt text, so a template override writes it.
    packaged = default_templates_dir() / "deck" / "blocks" / "story.yaml.j2"
    override = workspace / "templates" / "deck" / "blocks" / "story.yaml.j2"
    text = packaged.read_text(encoding="utf-8")
    assert "alt: {{ lead.alt | text }}" in text
    write(
        override, text.replace("alt: {{ lead.alt | text }}", 'alt: {{ lead.path.split("/")[-1] }}')
    )
    lines = (workspace / PROJECT).read_text(encoding="utf-8").splitlines()
    line = lines.index("  - file: images/impressie.png") + 1

    code, out = run("check", str(workspace), "--no-pages")
    assert code == 1, out
    errors = [row for row in out.splitlines() if row.startswith("error:") and "alt" in row]
    assert errors, out
    # Every deck that shows the picture names it, the slide, and where it comes from.
    assert any("slimme-verlichting-supporters-pitch.pptx" in e for e in errors)
    assert all("has a file name as alt text" in e and "picture '" in e for e in errors)
    assert all(re.search(r"slide \d+ '", e) for e in errors)
    assert any(
        f"slimme-verlichting/project.yaml:{line} images[0] (images/impressie.png)" in e
        for e in errors
    )
    assert "error(s) found" in out
    assert not (workspace / "output").exists()


def _pale_theme(workspace: Path) -> None:
    """A theme whose template's text colour (dk1) and theme.yaml text colour are pale grey."""
    folder = workspace / "templates" / "themes" / "bleek"
    folder.mkdir(parents=True)
    write(folder / "theme.yaml", 'name: Bleek\ncolors:\n  text: "#D6D6D6"\n')
    source = default_templates_dir() / "themes" / "default" / "deck.pptx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(folder / "deck.pptx", "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("ppt/theme/theme"):
                pale = b'<a:dk1><a:srgbClr val="D6D6D6"/></a:dk1>'
                data = re.sub(rb"<a:dk1>.*?</a:dk1>", pale, data, count=1)
            dst.writestr(item, data)


def test_unreadable_theme_text_colour_fails(workspace: Path) -> None:
    _pale_theme(workspace)
    shutil.rmtree(workspace / "content" / "smart-bins")
    project = workspace / PROJECT
    project.write_text(
        project.read_text(encoding="utf-8").replace("theme: default", "theme: bleek"),
        encoding="utf-8",
    )
    result = check_workspace(workspace, pages=False)
    contrast = [f for f in result.errors if f.rule == "contrast"]
    assert contrast, [f.render() for f in result.findings]
    first = contrast[0]
    assert first.project == "slimme-verlichting" and first.audience in ("supporters", "doubters")
    assert first.document is not None and first.document.endswith(".pptx")
    assert first.where is not None and first.where.startswith("slide ")
    assert first.field is not None and first.field.startswith("text colour of '")
    # Where the colour is the theme's own, the finding names the setting to change.
    assert any("theme 'Bleek' colors.text #D6D6D6" in f.message for f in contrast)
    code, out = run("check", str(workspace), "--no-pages")
    assert code == 1
    assert "contrast" in out and "#D6D6D6" in out


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    # A control character in a value is removed with a warning (the reader's rule).
    write(
        tmp_path / "content" / "p" / "project.yaml",
        MINIMAL_PROJECT.replace("Minimaal project", "Minimaal\x07 project"),
    )
    code, out = run("check", str(tmp_path), "--no-pages")
    assert code == 0, out
    assert "warning:" in out and "0 error(s)" in out
    code, out = run("check", str(tmp_path), "--no-pages", "--strict")
    assert code == 1
    assert "(--strict)" in out


def test_summary_table_names_every_document(workspace: Path) -> None:
    _, out = run("check", str(workspace), "--no-pages")
    assert "pitchkit check" in out
    # 8 + programme.pptx + per project the engagement plan and its calendar
    assert "checked 2 project(s), 13 document(s)" in out
    assert "handout pages not counted" in out
    for name in ("smart-bins", "slimme-verlichting", "programme.pptx"):
        assert name in out


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
def test_the_examples_pass(workspace: Path) -> None:
    result = check_workspace(workspace, pages=True)
    assert result.pages_checked
    handouts = {name: n for name, n in result.pages.items() if name.endswith(".docx")}
    assert len(handouts) == 4 and all(n == 1 for n in handouts.values()), result.pages
    assert result.errors == [], "\n".join(f.render() for f in result.errors)
