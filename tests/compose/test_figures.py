"""The money figures (generator/compose/figures.py): computed once, the same in the deck, the
handout and the programme deck; and the charts people can read (title, units, 14 pt, break-even
marked)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from docx import Document
from lxml import etree
from pptx import Presentation

from generator.compose.figures import derive_figures, next_decision, programme_totals
from generator.content.loader import load_workspace
from generator.content.model import ProjectFile
from generator.deck.slides_figures import chart_size

ROOT = Path(__file__).resolve().parents[2]
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def project(**costs: Any) -> ProjectFile:
    return ProjectFile.model_validate(
        {
            "project": {"title": "T", "municipality": "M", "date": "2027-03-11"},
            "pitch": {"key_message": "K"},
            "costs": costs,
            "timeline": [
                {"when": "2027-Q4", "milestone": "Raadsvoorstel opschaling"},
                {"when": "2028-Q4", "milestone": "Hele binnenstad op LED"},
            ],
        }
    )


def test_savings_count_from_the_first_full_year_after_the_roll_out() -> None:
    f = derive_figures(project(investment=250000, yearly=15000, savings_yearly=156000))
    assert f.net_yearly == 141000
    assert f.payback_years is not None and round(f.payback_years, 2) == 1.77
    # the roll-out ends in 2028 (the last milestone): 2028 is no full year of savings
    assert (f.investment_year, f.first_full_year, f.break_even_year) == (2028, 2029, 2030)
    assert f.years == ("2028", "2029", "2030", "2031")
    assert f.investment_series == (250000, None, None, None)
    assert f.cumulative == (None, 141000, 282000, 423000)


def test_the_content_may_say_the_years() -> None:
    f = derive_figures(
        project(investment=300000, savings_yearly=100000, investment_year=2027, savings_from=2029)
    )
    assert (f.investment_year, f.first_full_year, f.break_even_year) == (2027, 2029, 2031)
    assert f.years[0] == "2027" and f.cumulative[:3] == (None, None, 100000)


def test_no_payback_no_mark_and_ten_years_at_most() -> None:
    f = derive_figures(project(investment=250000, yearly=20000, savings_yearly=15000))
    assert f.payback_years is None and f.break_even_year is None
    assert len([v for v in f.cumulative if v is not None]) == 10
    assert derive_figures(project(investment=250000)).chart is False
    assert derive_figures(project()).payback_years is None


def test_next_decision_and_totals() -> None:
    content = project(investment=250000, yearly=15000, savings_yearly=156000)
    assert next_decision(content) == ("2027-Q4", "Raadsvoorstel opschaling")
    a = derive_figures(content)
    b = derive_figures(project(investment=486000, yearly=38000, savings_yearly=165000))
    totals = programme_totals([a, b])
    assert (totals.investment, totals.net_yearly) == (736000, 268000)
    assert totals.payback_years is not None and round(totals.payback_years, 1) == 2.7


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _pptx_text(path: Path) -> str:
    prs = Presentation(str(path))
    parts: list[str] = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [c.text for row in shape.table.rows for c in row.cells]
    return "\n".join(parts)


def test_deck_handout_and_programme_show_the_same_numbers(built: Path) -> None:
    workspace = load_workspace(ROOT)
    expected = {
        "slimme-verlichting": ("€\xa0250.000", "€\xa0141.000", "in 2030 (1,8 jaar)"),
        # the programme deck writes the English project in the workspace's (Dutch) format
        "smart-bins": ("€486,000", "€127,000", "in 2031 (3.8 years)"),
    }
    for project_ in workspace.projects:
        slug = project_.slug
        investment, net, payback = expected[slug]
        for audience in ("doubters", "supporters"):
            handout = _docx_text(built / slug / f"{slug}-{audience}-handout.docx")
            assert investment in handout and net in handout and payback in handout, (slug, audience)
        deck = _pptx_text(built / slug / f"{slug}-doubters-pitch.pptx")
        assert investment in deck and net in deck and payback in deck, slug
    programme = _pptx_text(built / "programme.pptx")
    for row in (
        ("€\xa0250.000", "€\xa0141.000", "in 2030 (1,8 jaar)"),
        ("€\xa0486.000", "€\xa0127.000", "in 2031 (3,8 jaar)"),
        ("€\xa0736.000", "€\xa0268.000", "samen in 2,7 jaar"),
    ):
        assert all(x in programme for x in row), row


def _charts(path: Path) -> list[Any]:
    prs = Presentation(str(path))
    return [
        (prs.slide_width, shape.chart)
        for slide in prs.slides
        for shape in slide.shapes
        if getattr(shape, "has_chart", False) and shape.has_chart
    ]


def test_charts_have_a_title_units_and_labels_of_14_pt(built: Path) -> None:
    charts = _charts(built / "slimme-verlichting" / "slimme-verlichting-doubters-pitch.pptx")
    assert len(charts) == 2
    for _, chart in charts:
        space = chart._chartSpace
        title = "".join(t.text or "" for t in space.iterfind(f"{C}chart/{C}title//{A}t"))
        assert title
        sizes = [int(r.get("sz")) / 100 for r in space.iter(f"{A}defRPr", f"{A}rPr") if r.get("sz")]
        assert sizes and min(sizes) >= 14, (title, sizes)
    money, kpis = (chart for _, chart in charts)
    title = "".join(money._chartSpace.itertext())
    assert "(€)" in title
    assert "€" in money.value_axis.tick_labels.number_format
    # the investment in its year, then the cumulative net savings from the first full year
    assert list(money.plots[0].categories) == ["2028", "2029", "2030", "2031"]
    investment, savings = money.plots[0].series
    assert list(investment.values) == [250000, None, None, None]
    assert list(savings.values) == [None, 141000, 282000, 423000]
    marked = money._chartSpace.xpath(".//c:dLbl//a:t/text()")
    assert marked == ["terugverdiend in 2030"]
    # the KPIs' change from now to the target (and the result), no "now is 100%" bar
    assert "%" in kpis.value_axis.tick_labels.number_format
    by_name = {s.name: list(s.values) for s in kpis.plots[0].series}
    assert set(by_name) == {"Doel", "Gemeten"}
    assert by_name["Doel"][::-1] == [-50, -50, -64]  # horizontal bars: drawn bottom-up
    assert by_name["Gemeten"][-1] == -58
    assert "100" not in "".join(kpis._chartSpace.itertext())


def test_chart_text_scales_with_a_narrower_slide() -> None:
    assert chart_size(SimpleNamespace(width=12192000), 14) == 14  # type: ignore[arg-type]
    assert chart_size(SimpleNamespace(width=9144000), 16) == 12  # type: ignore[arg-type]
    assert chart_size(SimpleNamespace(width=9144000), 20) == 15  # type: ignore[arg-type]


def test_the_english_chart_says_paid_back(built: Path) -> None:
    charts = _charts(built / "smart-bins" / "smart-bins-doubters-pitch.pptx")
    xml = etree.tostring(charts[0][1]._chartSpace, encoding="unicode")
    assert "paid back in 2031" in xml
    assert re.search(r'formatCode="&quot;€&quot;#,##0"|formatCode="\\"€\\"#,##0"', xml) or (
        '"€"#,##0' in charts[0][1].value_axis.tick_labels.number_format
    )
