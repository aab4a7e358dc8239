"""Real PowerPoint templates as they come (tests/data/templates/pptx, see its ATTRIBUTION.md):
layouts matched by what they can hold, degenerate placeholders and duplicate shape ids repaired in
the deck's copy with a warning, branding on example slides reported, artwork kept clear of, and
`pitchkit templates` explaining its choices."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path

from click.testing import CliRunner
from lxml import etree
from pptx import Presentation
from pptx.oxml.ns import qn

from generator.app.cli import cli
from generator.deck.layouts import (
    artwork_boxes,
    content_area,
    explain_template,
    match_layouts,
    open_template,
    template_warnings,
)

CORPUS = Path(__file__).resolve().parent / "data" / "templates" / "pptx"
CM = 360000


def layout_named(prs, name):  # type: ignore[no-untyped-def]
    return next(lay for m in prs.slide_masters for lay in m.slide_layouts if lay.name == name)


def chosen(path: Path) -> dict[str, tuple[str, bool]]:
    prs = open_template(path)
    return {k: (c.layout.name, c.exact) for k, c in match_layouts(prs).items()}


def test_an_extra_small_source_placeholder_does_not_disqualify_a_layout() -> None:
    choices = chosen(CORPUS / "uic-source-placeholder.pptx")
    assert choices["bullets"] == ("Title and Content", True)
    assert choices["two-columns"] == ("Two Content", True)
    assert choices["section"] == ("Section Header", True)


def test_degenerate_placeholders_take_the_masters_areas_with_a_warning() -> None:
    path = CORPUS / "google-slides-export.pptx"
    prs = open_template(path)
    warnings = template_warnings(prs)
    assert any("'TITLE_AND_BODY'" in w and "title 0.8 cm, body 0.8 cm" in w for w in warnings)
    layout = layout_named(prs, "TITLE_AND_BODY")
    title = next(p for p in layout.placeholders if p.placeholder_format.idx == 0)
    assert title.height >= 2 * CM
    _, top, _, height = content_area(prs, layout)
    assert height >= 8 * CM and top >= title.top + title.height
    assert match_layouts(prs)["bullets"].layout == layout
    # the file itself is unchanged
    raw = Presentation(str(path))
    assert layout_named(raw, "TITLE_AND_BODY").placeholders[0].height < CM


def test_a_layout_with_fixed_text_is_never_the_blank_one() -> None:
    choices = chosen(CORPUS / "gesis.pptx")
    assert choices["blank"][0] != "Blank"  # its "Blank" says "Thank you for your attention"
    assert choices["bullets"] == ("Title and Content", True)


def ids_by_part(data: bytes) -> dict[str, list[str]]:
    found = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith(
                ("ppt/slideLayouts/slideLayout", "ppt/slideMasters/slideMaster")
            ) and name.endswith(".xml"):
                root = etree.fromstring(z.read(name))
                found[name] = [c.get("id") for c in root.iter(qn("p:cNvPr"))]
    return found


def test_duplicate_shape_ids_are_renumbered_in_the_decks_copy() -> None:
    for name, where in (
        ("uic-libreoffice.pptx", "layout 'Title Slide'"),
        ("uic-source-placeholder.pptx", "master 1"),
    ):
        path = CORPUS / name
        assert any(
            max(Counter(ids).values()) > 1 for ids in ids_by_part(path.read_bytes()).values()
        )
        prs = open_template(path)
        out = io.BytesIO()
        prs.save(out)
        for part, ids in ids_by_part(out.getvalue()).items():
            assert max(Counter(ids).values()) == 1, (name, part)
        assert any(where in w and "renumbered" in w for w in template_warnings(prs)), name


def test_branding_only_on_example_slides_is_reported() -> None:
    warnings = template_warnings(open_template(CORPUS / "coreoz.pptx"))
    assert len(warnings) == 1
    assert "'Picture 3' on slide 1" in warnings[0] and "slide master" in warnings[0]
    # the big sample photo in the middle of the slide is content, not branding
    assert "Picture 4" not in warnings[0]
    for clean in ("gesis.pptx", "mecanon-ufrj.potx", "uic-ccts.pptx", "rstudio.potx"):
        assert not template_warnings(open_template(CORPUS / clean)), clean


def overlaps(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return min(a[0] + a[2], b[0] + b[2]) > max(a[0], b[0]) and min(a[1] + a[3], b[1] + b[3]) > max(
        a[1], b[1]
    )


def test_the_content_area_keeps_clear_of_logos_and_bands() -> None:
    prs = open_template(CORPUS / "gesis.pptx")
    layout = layout_named(prs, "Title Only")
    artwork = dict(artwork_boxes(prs, layout))
    assert "Grafik 4" in artwork  # the logo box in the bottom right corner
    assert "Picture 5" not in artwork  # the full-slide background is not in the way
    area = content_area(prs, layout)
    assert not any(overlaps(area, box) for box in artwork.values())
    assert area[2] * area[3] > 0.5 * prs.slide_width * prs.slide_height * 0.5
    for path in sorted(CORPUS.glob("*.p*x")):
        prs = open_template(path)
        for choice in match_layouts(prs).values():
            area = content_area(prs, choice.layout)
            for name, box in artwork_boxes(prs, choice.layout):
                assert not overlaps(area, box), (path.name, choice.layout.name, name)


def test_templates_explains_each_kind_and_gives_a_snippet_where_it_fell_back() -> None:
    explained = explain_template(CORPUS / "rstudio.potx")
    kinds = {c["kind"]: c for c in explained["choices"]}
    assert kinds["bullets"]["layout"] == "Title and Content" and kinds["bullets"]["exact"]
    assert not kinds["title-only"]["exact"]
    assert explained["snippet"].startswith("layouts:\n")
    assert '  title-only: "Title and Content"  # a fallback; or one of: ' in explained["snippet"]
    result = CliRunner().invoke(cli, ["templates", str(CORPUS / "google-slides-export.pptx")])
    assert result.exit_code == 0, result.output
    assert "TITLE_AND_BODY" in result.output and "too small for their text" in result.output
    assert "layouts:\n  image: " in result.output
