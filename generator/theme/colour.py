"""Colour arithmetic for every stage: WCAG 2.1 relative luminance and contrast, in one place.

Contract: colours are ``(r, g, b)`` tuples of 0-255 channels or hex strings ``RRGGBB`` with or
without ``#``. The WCAG threshold 0.04045 (sRGB) and WCAG's own 0.03928 give the same result for
every 8-bit channel, so there is one.
"""

from __future__ import annotations

from collections.abc import Sequence

RGB = tuple[int, int, int]


def rgb(hex_color: str) -> RGB:
    """``#RRGGBB`` or ``RRGGBB`` -> (r, g, b)."""
    value = hex_color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def linear(channel: float) -> float:
    """An sRGB channel (0-255) as linear light (0-1)."""
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: Sequence[float]) -> float:
    """WCAG 2.1 relative luminance of an (r, g, b) colour."""
    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def luminance(hex_color: str) -> float:
    """WCAG 2.1 relative luminance of a hex colour."""
    return relative_luminance(rgb(hex_color))


def contrast_ratio(a: Sequence[float], b: Sequence[float]) -> float:
    """WCAG 2.1 contrast ratio of two (r, g, b) colours, from 1 (same) to 21 (black on white)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two hex colours."""
    return contrast_ratio(rgb(a), rgb(b))
