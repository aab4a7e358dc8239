"""The handout prediction: from the tree, without rendering; checked against LibreOffice."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import docx
import pytest

from generator.content.loader import load_workspace
from generator.export.pdf import find_soffice
from generator.handout.builder import DENSITIES
from generator.handout.fit import FitJob, build_variant, drop_order, predicted_fit
from generator.handout.layout import SAFE_SHARE, geometry, predict
from generator.handout.measure import measure_variants
from generator.ooxml.package import document_time
from generator.pipeline.build import plan, render_all
from tests.conftest import EXAMPLE_CONTENT

needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")


@pytest.fixture(scope="module")
def rendered() -> list:
    workspace = load_workspace(EXAMPLE_CONTENT)
    return render_all(workspace, plan(workspace))


def test_the_geometry_is_read_from_the_template(rendered: list) -> None:
    geo = geometry(rendered[0].job.project.theme)
    assert 9000 < geo.text_width < 10500  # A4 less two margins of at most 2 cm, in twips
    assert 650 < geo.body_pt < 770  # the page less header and footer, in points
    assert geo.title.tracking == pytest.approx(0.25)  # the template's Title: spacing 5 (1/20 pt)
    assert geo.heading2.bold


def test_denser_and_shorter_variants_are_predicted_shorter(rendered: list) -> None:
    for item in rendered:
        h, theme = item.handout, item.job.project.theme
        shares = [predict(h, theme, d) for d in range(len(DENSITIES))]
        assert shares == sorted(shares, reverse=True) and shares[0] > shares[-1]
        order = drop_order(h)
        dropped = [predict(h, theme, len(DENSITIES) - 1, order[:n]) for n in range(len(order))]
        assert all(b <= a + 1e-9 for a, b in itertools.pairwise(dropped))


def test_the_fit_is_chosen_from_the_prediction(rendered: list) -> None:
    for item in rendered:
        h, theme = item.handout, item.job.project.theme
        density, left_out = predicted_fit(h, theme) or (None, ())
        assert density is not None
        assert predict(h, theme, density, left_out) <= SAFE_SHARE
        if density > 0:  # the roomier density (same sections) is predicted not to fit
            assert predict(h, theme, density - 1, left_out) > SAFE_SHARE


def measured_share(pdf: bytes, body_pt: float) -> float | None:
    """From the top of the title to the bottom of the lowest block above the footer, as a share of
    the page body; None when the PDF has more than one page."""
    import pymupdf

    doc = pymupdf.open(stream=pdf, filetype="pdf")
    if doc.page_count != 1:
        return None
    page = doc[0]
    blocks = page.get_text("dict")["blocks"]
    texts = [pymupdf.Rect(b["bbox"]) for b in blocks if b.get("type") == 0]
    boxes = [pymupdf.Rect(b["bbox"]) for b in blocks]
    boxes += [pymupdf.Rect(d["rect"]) for d in page.get_drawings()]
    spans = [
        (s["size"], pymupdf.Rect(s["bbox"]))
        for b in blocks
        if b.get("type") == 0
        for line in b["lines"]
        for s in line["spans"]
    ]
    top = max(spans, key=lambda s: (s[0], -s[1].y0))[1].y0  # the title: the largest text
    footer = max(t.y0 for t in texts)  # the footer line is the lowest text
    bottom = max(r.y1 for r in boxes if top <= r.y0 < footer - 1 and r.y1 < footer)
    return float((bottom - top) / body_pt)


def bare_workspace(root: Path) -> Path:
    """The example content on python-docx's own Word template, set in Liberation Serif and Sans
    (their line height in LibreOffice is not their Windows metrics')."""
    theme = root / "templates" / "themes" / "bare"
    theme.mkdir(parents=True)
    docx.Document().save(str(theme / "handout.docx"))
    fonts = 'fonts:\n  body: "Liberation Serif"\n  heading: "Liberation Sans"\n'
    (theme / "theme.yaml").write_text(f"name: Bare\n{fonts}", encoding="utf-8")
    shutil.copytree(EXAMPLE_CONTENT, root / "content")
    for project in (root / "content").glob("*/project.yaml"):
        text = project.read_text(encoding="utf-8").replace("theme: default", "theme: bare")
        project.write_text(text, encoding="utf-8")
    return root


@needs_soffice
def test_the_prediction_is_close_to_libreoffice_and_errs_long(
    rendered: list, tmp_path: Path
) -> None:
    """Every density of the example handouts, on the default theme and on a bare template: a
    page LibreOffice fills to a share s is predicted at s to s + 6 %; what LibreOffice puts on
    two pages is predicted not to fit."""
    bare = load_workspace(bare_workspace(tmp_path / "bare"))
    variants = []
    for item in [*rendered, *render_all(bare, plan(bare))]:
        project = item.job.project
        job = FitJob("", item.handout, project.theme, document_time(project.content.project.date))
        variants += [(job, d) for d in range(len(DENSITIES))]
    measured = measure_variants(
        [build_variant(job, d, ()) for job, d in variants], tmp_path / "r", 600
    )
    for (job, d), m in zip(variants, measured, strict=True):
        share = predict(job.handout, job.theme, d)
        real = measured_share(m.pdf, geometry(job.theme).body_pt)
        if real is None:
            assert share > SAFE_SHARE, (job.handout.title, d)
        else:
            assert real <= share <= real + 0.06, (job.handout.title, d, share, real)
