"""Text that runs out of its box on a slide, measured with real font metrics."""

from __future__ import annotations

import io
from typing import Any

from lxml import etree

from generator.checks.accessibility import Issue, short
from generator.ooxml.namespaces import A
from generator.theme.fonts import part_theme_fonts

NS = {"a": A}
#: Text may run over its box by this much (points) before it counts: rounding, not overflow.
FIT_SLACK_PT = 1.0


def deck_fit(data: bytes) -> list[Issue]:
    """Text boxes whose text is taller than the box, measured with real font metrics.

    Boxes that PowerPoint resizes or shrinks (``spAutoFit``, ``normAutofit``) and boxes that do
    not wrap are skipped; sizes and colours are resolved like :mod:`generator.checks.contrast` does.
    """
    from pptx import Presentation

    from generator.checks.contrast import _DeckColors
    from generator.theme.metrics import EMU_PER_PT, LINE_HEIGHT, Paragraph, paragraph_lines

    prs = Presentation(io.BytesIO(data))
    issues: list[Issue] = []
    for number, slide in enumerate(prs.slides, 1):
        fonts = part_theme_fonts(slide.slide_layout.slide_master.part)
        major, minor = fonts.major, fonts.minor
        colors = _DeckColors(prs, slide)
        title_shape = slide.shapes.title
        title = title_shape.text_frame.text.strip() if title_shape is not None else ""
        where = f"slide {number}" + (f" '{short(title)}'" if title else "")
        for shape in slide.shapes:
            if not shape.has_text_frame or not shape.text_frame.text.strip():
                continue
            body_pr = shape._element.find(".//a:bodyPr", NS)
            if body_pr is not None and (
                body_pr.find("a:spAutoFit", NS) is not None
                or body_pr.find("a:normAutofit", NS) is not None
                or body_pr.get("wrap") == "none"
            ):
                continue
            if shape.width is None or shape.height is None:
                continue
            insets = [
                int(body_pr.get(k, d)) if body_pr is not None else int(d)
                for k, d in (
                    ("lIns", "91440"),
                    ("rIns", "91440"),
                    ("tIns", "45720"),
                    ("bIns", "45720"),
                )
            ]
            is_title = title_shape is not None and shape.shape_id == title_shape.shape_id
            measured: list[tuple[Paragraph, float, float]] = []  # paragraph, size, line factor
            family: str | None = None
            for p in shape._element.iterfind(".//a:p", NS):
                p_pr = p.find("a:pPr", NS)
                level = int(p_pr.get("lvl", "0")) if p_pr is not None else 0
                spans: list[tuple[str, bool]] = []
                sizes: list[float] = []
                for child in p:
                    name = etree.QName(child).localname
                    if name == "br":
                        spans.append(("\n", False))
                    elif name in ("r", "fld"):
                        _, size, is_bold = colors.run_props(shape, child.find("a:rPr", NS), level)
                        sizes.append(size)
                        text = "".join(t.text or "" for t in child.iter(f"{{{A}}}t"))
                        spans.append((text, is_bold))
                        latin = child.find("a:rPr/a:latin", NS)
                        if family is None and latin is not None:
                            family = latin.get("typeface")
                if not sizes:
                    end = p.find("a:endParaRPr", NS)
                    sizes = [
                        int(end.get("sz")) / 100 if end is not None and end.get("sz") else 18.0
                    ]
                size = max(sizes)
                indent = _emu_attr(p_pr, "marL", 24 * EMU_PER_PT * level) / EMU_PER_PT
                before = _spacing_pt(p_pr, "a:spcBef", size, default=0.3 * size)
                line = _line_factor(p_pr)
                paragraph = Paragraph(
                    "".join(t for t, _ in spans),
                    scale=1.0,
                    indent_pt=indent,
                    space_before=before / size,
                    spans=tuple(spans),
                )
                measured.append((paragraph, size, line))
            if family in (None, "+mj-lt", "+mn-lt"):
                family = major if (is_title or family == "+mj-lt") else minor
            width_pt = (shape.width - insets[0] - insets[1]) / EMU_PER_PT
            height_pt = (shape.height - insets[2] - insets[3]) / EMU_PER_PT
            needed = 0.0
            for i, (paragraph, size, line) in enumerate(measured):
                lines = paragraph_lines(paragraph, family, size, width_pt)
                needed += lines * size * LINE_HEIGHT * line
                needed += paragraph.space_before * size if i else 0.0
            if needed > height_pt + FIT_SLACK_PT:
                issues.append(
                    Issue(
                        "error",
                        "fit",
                        where,
                        f"text of '{shape.name}'",
                        f"'{short(shape.text_frame.text)}' needs {needed:.0f} pt of height but "
                        f"the box is {height_pt:.0f} pt high: it runs over",
                        "shorten the text",
                    )
                )
    return issues


def _emu_attr(p_pr: Any, name: str, default: float) -> float:
    if p_pr is None or p_pr.get(name) is None:
        return default
    return float(int(p_pr.get(name)))


def _spacing_pt(p_pr: Any, tag: str, size: float, default: float) -> float:
    """Space before/after a paragraph in points (spcPts is in 1/100 pt, spcPct in 1/1000 %)."""
    found = p_pr.find(tag, NS) if p_pr is not None else None
    if found is None:
        return default
    points = found.find("a:spcPts", NS)
    if points is not None:
        return int(points.get("val", "0")) / 100
    percent = found.find("a:spcPct", NS)
    if percent is not None:
        return int(percent.get("val", "0")) / 100000 * size * 1.2
    return default


def _line_factor(p_pr: Any) -> float:
    """Line spacing as a factor of single spacing (lnSpc spcPct); exact points are not scaled."""
    found = p_pr.find("a:lnSpc/a:spcPct", NS) if p_pr is not None else None
    return int(found.get("val", "100000")) / 100000 if found is not None else 1.0
