"""deck_fit: text taller than its box on a slide is an error naming the slide and the shape."""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.util import Pt

from generator.checks.deck_fit import deck_fit


def deck(text: str, height_pt: float, autofit: bool = False) -> bytes:
    """A one-slide deck with a titled slide and one wrapping text box of the given height."""
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Slimme verlichting"
    box = slide.shapes.add_textbox(Pt(36), Pt(120), Pt(300), Pt(height_pt))
    box.name = "Toelichting"
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = None
    body_pr = frame._txBody.find("{http://schemas.openxmlformats.org/drawingml/2006/main}bodyPr")
    for child in list(body_pr):
        body_pr.remove(child)  # python-pptx's text box resizes itself (spAutoFit): not here
    if autofit:
        body_pr.append(body_pr.makeelement(f"{{{body_pr.nsmap['a']}}}normAutofit", {}))
    frame.text = text
    frame.paragraphs[0].runs[0].font.size = Pt(18)
    saved = io.BytesIO()
    prs.save(saved)
    return saved.getvalue()


def test_text_taller_than_its_box_is_an_error_naming_slide_and_shape() -> None:
    long = "De lantaarns dimmen 's nachts tot twintig procent. " * 12
    (issue,) = deck_fit(deck(long, 60))
    assert issue.severity == "error" and issue.rule == "fit"
    assert issue.where == "slide 1 'Slimme verlichting'"
    assert issue.field == "text of 'Toelichting'"
    assert "runs over" in issue.message and issue.hint == "shorten the text"


def test_text_that_fits_and_boxes_powerpoint_shrinks_pass() -> None:
    assert deck_fit(deck("Minder stroom, even veilig.", 60)) == []
    long = "De lantaarns dimmen 's nachts tot twintig procent. " * 12
    assert deck_fit(deck(long, 60, autofit=True)) == []
