"""The font metrics pitchkit measures with, shipped in the package: the same on every machine.

Contract: :func:`face` returns the :class:`Face` of a family pitchkit has metrics for (Carlito,
Caladea, Liberation Sans/Serif/Mono/Sans Narrow, DejaVu Sans/Serif; regular, bold, italic, bold
italic), or ``None``. :meth:`Face.width` measures one line of any string (every codepoint,
including control characters, separators and lone surrogates) without raising, as HarfBuzz lays it
out with the font's default features: advances, ligatures (``liga``, ``clig``, ``rlig``) and pair
kerning, rounded per glyph to 1/64 of a pixel at 100 px as Pillow's raqm layout reported them when
pitchkit measured with the installed fonts (so the measurements, and the documents, stayed the
same). The data (``font_metrics.json.gz``) is written by ``tools/extract_font_metrics.py``;
licences in ``font_metrics.LICENSES.txt``.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("font_metrics.json.gz")
#: Pillow measured at 100 px; HarfBuzz rounds each advance and kerning value to 1/64 px there.
_SCALE = 100 * 64

#: Unicode spaces a font may lack, and the width HarfBuzz gives them then (its space fallback):
#: ("em", n) = 1/n em, "space" = the space's width, "narrow" = half of it, "figure" = a digit's,
#: "punctuation" = the full stop's.
_SPACE_FALLBACK: dict[int, tuple[str, int]] = {
    0x00A0: ("space", 1),
    0x2000: ("em", 2),
    0x2001: ("em", 1),
    0x2002: ("em", 2),
    0x2003: ("em", 1),
    0x2004: ("em", 3),
    0x2005: ("em", 4),
    0x2006: ("em", 6),
    0x2007: ("figure", 1),
    0x2008: ("punctuation", 1),
    0x2009: ("em", 5),
    0x200A: ("em", 16),
    0x202F: ("narrow", 1),
    0x205F: ("em18", 4),
    0x3000: ("em", 1),
}


def _default_ignorable(cp: int) -> bool:
    """Characters HarfBuzz hides (zero width): soft hyphen, zero-width and bidi controls, ..."""
    return (
        cp in (0x00AD, 0x034F, 0x061C, 0x3164, 0xFEFF, 0xFFA0)
        or 0x115F <= cp <= 0x1160
        or 0x17B4 <= cp <= 0x17B5
        or 0x180B <= cp <= 0x180F
        or 0x200B <= cp <= 0x200F
        or 0x202A <= cp <= 0x202E
        or 0x2060 <= cp <= 0x206F
        or 0xFE00 <= cp <= 0xFE0F
        or 0xFFF0 <= cp <= 0xFFF8
        or 0x1BCA0 <= cp <= 0x1BCA3
        or 0x1D173 <= cp <= 0x1D17A
        or 0xE0000 <= cp <= 0xE0FFF
    )


def _round(value: float) -> int:
    """Round half up (towards +inf, -62.5 -> -62), as HarfBuzz's fixed-point scaling does."""
    return math.floor(value + 0.5)


@dataclass(frozen=True)
class VerticalMetrics:
    """A face's vertical metrics in font units: hhea and OS/2 typo (ascender, descender, line
    gap; the descender negative) and OS/2 win (ascent, descent; both positive)."""

    units_per_em: int
    hhea: tuple[int, int, int]
    typo: tuple[int, int, int]
    win: tuple[int, int]


class Face:
    """One face's metrics: measure a line of text (see the module's contract)."""

    def __init__(self, key: str, data: dict[str, Any]) -> None:
        self.key = key
        self.units_per_em: int = data["upem"]
        self.vertical = VerticalMetrics(
            data["upem"], tuple(data["hhea"]), tuple(data["typo"]), tuple(data["win"])
        )
        starts, runs = [], []
        for first, count, gid in data["cmap"]:
            starts.append(first)
            runs.append((first, count, gid))
        self._starts, self._runs = starts, runs
        unit = _SCALE / self.units_per_em
        marks = set(data["marks"])
        # Advances in 1/64 px at 100 px, rounded per glyph as FreeType reports them to HarfBuzz.
        self._advance = [
            0 if g in marks else _round(a * unit) for g, a in enumerate(data["advances"])
        ]
        self._ligatures = {
            int(first): [(entry[0], tuple(entry[1:])) for entry in entries]
            for first, entries in data["ligatures"].items()
        }
        self._kern = [[self._subtable(st, unit) for st in lookup] for lookup in data["kern"]]
        self._em = _SCALE
        space = self.glyph(0x20)
        self._space = space if space is not None else 0

    @staticmethod
    def _subtable(st: dict[str, Any], unit: float) -> tuple[Any, ...]:
        if st["format"] == 1:
            pairs = {
                int(a): {int(b): _round(v * unit) for b, v in row.items()}
                for a, row in st["pairs"].items()
            }
            return (1, pairs)
        return (
            2,
            frozenset(st["coverage"]),
            {int(g): c for g, c in st["class1"].items()},
            {int(g): c for g, c in st["class2"].items()},
            [[_round(v * unit) for v in row] for row in st["values"]],
        )

    def glyph(self, cp: int) -> int | None:
        """The glyph id of codepoint ``cp``; None when the face has none."""
        i = bisect_right(self._starts, cp) - 1
        if i < 0:
            return None
        first, count, gid = self._runs[i]
        return gid + cp - first if cp < first + count else None

    def _compose(self, text: str) -> str:
        """A letter and its combining accents as one character where the face has that one
        (HarfBuzz's normalisation)."""
        if not any(unicodedata.combining(ch) for ch in text):
            return text
        out = ""
        for ch in text:
            if out and unicodedata.combining(ch):
                composed = unicodedata.normalize("NFC", out[-1] + ch)
                if len(composed) == 1 and self.glyph(ord(composed)) is not None:
                    out = out[:-1] + composed
                    continue
            out += ch
        return out

    def _glyphs(self, text: str) -> list[tuple[int, int | None]]:
        """(glyph, advance override) per character that takes room."""
        out: list[tuple[int, int | None]] = []
        for ch in self._compose(text):
            cp = ord(ch)
            if _default_ignorable(cp):
                continue
            gid = self.glyph(cp)
            if gid is not None:
                out.append((gid, 0 if unicodedata.combining(ch) else None))
                continue
            # A letter the face lacks as one glyph: its letter and accents, as HarfBuzz
            # decomposes it (the accents take no room).
            parts = unicodedata.normalize("NFD", ch) if cp < 0xD800 or cp > 0xDFFF else ch
            glyphs = [self.glyph(ord(p)) for p in parts]
            if len(parts) > 1 and all(g is not None for g in glyphs):
                out += [
                    (g or 0, 0 if unicodedata.combining(p) else None)
                    for p, g in zip(parts, glyphs, strict=True)
                ]
                continue
            fallback = _SPACE_FALLBACK.get(cp)
            if fallback is None and unicodedata.category(ch) == "Zs":
                fallback = ("space", 1)
            if fallback is None:
                out.append((0, None))  # .notdef, as HarfBuzz shows a missing glyph
                continue
            kind, n = fallback
            if kind == "em":
                width = (self._em + n // 2) // n
            elif kind == "em18":
                width = self._em * 4 // 18
            elif kind == "figure":
                digit = next((g for g in map(self.glyph, range(0x30, 0x3A)) if g is not None), 0)
                width = self._advance[digit]
            elif kind == "punctuation":
                stop = self.glyph(0x2E) if self.glyph(0x2E) is not None else self.glyph(0x2C)
                width = self._advance[stop or 0]
            elif kind == "narrow":
                width = self._advance[self._space] // 2
            else:
                width = self._advance[self._space]
            out.append((self._space, width))
        return out

    def _ligate(self, glyphs: list[tuple[int, int | None]]) -> list[tuple[int, int | None]]:
        if not self._ligatures:
            return glyphs
        out: list[tuple[int, int | None]] = []
        i = 0
        while i < len(glyphs):
            gid, override = glyphs[i]
            for lig, rest in self._ligatures.get(gid, ()) if override is None else ():
                end = i + 1 + len(rest)
                if end <= len(glyphs) and all(
                    glyphs[i + 1 + k] == (g, None) for k, g in enumerate(rest)
                ):
                    out.append((lig, None))
                    i = end
                    break
            else:
                out.append((gid, override))
                i += 1
        return out

    def _pair(self, lookup: list[tuple[Any, ...]], a: int, b: int) -> int:
        for st in lookup:
            if st[0] == 1:
                row = st[1].get(a)
                if row is not None and b in row:
                    return int(row[b])
            elif a in st[1]:
                return int(st[4][st[2].get(a, 0)][st[3].get(b, 0)])
        return 0

    def width_64ths(self, text: str) -> int:
        """Width of ``text`` on one line in 1/64 px at 100 px (as Pillow's raqm layout)."""
        glyphs = self._ligate(self._glyphs(text))
        total = sum(self._advance[g] if w is None else w for g, w in glyphs)
        for lookup in self._kern:
            for (a, _), (b, _) in itertools.pairwise(glyphs):
                total += self._pair(lookup, a, b)
        return total

    def width(self, text: str, size: float) -> float:
        """Width of ``text`` on one line at ``size`` points, in points."""
        return self.width_64ths(text) / 64 * size / 100


@cache
def _data() -> dict[str, str]:
    """Face key ("Carlito|bold|upright") -> that face's metrics as a JSON string (parsed when
    first measured with: most builds use one or two of the 32 faces)."""
    faces: dict[str, str] = json.loads(gzip.decompress(DATA.read_bytes()))["faces"]
    return faces


@cache
def families() -> frozenset[str]:
    """The families pitchkit has metrics for, lower case."""
    return frozenset(key.split("|")[0].lower() for key in _data())


@cache
def face(family: str, bold: bool = False, italic: bool = False) -> Face | None:
    """The shipped metrics of ``family`` (its own name, not an alias); None if not shipped."""
    wanted = family.strip().lower()
    style = f"|{'bold' if bold else 'regular'}|{'italic' if italic else 'upright'}"
    for key, data in _data().items():
        if key.lower() == wanted + style:
            return Face(key, json.loads(data))
    return None
