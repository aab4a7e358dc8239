"""Accessibility of built decks and handouts, mirroring PowerPoint's and Word's checkers.

Contract: :func:`deck_accessibility` and :func:`handout_accessibility` take the bytes of a .pptx
or .docx and return :class:`Issue` rows, each locating the problem (slide number and title, or the
handout section) and the field. Errors, as in Office's checkers: a picture or chart without alt
text, or whose alt text is a file name; a slide without a title; a data table without a header
row; no document language. Warnings: a slide title used twice (continuation slides are numbered),
shapes read in another order than they are seen, headings that skip a level, link text that does
not say where it goes, an empty document title. Decorative pictures (Office's "mark as
decorative") need no alt text. Only the files are read, not the builders, so the check holds for
any template or theme.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree

from generator.ooxml.namespaces import A, P, R, W

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
NS = {"a": A, "p": P, "w": W, "wp": WP, "r": R}

Severity = Literal["error", "warning"]

#: Alt text that is only a file name (what Office inserts when nobody wrote any).
FILE_NAME = re.compile(
    r"^[^\s/\\]*[\w\-]\.(png|jpe?g|gif|bmp|tiff?|svg|emf|wmf|webp|heic)$", re.IGNORECASE
)
#: Link texts that do not say where they go (WCAG 2.4.4), in the content languages.
VAGUE_LINKS = frozenset(
    {
        "click here",
        "here",
        "link",
        "this link",
        "read more",
        "more",
        "more information",
        "klik hier",
        "hier",
        "deze link",
        "lees meer",
        "meer",
        "meer informatie",
        "meer info",
    }
)
#: Shapes overlapping by less than this (EMU, ~2 mm) are not above/left of each other.
_SLACK = 72000


@dataclass(frozen=True)
class Issue:
    """One finding in a built document: severity, rule, where (slide/section), field, message."""

    severity: Severity
    rule: str
    where: str
    field: str
    message: str
    hint: str | None = None
    subject: str | None = None
    """What the finding is about, as found in the file (e.g. the alt text), for tracing it back."""


def short(text: str, limit: int = 40) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def run_text(run: Any) -> str:
    """The text of a DrawingML run (its a:t), without python-pptx's element magic."""
    return "".join(t.text or "" for t in run.iter(f"{{{A}}}t"))


def _decorative(c_nv_pr: Any) -> bool:
    """Office's "mark as decorative": an a16/adec extension with decorative val=1."""
    for ext in c_nv_pr.iter():
        if etree.QName(ext).localname == "decorative" and ext.get("val") in ("1", "true"):
            return True
    return False


def _alt_problem(descr: str | None, names: set[str]) -> str | None:
    """Why this alt text is not acceptable, or None when it is."""
    text = (descr or "").strip()
    if not text:
        return "has no alt text"
    if FILE_NAME.match(text) or text in names:
        return f"has a file name as alt text ('{short(text)}')"
    return None


def _link_problem(text: str) -> tuple[Severity, str] | None:
    shown = " ".join(text.split()).strip(" .:!?").lower()
    if not shown:
        return "error", "a link without text"
    if shown in VAGUE_LINKS:
        return "warning", f"link text '{short(text)}' does not say where the link goes"
    return None


# -- decks ------------------------------------------------------------------------------------


def slide_titles(data: bytes) -> list[str]:
    """The title of every slide of a deck ('' where a slide has none)."""
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    return [
        s.shapes.title.text_frame.text.strip() if s.shapes.title is not None else ""
        for s in prs.slides
    ]


def _content_shapes(shapes: Any) -> Iterator[Any]:
    """Shapes a screen reader announces, in reading (XML) order; groups flattened."""
    for shape in shapes:
        if getattr(shape, "shapes", None) is not None and shape.shape_type is not None:
            yield from _content_shapes(shape.shapes)
            continue
        tag = etree.QName(shape._element).localname
        if tag in ("pic", "graphicFrame") or (
            shape.has_text_frame and shape.text_frame.text.strip()
        ):
            yield shape


def _reads_before(a: Any, b: Any) -> bool:
    """Whether ``b`` is seen before ``a``: above it in the same column, or left in the same row."""
    if None in (a.left, a.top, a.width, a.height, b.left, b.top, b.width, b.height):
        return False
    same_column = b.left < a.left + a.width - _SLACK and a.left < b.left + b.width - _SLACK
    same_row = b.top < a.top + a.height - _SLACK and a.top < b.top + b.height - _SLACK
    above = b.top + b.height <= a.top + _SLACK
    left_of = b.left + b.width <= a.left + _SLACK
    return (same_column and above and not same_row) or (same_row and left_of and not same_column)


def deck_accessibility(data: bytes) -> list[Issue]:
    """Accessibility issues of a deck (see the module contract)."""
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    issues: list[Issue] = []
    _document_properties(prs.core_properties, issues, "deck")
    seen_titles: dict[str, int] = {}
    runs_without_language = 0
    for number, slide in enumerate(prs.slides, 1):
        title_shape = slide.shapes.title
        title = title_shape.text_frame.text.strip() if title_shape is not None else ""
        where = f"slide {number}" + (f" '{short(title)}'" if title else "")
        if not title:
            issues.append(
                Issue(
                    "error",
                    "slide-title",
                    where,
                    "title",
                    "the slide has no title (screen readers use it to find a slide)",
                    "use a layout with a title placeholder, or give the slide a title",
                )
            )
        elif " ".join(title.split()).lower() in seen_titles:
            issues.append(
                Issue(
                    "warning",
                    "duplicate-title",
                    where,
                    "title",
                    f"same title as slide {seen_titles[' '.join(title.split()).lower()]}",
                    "give each slide its own title; continuation slides are numbered (1/2)",
                )
            )
        else:
            seen_titles[" ".join(title.split()).lower()] = number
        shapes = list(_content_shapes(slide.shapes))
        names = _media_names(slide)
        for shape in shapes:
            c_nv_pr = shape._element.find(".//p:cNvPr", NS)
            tag = etree.QName(shape._element).localname
            graphic = shape._element.find(".//a:graphicData", NS)
            uri = graphic.get("uri", "") if graphic is not None else ""
            is_table = uri.endswith("/table")
            is_picture = tag == "pic" or uri.endswith(("/chart", "/diagram", "/picture"))
            if is_picture and c_nv_pr is not None and not _decorative(c_nv_pr):
                problem = _alt_problem(c_nv_pr.get("descr"), names)
                if problem:
                    kind = "chart" if uri.endswith("/chart") else "picture"
                    issues.append(
                        Issue(
                            "error",
                            "alt-text",
                            where,
                            f"{kind} '{shape.name}'",
                            f"the {kind} {problem}",
                            "write what the picture shows and why it is there (images[].alt)",
                            subject=c_nv_pr.get("descr"),
                        )
                    )
            if is_table:
                tbl_pr = shape._element.find(".//a:tbl/a:tblPr", NS)
                rows = shape._element.findall(".//a:tbl/a:tr", NS)
                if len(rows) > 1 and (
                    tbl_pr is None or tbl_pr.get("firstRow") not in ("1", "true")
                ):
                    issues.append(
                        Issue(
                            "error",
                            "table-header",
                            where,
                            f"table '{shape.name}'",
                            "the table has no header row",
                            "mark the first row as header row (Table Design > Header Row)",
                        )
                    )
        title_id = title_shape.shape_id if title_shape is not None else None
        for i, a in enumerate(shapes):
            if a.shape_id == title_id:
                continue  # the title is read first wherever it stands: that is what Office wants
            later = next((b for b in shapes[i + 1 :] if _reads_before(a, b)), None)
            if later is not None:
                issues.append(
                    Issue(
                        "warning",
                        "reading-order",
                        where,
                        f"'{a.name}'",
                        f"is read before '{later.name}', which is above or left of it",
                        "check the reading order (Arrange > Selection Pane)",
                    )
                )
                break
        for r in slide._element.iter(f"{{{A}}}r"):
            rpr = r.find("a:rPr", NS)
            if run_text(r).strip() and (rpr is None or not rpr.get("lang")):
                runs_without_language += 1
        for r in slide._element.iter(f"{{{A}}}r"):
            click = r.find("a:rPr/a:hlinkClick", NS)
            if click is not None:
                found = _link_problem(run_text(r))
                if found:
                    issues.append(Issue(found[0], "link-text", where, "link", found[1]))
    if runs_without_language:
        issues.append(
            Issue(
                "error",
                "language",
                "deck",
                "language",
                f"{runs_without_language} piece(s) of text have no language set",
                "set the language (Review > Language) so screen readers pronounce it right",
            )
        )
    return issues


def _media_names(slide: Any) -> set[str]:
    names = set()
    for rel in slide.part.rels.values():
        if not rel.is_external and rel.reltype.endswith("/image"):
            names.add(rel.target_part.partname.rsplit("/", 1)[-1])
    return names


def _document_properties(props: Any, issues: list[Issue], what: str) -> None:
    if not (props.title or "").strip():
        issues.append(
            Issue(
                "warning",
                "document-title",
                what,
                "title (File > Properties)",
                "the document has no title; PDF viewers and screen readers show it",
            )
        )
    if not (props.language or "").strip() and what == "deck":
        # The deck's runs carry the language; the property is what PDF export and search use.
        issues.append(Issue("warning", "language", what, "language (File > Properties)", "not set"))


# -- handouts ---------------------------------------------------------------------------------


def _heading_level(style: Any) -> int | None:
    """0 for Title, N for Heading N (by outline level or built-in name); None otherwise."""
    seen = set()
    while style is not None and style.style_id not in seen:
        seen.add(style.style_id)
        name = (style.name or "").lower()
        if name == "title":
            return 0
        outline = style.element.find("w:pPr/w:outlineLvl", NS)
        if outline is not None:
            level = int(outline.get(f"{{{W}}}val", "9"))
            return level + 1 if level < 9 else None
        found = re.fullmatch(r"(heading|kop)\s*(\d)", name) or re.fullmatch(
            r"(heading|kop)(\d)", style.style_id.lower()
        )
        if found:
            return int(found.group(2))
        style = style.base_style
    return None


def handout_accessibility(data: bytes) -> list[Issue]:
    """Accessibility issues of a handout (see the module contract)."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    issues: list[Issue] = []
    _document_properties(doc.core_properties, issues, "handout")
    body = doc.element.body

    # Language: the document default (styles) or the core property, as Word's checker reads it.
    default_lang = doc.styles.element.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    if (default_lang is None or not default_lang.get(f"{{{W}}}val")) and not (
        doc.core_properties.language or ""
    ).strip():
        issues.append(
            Issue(
                "error",
                "language",
                "handout",
                "language",
                "the document language is not set",
                "set the language (Review > Language) so screen readers pronounce it right",
            )
        )

    # Headings in order: real heading styles, no skipped levels.
    where = "handout"
    previous = 0
    headings = 0
    for paragraph in doc.paragraphs:
        level = _heading_level(paragraph.style)
        text = paragraph.text.strip()
        if level is None or not text:
            continue
        headings += level > 0
        if level > 0:
            where = f"section '{short(text)}'"
            if level > previous + 1:
                issues.append(
                    Issue(
                        "warning",
                        "heading-order",
                        where,
                        f"heading style '{paragraph.style.name if paragraph.style else ''}'",
                        f"heading level {level} follows level {previous}: a level is skipped",
                        "use Heading 1, then Heading 2 under it, without gaps",
                    )
                )
            previous = level
    if not headings:
        issues.append(
            Issue(
                "warning",
                "heading-order",
                "handout",
                "headings",
                "the handout uses no heading styles; screen reader users cannot jump to sections",
            )
        )

    # Pictures (body, header, footer) and their alt text.
    parts = [("body", body)]
    for section in doc.sections:
        parts += [("header", section.header._element), ("footer", section.footer._element)]
    for part_name, root in parts:
        for doc_pr in root.iter(f"{{{WP}}}docPr"):
            if _decorative(doc_pr):
                continue
            problem = _alt_problem(doc_pr.get("descr"), set())
            if problem:
                issues.append(
                    Issue(
                        "error",
                        "alt-text",
                        _section_of(doc_pr, part_name),
                        f"picture '{doc_pr.get('name', '')}'",
                        f"the picture {problem}",
                        "write what the picture shows and why it is there",
                        subject=doc_pr.get("descr"),
                    )
                )

    # Data tables need a header row; one-row tables and tables marked as layout are layout.
    for tbl in body.iter(f"{{{W}}}tbl"):
        rows = tbl.findall("w:tr", NS)
        look = tbl.find("w:tblPr/w:tblLook", NS)
        layout = look is not None and look.get(f"{{{W}}}firstRow") in ("0", "false")
        if len(rows) < 2 or layout:
            continue
        if rows[0].find("w:trPr/w:tblHeader", NS) is None:
            issues.append(
                Issue(
                    "error",
                    "table-header",
                    _section_of(tbl, "body"),
                    "table",
                    "the table has no header row",
                    "mark the first row as header row (Table Properties > Repeat as header row)",
                )
            )

    # Link text.
    for part_name, root in parts:
        for link in root.iter(f"{{{W}}}hyperlink"):
            text = "".join(t.text or "" for t in link.iter(f"{{{W}}}t"))
            found = _link_problem(text)
            if found:
                issues.append(
                    Issue(found[0], "link-text", _section_of(link, part_name), "link", found[1])
                )
    return issues


def _section_of(element: Any, part_name: str) -> str:
    """The handout section an element is in: the nearest heading paragraph before it."""
    if part_name != "body":
        return part_name
    top = element
    while top.getparent() is not None and etree.QName(top.getparent()).localname != "body":
        top = top.getparent()
    for previous in top.itersiblings(preceding=True):
        if etree.QName(previous).localname != "p":
            continue
        style = previous.find("w:pPr/w:pStyle", NS)
        if style is not None and re.match(
            r"(heading|kop)\s*\d", style.get(f"{{{W}}}val", ""), re.IGNORECASE
        ):
            text = "".join(t.text or "" for t in previous.iter(f"{{{W}}}t"))
            if text.strip():
                return f"section '{short(text)}'"
    return "handout"
