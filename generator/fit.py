"""Measure text with real font metrics, so nothing overflows: measured, not hoped.

Contract: :func:`fit_size` returns the largest font size (in points, within the given bounds) at
which the paragraphs fit the box, or ``None`` when even the smallest does not fit. Fonts are mapped
to metric-compatible free fonts (Calibri -> Carlito, Arial -> Liberation Sans, ...); when no font
file is found, a conservative average width is used. Results are cached per text and box.
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
    "cambria": "Caladea",
    "arial": "Liberation Sans",
    "helvetica": "Liberation Sans",
    "times new roman": "Liberation Serif",
    "courier new": "Liberation Mono",
    "verdana": "DejaVu Sans",
}
FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
LINE_HEIGHT = 1.2  # PowerPoint's and LibreOffice's single spacing, as a factor of the size
EMU_PER_PT = 12700


@dataclass(frozen=True)
class Paragraph:
    """Text to measure: visible text, bold or not, and its size relative to the base size."""

    text: str
    bold: bool = False
    scale: float = 1.0
    indent_pt: float = 0.0
    space_before: float = 0.3  # as a factor of the size


@cache
def font_file(family: str | None, bold: bool = False) -> str | None:
    """A font file for ``family`` (or its metric-compatible alias); None if none is found."""
    name = METRIC_ALIASES.get((family or "").lower(), family or "Carlito")
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
        return len(text) * size * (0.58 if bold else 0.55)
    return _font(path).getlength(text) * size / 100


def wrap_lines(text: str, family: str | None, bold: bool, size: float, width_pt: float) -> int:
    """How many lines ``text`` takes when wrapped at word boundaries in ``width_pt``."""
    total = 0
    for hard_line in text.split("\n") or [""]:
        words = hard_line.split(" ")
        lines = 1
        current = 0.0
        space = text_width_pt(" ", family, bold, size)
        for word in words:
            w = text_width_pt(word, family, bold, size)
            if current == 0:
                current = w
                # A single word wider than the box breaks mid-word in both Office and LibreOffice.
                while current > width_pt and width_pt > 0:
                    lines += 1
                    current -= width_pt
            elif current + space + w <= width_pt:
                current += space + w
            else:
                lines += 1
                current = w
                while current > width_pt and width_pt > 0:
                    lines += 1
                    current -= width_pt
        total += lines
    return total


def text_height_pt(
    paragraphs: Sequence[Paragraph], family: str | None, size: float, width_pt: float
) -> float:
    """Height of the paragraphs at base ``size`` in a box ``width_pt`` wide."""
    height = 0.0
    for i, p in enumerate(paragraphs):
        s = size * p.scale
        lines = wrap_lines(p.text, family, p.bold, s, width_pt - p.indent_pt)
        height += lines * s * LINE_HEIGHT + (p.space_before * s if i else 0)
    return height


@cache
def _fit_size_cached(
    paragraphs: tuple[Paragraph, ...],
    family: str | None,
    width_emu: int,
    height_emu: int,
    max_pt: float,
    min_pt: float,
    inset_emu: tuple[int, int],
) -> float | None:
    width_pt = (width_emu - 2 * inset_emu[0]) / EMU_PER_PT
    height_pt = (height_emu - 2 * inset_emu[1]) / EMU_PER_PT
    size = max_pt
    while size >= min_pt - 1e-9:
        if text_height_pt(paragraphs, family, size, width_pt) <= height_pt:
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
) -> float | None:
    """The largest size in [min_pt, max_pt] at which the paragraphs fit; None if none does."""
    return _fit_size_cached(
        tuple(paragraphs), family, width_emu, height_emu, max_pt, min_pt, inset_emu
    )
