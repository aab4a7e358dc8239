"""Incremental builds: an unchanged rebuild does nothing; a change rebuilds only what it touches."""

from __future__ import annotations

from pathlib import Path

from pptx import Presentation

from generator.pipeline.build import build
from tests.conftest import write


def stamps(out: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in out.rglob("*.*x")}


def test_unchanged_rebuild_does_nothing(workspace: Path) -> None:
    first = build(workspace, jobs=1)
    assert not first.unchanged
    before = stamps(workspace / "output")
    second = build(workspace, jobs=1)
    assert second.unchanged
    assert {d.path for d in second.documents} == {d.path for d in first.documents}
    assert [w.message for w in second.warnings] == [w.render(workspace) for w in first.warnings]
    assert stamps(workspace / "output") == before


def test_an_edit_rebuilds_that_project_and_keeps_other_decks(workspace: Path) -> None:
    build(workspace, jobs=1)
    out = workspace / "output"
    before = stamps(out)
    project = workspace / "content" / "smart-bins" / "project.yaml"
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace("title: Smart waste containers", "title: Clever bins"), "utf-8")
    assert "Clever bins" in project.read_text(encoding="utf-8")
    report = build(workspace, jobs=1)
    assert not report.unchanged
    assert report.reused == 2  # the two decks of slimme-verlichting
    after = stamps(out)
    nl_deck = out / "slimme-verlichting" / "slimme-verlichting-doubters-pitch.pptx"
    en_deck = out / "smart-bins" / "smart-bins-doubters-pitch.pptx"
    assert after[nl_deck] == before[nl_deck]
    assert after[en_deck] != before[en_deck]
    assert Presentation(str(en_deck)).slides[0].shapes.title.text == "Clever bins"


def test_incremental_output_equals_a_full_build(workspace: Path, tmp_path: Path) -> None:
    build(workspace, jobs=1)
    write(workspace / "templates" / "labels" / "nl.yaml", "why_now: Waarom juist nu?\n")
    build(workspace, jobs=1)
    build(workspace, out=tmp_path / "full", jobs=1)
    for fresh in (tmp_path / "full").rglob("*.*x"):
        incremental = workspace / "output" / fresh.relative_to(tmp_path / "full")
        assert incremental.read_bytes() == fresh.read_bytes(), fresh.name


def test_a_deleted_or_edited_document_is_rebuilt(workspace: Path) -> None:
    build(workspace, jobs=1)
    deck = workspace / "output" / "smart-bins" / "smart-bins-supporters-pitch.pptx"
    good = deck.read_bytes()
    deck.unlink()
    report = build(workspace, jobs=1)
    assert not report.unchanged and deck.read_bytes() == good
    deck.write_bytes(b"edited by hand")
    build(workspace, jobs=1)
    assert deck.read_bytes() == good


def test_options_are_part_of_the_fingerprint(workspace: Path) -> None:
    build(workspace, jobs=1)
    report = build(workspace, jobs=1, audiences=["doubters"])
    assert not report.unchanged
    assert {d.audience for d in report.documents} == {"doubters"}


def test_code_fingerprint_covers_modules_in_subpackages(tmp_path: Path, monkeypatch) -> None:
    """A change in any module of any subpackage makes every document stale."""
    import generator
    from generator.pipeline import manifest

    (tmp_path / "stage").mkdir()
    (tmp_path / "__init__.py").write_text("", encoding="utf-8")
    module = tmp_path / "stage" / "step.py"
    module.write_text("A = 1\n", encoding="utf-8")
    monkeypatch.setattr(generator, "__file__", str(tmp_path / "__init__.py"))
    manifest.code_fingerprint.cache_clear()
    before = manifest.code_fingerprint()
    module.write_text("A = 2\n", encoding="utf-8")
    manifest.code_fingerprint.cache_clear()
    assert manifest.code_fingerprint() != before
    manifest.code_fingerprint.cache_clear()
