"""The handout by audience priority: doubters keep their risks, alternatives and objections,
supporters the ask, the ambassador block and the benefits; what was left out is said on the
page; body text at least 10 pt (read back from the PDF); tensions and the footer in words."""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf
import pytest
from docx import Document

from generator.content.loader import load_workspace
from generator.export.pdf import find_soffice
from generator.pipeline.build import plan, render_all
from tests.conftest import EXAMPLE_CONTENT
from tests.deck_check import render_pdfs

needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
SLUG = "slimme-verlichting"
FOOTER = "11 maart 2027 · Beeldvormende sessie gemeenteraad · tweede versie, na de bewonerspeiling"


def handout(built: Path, audience: str) -> Document:
    return Document(str(built / SLUG / f"{SLUG}-{audience}-handout.docx"))


def body_lines(doc: Document) -> list[str]:
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return lines


def items_under(doc: Document, heading: str) -> list[str]:
    """The list paragraphs after ``heading`` up to the next heading."""
    paragraphs = doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == heading)
    found = []
    for p in paragraphs[start + 1 :]:
        if p.style is not None and p.style.name.startswith("Heading"):
            break
        if p.text and not p.text.startswith("Meer: "):
            found.append(p.text)
    return found


def test_doubters_keep_their_own_content_and_are_told_where_the_rest_is(built: Path) -> None:
    doc = handout(built, "doubters")
    text = "\n".join(body_lines(doc))
    risks = items_under(doc, "Risico's en maatregelen")
    assert 2 <= len(risks) <= 3 and risks[0].startswith("Bewoners ervaren gedimde straten")
    assert "Dimprofiel per straat" in risks[0]  # the measure on the same line
    assert len(items_under(doc, "Overwogen alternatieven")) == 2
    objections = items_under(doc, "Vragen en bezwaren")
    assert len(objections) == 3 and "We dimmen alleen na middernacht" in objections[0]
    assert len(items_under(doc, "Wat het oplevert")) == 3  # the top three benefits
    # the funding rows and the timeline went first, and the page says where they are
    assert "Provinciale subsidie energiebesparing" not in text and "Planning" not in text
    more = next(line for line in body_lines(doc) if line.startswith("Meer: "))
    assert "dekking" in more and "planning" in more
    assert more.endswith("op www.voorbeeldstad.nl/slimme-verlichting")
    assert "±" not in text


def test_supporters_keep_the_ask_the_ambassador_block_and_the_benefits(built: Path) -> None:
    doc = handout(built, "supporters")
    lines = body_lines(doc)
    assert "Wat we van u vragen" in lines and "Wat u kunt doen" in lines
    assert len(items_under(doc, "Wat het oplevert")) == 5


def test_footer_in_words_without_a_hash(built: Path) -> None:
    for audience in ("doubters", "supporters"):
        doc = handout(built, audience)
        footers = {"\n".join(p.text for p in s.footer.paragraphs).strip() for s in doc.sections}
        assert footers == {FOOTER}
        footer = FOOTER
        assert not re.search(r"\b[0-9a-f]{7,}\b", footer)


def test_tensions_are_labelled_in_words() -> None:
    workspace = load_workspace(EXAMPLE_CONTENT)
    rendered = render_all(workspace, plan(workspace))
    doubters = next(
        r.handout
        for r in rendered
        if r.job.project.slug == SLUG and r.handout.headline.startswith("De meerwaarde")
    )
    values = next(s for s in doubters.sections if s.key == "values")
    texts = [i.text for i in values.items]
    assert "**Schuurt: Gevoel van veiligheid.** Aanpak: Niet dimmen" in " ".join(texts)
    assert not any("±" in t for t in texts)


@needs_soffice
def test_one_a4_page_with_body_text_of_at_least_10_pt(built: Path, tmp_path: Path) -> None:
    sources = [built / SLUG / f"{SLUG}-{a}-handout.docx" for a in ("doubters", "supporters")]
    pdfs = render_pdfs(sources, tmp_path)
    for source in sources:
        pdf = pymupdf.open(str(pdfs[source]))
        assert pdf.page_count == 1, source.name
        page = pdf[0]
        assert (
            round(page.rect.width / 72 * 25.4) == 210 and round(page.rect.height / 72 * 25.4) == 297
        )
        sizes = {
            round(span["size"], 1)
            for block in page.get_text("dict")["blocks"]
            for line in block.get("lines", [])
            for span in line["spans"]
            if span["text"].strip() and span["text"].strip() not in FOOTER
        }
        assert min(sizes) >= 10, (source.name, sorted(sizes))
