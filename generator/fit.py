"""Measure text with real font metrics, so nothing overflows: measured, not hoped.

Contract: :func:`fit_size` returns the largest font size (in points, within the given bounds) at
which the paragraphs fit the box, or ``None`` when even the smallest does not fit. A
:class:`Paragraph` is measured as the builders write it: its own runs (bold or not), size scale,
left margin, space before and single line spacing (1.2 x the size, as PowerPoint and LibreOffice
lay out a line at 100 %). Fonts are mapped to metric-compatible free fonts (Calibri -> Carlito,
Arial -> Liberation Sans, ...) and found with fontconfig; when no font file is found, a
conservative average width is used. Results are cached per text and box.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageFont

# Metric-compatible replacements (same advance widths), as LibreOffice uses them.
METRIC_ALIASES = {
    "calibri": "Carlito",
    "calibri light": "Carlito",
    "cambria": "Caladea",
    "arial": "Liberation Sans",
    "arial narrow": "Liberation Sans Narrow",
    "helvetica": "Liberation Sans",
    "times new roman": "Liberation Serif",
    "times": "Liberation Serif",
    "courier new": "Liberation Mono",
    "verdana": "DejaVu Sans",
    "georgia": "DejaVu Serif",
}
FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
# One line at 100 % spacing is 1.2 x the font size in PowerPoint and in LibreOffice's import
# (measured: Carlito, Liberation Sans/Serif and DejaVu Sans/Serif all give 1.20 in LibreOffice).
LINE_HEIGHT = 1.2
EMU_PER_PT = 12700
# Widths are measured a little wide: kerning, hinting and a substituted font may differ by ~1 %.
WIDTH_SLACK = 0.97


@dataclass(frozen=True)
class Paragraph:
    """Text to measure, as it will be written.

    ``text`` and ``bold`` describe a paragraph of one formatting; ``spans`` (text, bold) pieces,
    when given, replace them (a bold lead-in followed by plain text). ``scale`` is the size
    relative to the base size, ``indent_pt`` the left margin, ``space_before`` the space above
    the paragraph as a factor of its size (not applied to the first paragraph of a box).
    """

    text: str
    bold: bool = False
    scale: float = 1.0
    indent_pt: float = 0.0
    space_before: float = 0.3
    spans: tuple[tuple[str, bool], ...] = ()
    caps: bool = False

    def pieces(self) -> tuple[tuple[str, bool], ...]:
        """The (text, bold) pieces of this paragraph."""
        pieces = self.spans or ((self.text, self.bold),)
        if self.caps:
            return tuple((t.upper(), b) for t, b in pieces)
        return pieces


def resolve_family(family: str | None) -> str:
    """The font family that is measured for ``family`` (its metric-compatible alias)."""
    return METRIC_ALIASES.get((family or "").strip().lower(), (family or "").strip() or "Carlito")


@cache
def font_file(family: str | None, bold: bool = False) -> str | None:
    """A font file for ``family`` (or its metric-compatible alias); None if none is found."""
    name = resolve_family(family)
    if shutil.which("fc-match"):
        style = ":style=Bold" if bold else ""
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{file}", f"{name}{style}"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and Path(found).suffix.lower() in (".ttf", ".otf", ".ttc"):
            return found
    wanted = name.replace(" ", "").lower() + ("-bold" if bold else "-regular")
    for folder in FONT_DIRS:
        if folder.is_dir():
            for path in folder.rglob("*.ttf"):
                if path.stem.lower() == wanted:
                    return str(path)
    return None


@cache
def _font(path: str) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, 100)


@cache
def text_width_pt(text: str, family: str | None, bold: bool, size: float) -> float:
    """Width of ``text`` on one line at ``size`` points."""
    path = font_file(family, bold)
    if path is None:
        return len(text) * size * (0.62 if bold else 0.58)
    return _font(path).getlength(text) * size / 100 / WIDTH_SLACK


def _words(pieces: Sequence[tuple[str, bool]]) -> list[list[list[tuple[str, bool]]]]:
    """Hard lines -> words -> (text, bold) parts; a word may change formatting midway."""
    lines: list[list[list[tuple[str, bool]]]] = [[[]]]
    for text, bold in pieces:
        chunk = ""
        for ch in text:
            if ch in (" ", "\n"):
                if chunk:
                    lines[-1][-1].append((chunk, bold))
                    chunk = ""
                if ch == "\n":
                    lines.append([[]])
                elif lines[-1][-1]:
                    lines[-1].append([])
            else:
                chunk += ch
        if chunk:
            lines[-1][-1].append((chunk, bold))
    return [[w for w in line if w] or [[("", False)]] for line in lines]


def _count_lines(
    pieces: Sequence[tuple[str, bool]], family: str | None, size: float, width_pt: float
) -> int:
    total = 0
    space = text_width_pt(" ", family, False, size)
    for hard_line in _words(pieces):
        lines = 1
        current = 0.0
        for word in hard_line:
            w = sum(text_width_pt(t, family, b, size) for t, b in word)
            if current == 0:
                current = w
            elif current + space + w <= width_pt:
                current += space + w
                continue
            else:
                lines += 1
                current = w
            # A single word wider than the box breaks mid-word in both Office and LibreOffice.
            while current > width_pt > 0:
                lines += 1
                current -= width_pt
        total += lines
    return total


def wrap_lines(text: str, family: str | None, bold: bool, size: float, width_pt: float) -> int:
    """How many lines ``text`` takes when wrapped at word boundaries in ``width_pt``."""
    return _count_lines(((text, bold),), family, size, width_pt)


def paragraph_lines(p: Paragraph, family: str | None, size: float, width_pt: float) -> int:
    """Lines of one paragraph at base ``size`` in a box ``width_pt`` wide (before its margin)."""
    return _count_lines(p.pieces(), family, size * p.scale, width_pt - p.indent_pt)


def text_height_pt(
    paragraphs: Sequence[Paragraph], family: str | None, size: float, width_pt: float
) -> float:
    """Height of the paragraphs at base ``size`` in a box ``width_pt`` wide."""
    height = 0.0
    for i, p in enumerate(paragraphs):
        s = size * p.scale
        lines = paragraph_lines(p, family, size, width_pt)
        height += lines * s * LINE_HEIGHT + (p.space_before * s if i else 0)
    return height


def widest_word_pt(paragraphs: Sequence[Paragraph], family: str | None, size: float) -> float:
    """The widest single word at base ``size``: a box narrower than this breaks a word."""
    widest = 0.0
    for p in paragraphs:
        for line in _words(p.pieces()):
            for word in line:
                w = sum(text_width_pt(t, family, b, size * p.scale) for t, b in word)
                widest = max(widest, w + p.indent_pt)
    return widest


@cache
def _fit_size_cached(
    paragraphs: tuple[Paragraph, ...],
    family: str | None,
    width_emu: int,
    height_emu: int,
    max_pt: float,
    min_pt: float,
    inset_emu: tuple[int, int],
    whole_words: bool,
) -> float | None:
    width_pt = (width_emu - 2 * inset_emu[0]) / EMU_PER_PT
    height_pt = (height_emu - 2 * inset_emu[1]) / EMU_PER_PT
    size = max_pt
    while size >= min_pt - 1e-9:
        fits = text_height_pt(paragraphs, family, size, width_pt) <= height_pt
        if fits and whole_words:
            fits = widest_word_pt(paragraphs, family, size) <= width_pt
        if fits:
            return size
        size -= 1 if size > 14 else 0.5
    return None


def fit_size(
    paragraphs: Sequence[Paragraph],
    family: str | None,
    width_emu: int,
    height_emu: int,
    max_pt: float,
    min_pt: float,
    inset_emu: tuple[int, int] = (91440, 45720),
    whole_words: bool = False,
) -> float | None:
    """The largest size in [min_pt, max_pt] at which the paragraphs fit; None if none does.

    ``inset_emu`` is the (left/right, top/bottom) inner margin of the box; ``whole_words``
    also asks that no single word is wider than the box (for narrow boxes such as table cells
    and timeline labels, where a broken word reads badly).
    """
    return _fit_size_cached(
        tuple(paragraphs),
        family,
        int(width_emu),
        int(height_emu),
        max_pt,
        min_pt,
        (int(inset_emu[0]), int(inset_emu[1])),
        whole_words,
    )
