"""Theme fonts: the typefaces an Office theme part (a:theme) gives headings and body text.

Contract: :func:`theme_fonts` reads a theme part's a:fontScheme (its major font, for headings,
and minor font, for body text: what "+mj-lt" and "+mn-lt" in a .pptx and asciiTheme="major..."
and "minor..." in a .docx refer to); :func:`part_theme_fonts` finds the theme of a slide
master's or a Word document's part and reads it; :func:`latin_font` is the a:latin element
itself, for those that change it (:mod:`generator.theme.tokens`). The deck builder, the handout's
page plan, ``pitchkit check``'s deck fit and the build's font warnings all read fonts here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree

from generator.ooxml.namespaces import A


@dataclass(frozen=True)
class ThemeFonts:
    """A theme's Latin typefaces; None where the theme names none (or an empty name)."""

    major: str | None = None  # headings
    minor: str | None = None  # body text

    def get(self, kind: str) -> str | None:
        """The typeface for ``kind``, "major" or "minor" (None for anything else)."""
        return self.major if kind == "major" else self.minor if kind == "minor" else None


def latin_font(root: Any, which: str) -> Any:
    """The a:latin element of a theme's ``which`` ("major" or "minor") font, or None.

    ``root`` is the theme part's root element (a:theme)."""
    return root.find(f".//{{{A}}}fontScheme/{{{A}}}{which}Font/{{{A}}}latin")


@lru_cache(maxsize=64)
def theme_fonts(blob: bytes) -> ThemeFonts:
    """The major and minor Latin typefaces of a theme part (its XML), read once per part."""
    root = etree.fromstring(blob)
    found = [latin_font(root, which) for which in ("major", "minor")]
    major, minor = ((e.get("typeface") or None) if e is not None else None for e in found)
    return ThemeFonts(major, minor)


def part_theme_fonts(part: Any) -> ThemeFonts:
    """The fonts of the theme related to ``part`` (python-pptx's slide master part,
    python-docx's document part); none when the part has no theme."""
    for rel in part.rels.values():
        if rel.reltype.endswith("/theme") and not rel.is_external:
            return theme_fonts(rel.target_part.blob)
    return ThemeFonts()
