"""Measure text with real font metrics, so nothing overflows: measured, not hoped.

Contract: :func:`fit_size` returns the largest font size (in points, within the given bounds) at
which the paragraphs fit the box, or ``None`` when even the smallest does not fit. A
:class:`Paragraph` is measured as the builders write it: its own runs (bold or not), size scale,
left margin, space before and single line spacing (1.2 x the size, as PowerPoint and LibreOffice lay
out a line at 100 %). Fonts are mapped to metric-compatible free fonts (Calibri -> Carlito, Arial ->
Liberation Sans, ...) whose metrics ship with pitchkit (:mod:`generator.theme.font_metrics`), so the
same text measures the same on every machine, with or without fonts installed. Only a family
pitchkit has no metrics for is measured with its installed font (found with fontconfig); one that is
not installed either is measured as DejaVu Sans (:func:`measured_as_itself` says which, for the
build's warning). Results are cached per text and box.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageFont

from generator.ooxml.geometry import EMU_PER_PT, INSET_X, INSET_Y
from generator.theme import font_metrics

# Metric-compatible replacements (same advance widths), as LibreOffice uses them. Not "Calibri
# Light": Carlito has no light face and LibreOffice renders it in its fallback font, so it is
# measured as that fallback (with a warning), never as the narrower Carlito.
METRIC_ALIASES = {
    "calibri": "Carlito",
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


def _font_dirs() -> tuple[list[Path], bool]:
    """Where installed fonts are looked up, and whether fontconfig may be asked.

    ``PITCHKIT_FONT_DIRS`` (folders separated by ``os.pathsep``; empty: none) replaces the
    machine's fonts, so a test can build as on a machine without them."""
    override = os.environ.get("PITCHKIT_FONT_DIRS")
    if override is None:
        return list(FONT_DIRS), True
    return [Path(p) for p in override.split(os.pathsep) if p], False


def _families_of(path: str) -> set[str]:
    """The family names a font file declares (lower case); empty when it cannot be read."""
    try:
        font = ImageFont.truetype(path, 10)
    except OSError:
        return set()
    name = font.getname()[0]
    return {name.strip().lower()} if name else set()


@cache
def font_file(family: str | None, bold: bool = False) -> str | None:
    """An installed font file of ``family`` (or its metric-compatible alias) under its own name;
    None if none is installed (a substitute fontconfig would offer does not count)."""
    name = resolve_family(family)
    dirs, ask_fontconfig = _font_dirs()
    if ask_fontconfig and shutil.which("fc-match"):
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
        if (
            found
            and Path(found).suffix.lower() in (".ttf", ".otf", ".ttc")
            and name.lower() in _families_of(found)
        ):
            return found
    wanted = name.replace(" ", "").lower() + ("-bold" if bold else "-regular")
    for folder in dirs:
        if folder.is_dir():
            for path in sorted(folder.rglob("*.[ot]tf")):
                if path.stem.lower() in (wanted, wanted.removesuffix("-regular")):
                    return str(path)
    return None


#: The family measured where a font is neither shipped with pitchkit nor installed.
FALLBACK_FAMILY = "DejaVu Sans"


def has_metrics(family: str | None) -> bool:
    """Whether pitchkit ships the metrics ``family`` (or its alias) is measured with."""
    return resolve_family(family).lower() in font_metrics.families()


def measured_as_itself(family: str | None) -> bool:
    """Whether ``family`` is measured with its own (or a metric-compatible font's) widths: shipped
    metrics, else the installed font; False means it is measured as DejaVu Sans."""
    return not family or has_metrics(family) or font_file(family) is not None


@cache
def _face(family: str | None, bold: bool, italic: bool) -> font_metrics.Face | str:
    """The shipped face measured for ``family``, or the path of its installed font file."""
    name = resolve_family(family)
    shipped = font_metrics.face(name, bold, italic) or (
        font_metrics.face(name, bold) if italic else None
    )
    if shipped is not None:
        return shipped
    path = font_file(family, bold)
    if path is not None:
        return path
    fallback = font_metrics.face(FALLBACK_FAMILY, bold, italic)
    assert fallback is not None  # shipped in the package
    return fallback


@cache
def _font(path: str) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, 100)


#: Characters Pillow's raqm layout refuses (line and paragraph separators, ...) or that cannot be
#: encoded (lone surrogates): measured as a space in an installed font.
_UNSHAPED = {"Cc", "Cs", "Zl", "Zp", "Co", "Cn"}


def _installed_width(path: str, text: str) -> float:
    """Width at 100 px of ``text`` in an installed font (any string: never raises)."""
    clean = "".join(" " if unicodedata.category(c) in _UNSHAPED else c for c in text)
    try:
        return float(_font(path).getlength(clean))
    except (OSError, ValueError):
        face = font_metrics.face(FALLBACK_FAMILY)
        assert face is not None
        return face.width_64ths(text) / 64


@cache
def text_width_pt(
    text: str, family: str | None, bold: bool, size: float, italic: bool = False
) -> float:
    """Width of ``text`` on one line at ``size`` points (any string; never raises)."""
    face = _face(family, bold, italic)
    natural = _installed_width(face, text) if isinstance(face, str) else face.width_64ths(text) / 64
    return natural * size / 100 / WIDTH_SLACK


def vertical_metrics(family: str | None) -> font_metrics.VerticalMetrics | None:
    """The vertical metrics of the (regular) face measured for ``family``; None when that is an
    installed font file whose tables cannot be read."""
    face = _face(family, False, False)
    if not isinstance(face, str):
        return face.vertical
    return _file_vertical_metrics(face)


@cache
def _file_vertical_metrics(path: str) -> font_metrics.VerticalMetrics | None:
    try:
        data = Path(path).read_bytes()
        tables = {
            data[12 + 16 * i : 16 + 16 * i]: struct.unpack(">I", data[20 + 16 * i : 24 + 16 * i])[0]
            for i in range(struct.unpack(">H", data[4:6])[0])
        }
        units = struct.unpack(">H", data[tables[b"head"] + 18 : tables[b"head"] + 20])[0]
        os2 = tables[b"OS/2"]
        typo = struct.unpack(">hhh", data[os2 + 68 : os2 + 74])
        win = struct.unpack(">HH", data[os2 + 74 : os2 + 78])
        hhea = tables[b"hhea"]
        ascender, descender, gap = struct.unpack(">hhh", data[hhea + 4 : hhea + 10])
    except (OSError, KeyError, struct.error):
        return None
    return font_metrics.VerticalMetrics(units, (ascender, descender, gap), typo, win)


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
    inset_emu: tuple[int, int] = (INSET_X, INSET_Y),
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
