"""The one-page fit: the search (with a fake LibreOffice), the cache, and the real thing.

The first part replaces the conversion by a rule, so the rounds, the order in which sections are
left out, the putting back, the cache and the failure message are tested exactly and fast. The
second part (LibreOffice, run by CI) fits every handout of the example, of long and of minimal
content, on the default theme and on a municipality's own Word template, in one module-scoped
fit, then renders the results once more on its own to check: one A4 page, tagged PDF, language,
title, alt text, table headers, and a QR code that scans.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from generator.compose.doctree import Handout, Item, Section
from generator.content.loader import load_workspace
from generator.content.model import ProjectFile
from generator.content.reader import read_yaml
from generator.errors import ContentError
from generator.export.pdf import export_pdfs, find_soffice
from generator.handout import fit as handout_fit
from generator.handout import fit_cache
from generator.handout.builder import DENSITIES, build_handout
from generator.handout.fit import (
    SKIPPED_WARNING,
    FitJob,
    drop_order,
    fit_build,
    fit_handouts,
)
from generator.handout.fit_cache import FitCache
from generator.handout.measure import Measured
from generator.ooxml.package import document_time, normalize_zip
from generator.pipeline.build import build, build_documents, plan, render_all
from generator.pipeline.jobs import Document as BuiltDocument
from generator.pipeline.jobs import Rendered
from generator.pipeline.writer import Folder
from generator.theme.themes import resolve_theme
from tests.conftest import EXAMPLE_CONTENT, MINIMAL_PROJECT, write

REPO = Path(__file__).resolve().parent.parent.parent
DATA = REPO / "tests" / "data"
WHEN = document_time(None)

needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")


# -- the search, with a fake LibreOffice ---------------------------------------------------------

Rule = Callable[[int, tuple[str, ...]], bool]  # (density, left out) -> fits on one page


def doubters_handout(long_objections: bool = False) -> Handout:
    """Sections as the doubters' template writes them, with their priorities."""
    answer = "Een antwoord. " * (40 if long_objections else 2)

    def section(key: str, priority: int, text: str = "Tekst") -> Section:
        return Section(key=key, heading=key.title(), priority=priority, items=[Item(text=text)])

    return Handout(
        title="Slimme verlichting",
        municipality="Gemeente Voorbeeldstad",
        headline="De meerwaarde op een rij",
        key_message="Met LED halveren we het stroomverbruik.",
        language="nl-NL",
        sections=[
            section("benefits", 90),
            section("policy", 74),
            section("values", 70),
            section("objections", 72, answer),
            section("privacy", 56),
            section("risks", 50),
            section("alternatives", 40),
            section("ask", 95),
            section("contact", 100),
        ],
    )


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Replace building and converting by a rule; record every round's variants."""
    state: dict[str, Any] = {"rule": lambda d, out: True, "rounds": []}

    def build_variant(job: FitJob, density: int, left_out: Any) -> bytes:
        return json.dumps([job.name, density, list(left_out)]).encode()

    def measure(variants: list[bytes], folder: Path, timeout: float) -> list[Any]:
        state["rounds"].append([json.loads(v) for v in variants])
        out = []
        for data in variants:
            _, density, left_out = json.loads(data)
            fits = state["rule"](density, tuple(left_out))
            # Overflow as a real page would show it: the more left out, the less runs over.
            overflow = 0.0 if fits else 0.3
            out.append(Measured(data, 1 if fits else 2, b"%PDF-fake", overflow))
        return out

    monkeypatch.setattr(handout_fit, "build_variant", build_variant)
    monkeypatch.setattr(handout_fit, "measure_variants", measure)
    monkeypatch.setattr(fit_cache, "_MEMO", {})
    yield state


@pytest.fixture(scope="module")
def theme(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return resolve_theme("default", None, tmp_path_factory.mktemp("ws"))


def job(theme: Any, handout: Handout | None = None, **kwargs: Any) -> FitJob:
    return FitJob("handout for doubters", handout or doubters_handout(), theme, WHEN, **kwargs)


def test_drop_order_lowest_priority_first() -> None:
    assert drop_order(doubters_handout()) == [
        "alternatives",
        "risks",
        "privacy",
        "values",
        "objections",
        "policy",
    ]


def test_fits_at_the_roomiest(fake: dict[str, Any], theme: Any) -> None:
    run = fit_handouts([job(theme)], soffice="soffice")
    assert (run.fitted[0].density, run.fitted[0].left_out) == (DENSITIES[0], ())
    assert run.fitted[0].warnings == [] and run.fitted[0].pages == 1
    assert len(fake["rounds"]) == 1


def test_steps_down_to_the_roomiest_density_that_fits(fake: dict[str, Any], theme: Any) -> None:
    fake["rule"] = lambda d, out: d >= 1
    run = fit_handouts([job(theme), job(theme, doubters_handout(True))], soffice="soffice")
    assert [f.density for f in run.fitted] == [DENSITIES[1], DENSITIES[1]]
    assert DENSITIES[1].body_pt == 10
    # Both handouts in every round: one LibreOffice call per round, not per handout.
    assert [len(r) for r in fake["rounds"]] == [4]
    assert [r.variants for r in run.rounds] == [4]


def test_9_5_pt_only_as_a_last_resort(fake: dict[str, Any], theme: Any) -> None:
    # Leaving sections out at 10 pt comes first ...
    fake["rule"] = lambda d, out: d >= 2 or (d >= 1 and "alternatives" in out)
    fitted = fit_handouts([job(theme)], soffice="soffice").fitted[0]
    assert (fitted.density.body_pt, fitted.left_out) == (10, ("alternatives",))
    # ... 9.5 pt only where nothing fits at 10 pt, even with every optional section left out.
    fake["rule"] = lambda d, out: d >= 2
    fit_cache._MEMO.clear()
    fitted = fit_handouts([job(theme)], soffice="soffice").fitted[0]
    assert (fitted.density, fitted.left_out) == (DENSITIES[-1], ())
    assert DENSITIES[-1].body_pt == 9.5


def test_leaves_out_the_lowest_priority_then_grows_back(fake: dict[str, Any], theme: Any) -> None:
    # Fits at 10 pt without 'alternatives', not at the roomiest step even then.
    fake["rule"] = lambda d, out: "alternatives" in out and d >= 1
    run = fit_handouts([job(theme)], soffice="soffice")
    fitted = run.fitted[0]
    assert fitted.left_out == ("alternatives",)
    assert fitted.density == DENSITIES[1]
    assert fitted.warnings == ["handout for doubters: left out 'alternatives' to fit one page"]


def test_puts_back_short_sections(fake: dict[str, Any], theme: Any) -> None:
    # Only leaving out the long objections helps: the shorter sections ranked below go back in.
    fake["rule"] = lambda d, out: "objections" in out
    run = fit_handouts([job(theme, doubters_handout(True))], soffice="soffice")
    assert run.fitted[0].left_out == ("objections",)


def test_fails_naming_the_longest_fields(fake: dict[str, Any], theme: Any, tmp_path: Path) -> None:
    fake["rule"] = lambda d, out: False
    long_text = "Een heel lang antwoord op het bezwaar, " * 12
    source = write(
        tmp_path / "p" / "project.yaml",
        MINIMAL_PROJECT
        + "benefits:\n  - title: Minder stroom voor de hele binnenstad\n"
        + f"    text: {long_text}\n",
    )
    content = ProjectFile.model_validate(read_yaml(source).data)
    h = doubters_handout()
    h = h.model_copy(
        update={
            "sections": [
                Section(
                    key="benefits",
                    heading="Wat het oplevert",
                    priority=90,
                    items=[Item(text=f"**Minder stroom voor de hele binnenstad**: {long_text}")],
                ),
                *h.sections[1:],
            ]
        }
    )
    with pytest.raises(ContentError) as caught:
        fit_handouts([job(theme, h, content=content, source=source)], soffice="soffice")
    first = caught.value.problems[0]
    assert (first.file, first.line, first.field) == (source, 8, "benefits[0].text")
    assert "does not fit on one A4 page, even at 9.5 pt" in first.message
    assert "'alternatives'" in first.message
    assert "shorten" in (first.hint or "")


def test_cache_skips_measuring_an_unchanged_handout(
    fake: dict[str, Any], theme: Any, tmp_path: Path
) -> None:
    fake["rule"] = lambda d, out: d >= 1
    cache = FitCache(tmp_path / "cache")
    fit_handouts([job(theme)], cache, soffice="soffice")
    cache.save(Folder(tmp_path))
    rounds = len(fake["rounds"])
    fit_cache._MEMO.clear()  # a new process: only the file in the output folder is left
    again = fit_handouts([job(theme)], FitCache(tmp_path / "cache"), soffice="soffice")
    assert len(fake["rounds"]) == rounds  # nothing converted
    assert again.fitted[0].cached and again.fitted[0].density == DENSITIES[1]
    assert again.fitted[0].pdf == b"%PDF-fake"  # kept for --pdf
    changed = doubters_handout().model_copy(update={"key_message": "Anders."})
    fit_handouts([job(theme, changed)], FitCache(tmp_path / "cache"), soffice="soffice")
    assert len(fake["rounds"]) > rounds


def test_a_damaged_cache_is_ignored(fake: dict[str, Any], theme: Any, tmp_path: Path) -> None:
    write(tmp_path / "cache" / ".handout-fit.json", "{not json")
    run = fit_handouts([job(theme)], FitCache(tmp_path / "cache"), soffice="soffice")
    assert run.fitted[0].pages == 1 and not run.fitted[0].cached


def test_without_libreoffice_the_prediction_fits_the_handouts(
    monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    monkeypatch.setattr("generator.export.pdf.find_soffice", lambda: None)
    monkeypatch.setattr(fit_cache, "_MEMO", {})
    report = build(workspace, jobs=1)
    assert SKIPPED_WARNING not in [w.message for w in report.warnings]
    handouts = [d for d in report.documents if d.kind == "handout"]
    assert handouts and all(d.predicted and d.pages is None for d in handouts)


def test_without_libreoffice_a_handout_the_prediction_cannot_fit_warns(
    monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    monkeypatch.setattr("generator.export.pdf.find_soffice", lambda: None)
    monkeypatch.setattr(fit_cache, "_MEMO", {})
    monkeypatch.setattr(handout_fit, "predict", lambda *_args: 5.0)  # nothing fits, predicted
    report = build(workspace, jobs=1)
    assert [w.message for w in report.warnings].count(SKIPPED_WARNING) == 1
    assert "apt-get install libreoffice-writer" in SKIPPED_WARNING
    for d in report.documents:
        assert (SKIPPED_WARNING in d.warnings) == (d.kind == "handout")
        assert d.pages is None or d.kind == "pitch"
        assert not d.predicted


# -- with LibreOffice ------------------------------------------------------------------------------

THEMES = ("default", "westerhaven")


def matrix_workspace(root: Path) -> Path:
    """The example, long and minimal content, each on the default and the Westerhaven theme."""
    content = root / "content"
    content.mkdir(parents=True)
    shutil.copytree(DATA / "themes" / "westerhaven", root / "templates" / "themes" / "westerhaven")
    audiences = (EXAMPLE_CONTENT / "audiences.yaml").read_text(encoding="utf-8")
    extra = (DATA / "handout" / "audiences-extra.yaml").read_text(encoding="utf-8")
    write(content / "audiences.yaml", audiences + extra)
    two = "audiences: [supporters, doubters]\n"
    for theme in THEMES:
        for name in ("slimme-verlichting", "smart-bins"):
            target = content / f"{name}-{theme}"
            shutil.copytree(EXAMPLE_CONTENT / name, target)
            text = (target / "project.yaml").read_text(encoding="utf-8")
            text = text.replace("theme: default", f"theme: {theme}")
            if "\naudiences:" not in text:
                text += two
            write(target / "project.yaml", text)
        long = (DATA / "handout" / "lang" / "project.yaml").read_text(encoding="utf-8")
        long = long.replace("theme: default", f"theme: {theme}")
        # The named person (the default handout template) on one theme is enough.
        write(
            content / f"lang-{theme}" / "project.yaml", long + ("" if theme == "default" else two)
        )
        write(
            content / f"minimaal-{theme}" / "project.yaml",
            f"theme: {theme}\n{two}{MINIMAL_PROJECT}",
        )
    return root


class Matrix:
    """Every handout as the build makes it (predicted; measured where the prediction cannot fit
    it), and an independent rendering of the written bytes."""

    def __init__(self, root: Path) -> None:
        workspace = load_workspace(matrix_workspace(root))
        self.out = root / "output"
        self.rendered: list[Rendered] = render_all(workspace, plan(workspace))
        self.documents = [
            d
            for item in self.rendered
            for d in build_documents(item, self.out)
            if d.kind == "handout"
        ]
        self.messages: list[str] = []
        self.fit = fit_build(self.rendered, self.documents, self.out, self.messages.append)
        folder = root / "check"
        folder.mkdir()
        paths = []
        for d in self.documents:
            path = folder / d.path.name
            path.write_bytes(d.data)
            paths.append(path)
        pdfs = export_pdfs(paths, timeout=600)
        self.pdfs = {d.path: pdfs[p] for d, p in zip(self.documents, paths, strict=True)}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    return Matrix(tmp_path_factory.mktemp("matrix"))


def catalog(pdf: Path) -> tuple[PdfReader, Any]:
    reader = PdfReader(pdf)
    return reader, reader.trailer["/Root"].get_object()


def structure(root: Any) -> list[Any]:
    """Every structure element of a tagged PDF, depth first."""
    found: list[Any] = []

    def walk(node: Any) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/S" in node:
                found.append(node)
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(root["/StructTreeRoot"])
    return found


@needs_soffice
def test_every_handout_is_one_a4_page(matrix: Matrix) -> None:
    assert len(matrix.documents) == 17
    assert {d.project for d in matrix.documents} >= {"lang-westerhaven", "minimaal-default"}
    wrong = {}
    for d in matrix.documents:
        reader = PdfReader(matrix.pdfs[d.path])
        box = reader.pages[0].mediabox
        size = (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4))
        if len(reader.pages) != 1 or size != (210, 297):
            wrong[d.path.name] = (len(reader.pages), size)
        assert d.pages == 1 or (d.predicted and d.pages is None)
    assert wrong == {}
    # The prediction fits most of them; LibreOffice measures only what it cannot.
    assert sum(d.predicted for d in matrix.documents) >= 12


@needs_soffice
def test_nothing_is_cut_and_what_was_left_out_is_said(matrix: Matrix) -> None:
    for item, d in zip(matrix.rendered, matrix.documents, strict=True):
        text = " ".join((PdfReader(matrix.pdfs[d.path]).pages[0].extract_text() or "").split())
        said = " ".join(d.warnings)
        for section in item.handout.sections:
            if not section.heading:
                continue
            heading = " ".join(section.heading.split())
            if f"'{section.key}'" in said:
                kept = " ".join(
                    " ".join([*o.paragraphs, *(i.text for i in o.items)])
                    for o in item.handout.sections
                    if f"'{o.key}'" not in said
                )
                if heading not in kept:  # e.g. "Privacy" is also a value in the values balance
                    assert heading not in text, (d.path.name, section.key)
            else:
                assert heading in text, (d.path.name, section.key)
        assert item.handout.title.split()[0] in text
    left_out = [w for d in matrix.documents for w in d.warnings]
    assert any(w.startswith("handout for doubters: left out ") for w in left_out)
    assert all(w.endswith(" to fit one page") for w in left_out)


@needs_soffice
def test_measured_fit_pdfs_are_reused_and_the_rounds_are_batched(
    matrix: Matrix, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fit_cache, "_MEMO", {})
    items = [r for r in matrix.rendered if r.job.project.slug.startswith("smart-bins")]
    documents = []
    for item in items:
        project = item.job.project
        when = document_time(project.content.project.date)
        data = normalize_zip(build_handout(item.handout, project.theme, when), when)
        path = item.job.path(tmp_path, "handout", "docx")
        documents.append(BuiltDocument(project.slug, item.job.audience_key, "handout", path, data))
    messages: list[str] = []
    fit = fit_build(items, documents, tmp_path, messages.append)
    # The fit made a PDF of exactly the bytes written: --pdf uses it instead of converting again.
    assert set(fit.pdfs) == {d.path for d in documents}
    for d in documents:
        write(d.path, "")
        d.path.write_bytes(d.data)
    own = export_pdfs([d.path for d in documents], timeout=600)
    for d in documents:
        fit_pdf = PdfReader(io.BytesIO(fit.pdfs[d.path]))
        assert fit_pdf.pages[0].extract_text() == PdfReader(own[d.path]).pages[0].extract_text()
        assert d.pages == 1
    rounds = fit.run.rounds
    assert 1 <= len(rounds) <= 8
    # Every handout in the first round, two variants each.
    assert rounds[0].variants == 2 * len(documents)
    assert all(m.startswith("one-page check, round ") for m in messages)


@needs_soffice
def test_pdfs_are_tagged_with_language_title_and_alt_text(matrix: Matrix) -> None:
    for item, d in zip(matrix.rendered, matrix.documents, strict=True):
        reader, root = catalog(matrix.pdfs[d.path])
        assert bool(root["/MarkInfo"]["/Marked"])
        assert root["/Lang"] == item.handout.language
        assert reader.metadata is not None and reader.metadata.title == item.handout.title
        assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
        kinds = [e["/S"] for e in structure(root)]
        assert "/H1" in kinds and kinds.index("/H1") < kinds.index("/H2"), d.path.name
        figures = [e for e in structure(root) if e["/S"] == "/Figure"]
        assert all(str(f.get("/Alt", "")).strip() for f in figures), d.path.name
        if item.handout.qr_url:
            assert any(item.handout.qr_url in str(f["/Alt"]) for f in figures)
        if any(s.table for s in item.handout.sections if f"'{s.key}'" not in " ".join(d.warnings)):
            assert "/TH" in kinds, d.path.name


@needs_soffice
@pytest.mark.skipif(
    shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
    reason="zbar-tools and poppler-utils are not installed",
)
@pytest.mark.parametrize(
    "name",
    [
        "slimme-verlichting-default-doubters-handout.docx",
        "smart-bins-westerhaven-supporters-handout.docx",
        "lang-westerhaven-doubters-handout.docx",
    ],
)
def test_qr_code_scans_to_the_project_url(matrix: Matrix, name: str, tmp_path: Path) -> None:
    item, d = next(
        (i, d)
        for i, d in zip(matrix.rendered, matrix.documents, strict=True)
        if d.path.name == name
    )
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "300",
            "-png",
            "-singlefile",
            str(matrix.pdfs[d.path]),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=120,
    )
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert scanned.stdout.split() == [item.handout.qr_url]


@needs_soffice
def test_build_pdf_counts_the_pages_of_predicted_handouts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``--pdf``: a predicted handout is converted once and measured only if it runs over."""
    root = tmp_path / "ws"
    write(root / "content" / "audiences.yaml", (EXAMPLE_CONTENT / "audiences.yaml").read_text())
    write(root / "content" / "klein" / "project.yaml", MINIMAL_PROJECT)
    messages: list[str] = []
    report = build(root, pdf=True, jobs=1, progress=messages.append)
    handouts = [d for d in report.documents if d.kind == "handout"]
    assert handouts and all(d.predicted for d in handouts)
    assert not [m for m in messages if m.startswith("one-page check")]
    for d in handouts:
        pdf = d.path.with_suffix(".pdf")
        assert pdf in report.pdfs and len(PdfReader(pdf).pages) == 1
    # The project lead's engagement plan is a working document: .docx and .ics, never a PDF.
    plan = root / "output" / "klein" / "klein-engagement-plan.docx"
    assert plan.is_file()
    assert not plan.with_suffix(".pdf").exists() and len(report.pdfs) == 4


@needs_soffice
def test_build_pdf_measures_a_handout_the_prediction_got_wrong(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A prediction that was wrong (here: everything fits) is caught by the PDF's page count."""
    root = tmp_path / "ws"
    shutil.copytree(DATA / "long", root)
    monkeypatch.setattr(fit_cache, "_MEMO", {})
    monkeypatch.setattr(handout_fit, "predict", lambda *_args: 0.5)
    messages: list[str] = []
    report = build(root, pdf=True, audiences=["supporters"], jobs=1, progress=messages.append)
    assert [m for m in messages if m.startswith("one-page check")]
    (handout,) = [d for d in report.documents if d.kind == "handout"]
    assert not handout.predicted and handout.pages == 1
    assert handout.path.read_bytes() == handout.data
    assert len(PdfReader(handout.path.with_suffix(".pdf")).pages) == 1
    assert any("left out" in w for w in handout.warnings)
    assert (root / "output" / ".pitchkit-cache" / ".handout-fit.json").is_file()
    # Hidden names: a listing of the output folder shows the documents, not the cache.
    assert all(p.name.startswith(".") for p in (root / "output" / ".pitchkit-cache").iterdir())
