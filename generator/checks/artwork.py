"""Shapes on a slide that cover the template's artwork (a logo, logo band or rule)."""

from __future__ import annotations

import io

from generator.checks.accessibility import Issue, short
from generator.ooxml.geometry import EMU_PER_PT


def deck_artwork(data: bytes) -> list[Issue]:
    """Shapes on a slide (not the template's placeholders) that cover the template's artwork:
    a logo, logo band or rule of the slide's layout or master (layouts.artwork_boxes)."""
    from pptx import Presentation

    from generator.deck.layouts import artwork_boxes

    prs = Presentation(io.BytesIO(data))
    issues: list[Issue] = []
    artwork: dict[str, list[tuple[str, tuple[int, int, int, int]]]] = {}
    for number, slide in enumerate(prs.slides, 1):
        layout = slide.slide_layout
        key = str(layout.part.partname)
        if key not in artwork:
            artwork[key] = artwork_boxes(prs, layout)
        title_shape = slide.shapes.title
        title = title_shape.text_frame.text.strip() if title_shape is not None else ""
        where = f"slide {number}" + (f" '{short(title)}'" if title else "")
        for shape in slide.shapes:
            if shape.is_placeholder or shape.width is None or shape.height is None:
                continue
            box = (int(shape.left), int(shape.top), int(shape.width), int(shape.height))
            for name, art in artwork[key]:
                if _overlap(box, art):
                    issues.append(
                        Issue(
                            "warning",
                            "artwork",
                            where,
                            shape.name,
                            f"'{shape.name}' covers the template's '{name}' (layout "
                            f"'{layout.name}')",
                            "choose another layout for this slide kind under 'layouts:' in "
                            "theme.yaml, or move the artwork in the template",
                        )
                    )
    return issues


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two boxes share more than a hairline (a point each way)."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return w > EMU_PER_PT and h > EMU_PER_PT
