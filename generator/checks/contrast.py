"""Colour contrast of the text in built decks and handouts, as it is actually shown.

Contract: :func:`deck_contrast` and :func:`handout_contrast` take the bytes of a .pptx or .docx and
return an :class:`~generator.checks.accessibility.Issue` (an error) for every place where text is
less readable than WCAG 2.1 AA allows: a contrast ratio below 4.5:1, or 3:1 for large text (18 pt,
or 14 pt bold). Colours are resolved the way PowerPoint and Word do: explicit run colours, then the
inherited list, placeholder, master and document styles, with theme colours (``tx1``, ``accent1``,
Word's ``themeColor``) looked up in the template's own colour scheme and colour map, and tints,
shades and luminance changes applied. The background is the cell or shape fill behind the text, a
filled shape underneath it (slide, layout or master), or the slide or page background. Text on a
picture or pattern is skipped: its background cannot be known from the file.

``names`` maps a colour (``#RRGGBB``) to where it was set (e.g. ``theme.yaml colors.text``) so a
finding tells the user which setting to change.
"""

from __future__ import annotations

import colorsys
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from generator.checks.accessibility import Issue, run_text, short
from generator.ooxml.namespaces import A, P, W
from generator.theme.colour import contrast_ratio, linear

RGB = tuple[int, int, int]

NS = {"a": A, "p": P, "w": W}

NORMAL_RATIO = 4.5
LARGE_RATIO = 3.0
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)

# Word's highlight colours (ST_HighlightColor) as RGB.
HIGHLIGHTS: dict[str, RGB] = {
    "yellow": (255, 255, 0),
    "green": (0, 255, 0),
    "cyan": (0, 255, 255),
    "magenta": (255, 0, 255),
    "blue": (0, 0, 255),
    "red": (255, 0, 0),
    "darkBlue": (0, 0, 128),
    "darkCyan": (0, 128, 128),
    "darkGreen": (0, 128, 0),
    "darkMagenta": (128, 0, 128),
    "darkRed": (128, 0, 0),
    "darkYellow": (128, 128, 0),
    "darkGray": (128, 128, 128),
    "lightGray": (192, 192, 192),
    "black": BLACK,
    "white": WHITE,
}

# Word's theme colour names -> DrawingML colour scheme slots (w:clrSchemeMapping may remap text1..).
_WORD_THEME = {
    "dark1": "dk1",
    "light1": "lt1",
    "dark2": "dk2",
    "light2": "lt2",
    "accent1": "accent1",
    "accent2": "accent2",
    "accent3": "accent3",
    "accent4": "accent4",
    "accent5": "accent5",
    "accent6": "accent6",
    "hyperlink": "hlink",
    "followedHyperlink": "folHlink",
}
_WORD_DEFAULT_MAPPING = {
    "text1": "dark1",
    "background1": "light1",
    "text2": "dark2",
    "background2": "light2",
}
_DRAWING_DEFAULT_MAP = {"tx1": "dk1", "bg1": "lt1", "tx2": "dk2", "bg2": "lt2"}

# -- colour arithmetic ------------------------------------------------------------------------


def parse_hex(value: str) -> RGB:
    """``#RRGGBB`` or ``RRGGBB`` -> (r, g, b)."""
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def to_hex(rgb: RGB) -> str:
    """(r, g, b) -> ``#RRGGBB``."""
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def _gamma(linear: float) -> int:
    linear = min(1.0, max(0.0, linear))
    c = linear * 12.92 if linear <= 0.0031308 else 1.055 * linear ** (1 / 2.4) - 0.055
    return round(c * 255)


def is_large(size_pt: float, bold: bool) -> bool:
    """WCAG's large text: at least 18 pt, or 14 pt bold."""
    return size_pt >= 18 - 1e-6 or (bold and size_pt >= 14 - 1e-6)


def required_ratio(size_pt: float, bold: bool) -> float:
    """4.5:1, or 3:1 for large text."""
    return LARGE_RATIO if is_large(size_pt, bold) else NORMAL_RATIO


def _hls_change(rgb: RGB, change: Any) -> RGB:
    h, lum, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    lum = min(1.0, max(0.0, change(lum)))
    r, g, b = colorsys.hls_to_rgb(h, lum, s)
    return round(r * 255), round(g * 255), round(b * 255)


def _drawing_mods(rgb: RGB, element: Any) -> RGB:
    """Apply DrawingML colour transforms (lumMod/lumOff in HSL, tint/shade in linear RGB)."""
    for mod in element:
        name = etree.QName(mod).localname
        try:
            val = int(mod.get("val", "100000")) / 100000
        except ValueError:
            continue
        if name == "lumMod":
            rgb = _hls_change(rgb, lambda lum, v=val: lum * v)
        elif name == "lumOff":
            rgb = _hls_change(rgb, lambda lum, v=val: lum + v)
        elif name == "tint":
            rgb = tuple(_gamma(linear(c) * val + (1 - val)) for c in rgb)  # type: ignore[assignment]
        elif name == "shade":
            rgb = tuple(_gamma(linear(c) * val) for c in rgb)  # type: ignore[assignment]
        elif name == "inv":
            rgb = (255 - rgb[0], 255 - rgb[1], 255 - rgb[2])
        elif name == "gray":
            y = round(0.3 * rgb[0] + 0.59 * rgb[1] + 0.11 * rgb[2])
            rgb = (y, y, y)
    return rgb


# -- theme colour schemes ---------------------------------------------------------------------


@dataclass
class Scheme:
    """A theme's colour scheme (dk1, lt1, accent1, ...) and the colour map (tx1 -> dk1, ...)."""

    colors: dict[str, RGB]
    mapping: dict[str, str]

    @classmethod
    def from_theme(cls, blob: bytes | None, mapping: Mapping[str, str] | None = None) -> Scheme:
        """Read ``a:clrScheme`` from a theme part; Office's defaults where it is missing."""
        colors: dict[str, RGB] = {"dk1": BLACK, "lt1": WHITE}
        if blob:
            root = etree.fromstring(blob)
            scheme = root.find(".//a:themeElements/a:clrScheme", NS)
            if scheme is not None:
                for slot in scheme:
                    found = _plain_color(slot)
                    if found is not None:
                        colors[etree.QName(slot).localname] = found
        return cls(colors, dict(mapping or _DRAWING_DEFAULT_MAP))

    def with_mapping(self, mapping: Mapping[str, str]) -> Scheme:
        """The same colours under another colour map (a slide's or layout's override)."""
        return Scheme(self.colors, dict(mapping))

    def slot(self, name: str) -> RGB | None:
        """A scheme colour by DrawingML name (``tx1``, ``bg1``, ``accent1``, ``dk1``, ...)."""
        name = self.mapping.get(name, _DRAWING_DEFAULT_MAP.get(name, name))
        return self.colors.get(name)

    def color(self, parent: Any) -> RGB | None:
        """The colour inside ``parent`` (a solidFill, fontRef, bgRef, gradient stop, ...)."""
        if parent is None:
            return None
        for child in parent:
            name = etree.QName(child).localname
            base: RGB | None = None
            if name == "srgbClr":
                base = _safe_hex(child.get("val"))
            elif name == "schemeClr":
                base = self.slot(child.get("val", ""))
            elif name == "sysClr":
                base = _safe_hex(child.get("lastClr")) or (
                    WHITE if child.get("val") == "window" else BLACK
                )
            elif name == "prstClr":
                base = HIGHLIGHTS.get(child.get("val", ""))
            elif name == "scrgbClr":
                base = tuple(  # type: ignore[assignment]
                    _gamma(int(child.get(k, "0")) / 100000) for k in ("r", "g", "b")
                )
            elif name == "hslClr":
                h = int(child.get("hue", "0")) / 21600000
                s = int(child.get("sat", "0")) / 100000
                lum = int(child.get("lum", "0")) / 100000
                r, g, b = colorsys.hls_to_rgb(h, lum, s)
                base = (round(r * 255), round(g * 255), round(b * 255))
            else:
                continue
            return None if base is None else _drawing_mods(base, child)
        return None


def _safe_hex(value: str | None) -> RGB | None:
    if not value or len(value.lstrip("#")) != 6:
        return None
    try:
        return parse_hex(value)
    except ValueError:
        return None


def _plain_color(slot: Any) -> RGB | None:
    return Scheme({}, {}).color(slot)


def _name(rgb: RGB, names: Mapping[str, str]) -> str:
    shown = to_hex(rgb)
    return f"{names[shown]} {shown}" if shown in names else shown


# -- decks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fill:
    """What is behind some text: one or more colours (a gradient), or unknown (a picture)."""

    colors: tuple[RGB, ...]
    source: str

    @property
    def known(self) -> bool:
        return bool(self.colors)


_TRANSPARENT = Fill((), "transparent")
_UNKNOWN = Fill((), "picture or pattern")


def _fill_of(props: Any, scheme: Scheme, source: str) -> Fill | None:
    """The fill set in ``props`` (spPr, bgPr, tcPr); None when it sets none."""
    if props is None:
        return None
    for child in props:
        name = etree.QName(child).localname
        if name == "noFill":
            return _TRANSPARENT
        if name == "solidFill":
            rgb = scheme.color(child)
            return Fill((rgb,), source) if rgb else None
        if name == "gradFill":
            stops = [scheme.color(gs) for gs in child.iterfind("a:gsLst/a:gs", NS)]
            found = tuple(s for s in stops if s is not None)
            return Fill(found, f"{source} (gradient)") if found else _UNKNOWN
        if name in ("blipFill", "pattFill", "grpFill"):
            return _UNKNOWN
    return None


def _background(element: Any, scheme: Scheme, source: str) -> Fill | None:
    bg = element.find("p:cSld/p:bg", NS)
    if bg is None:
        return None
    pr = bg.find("p:bgPr", NS)
    if pr is not None:
        return _fill_of(pr, scheme, source)
    ref = bg.find("p:bgRef", NS)
    if ref is not None:
        rgb = scheme.color(ref)
        return Fill((rgb,), source) if rgb else _UNKNOWN
    return None


def _color_map(element: Any) -> dict[str, str] | None:
    found = element.find("p:clrMap", NS)
    if found is None:
        found = element.find("p:clrMapOvr/a:overrideClrMapping", NS)
    return dict(found.attrib) if found is not None else None


@dataclass
class _Box:
    left: int
    top: int
    width: int
    height: int

    def contains_centre_of(self, other: _Box) -> bool:
        x, y = other.left + other.width / 2, other.top + other.height / 2
        return self.left <= x <= self.left + self.width and self.top <= y <= self.top + self.height


def _box(shape: Any) -> _Box | None:
    try:
        left, top, width, height = shape.left, shape.top, shape.width, shape.height
    except (AttributeError, ValueError, KeyError):
        return None
    if None in (left, top, width, height):
        return None
    return _Box(int(left), int(top), int(width), int(height))


def _walk_shapes(shapes: Any) -> Iterator[Any]:
    """Shapes in z-order (back to front), group members included."""
    for shape in shapes:
        if getattr(shape, "shapes", None) is not None and shape.shape_type is not None:
            yield from _walk_shapes(shape.shapes)
        else:
            yield shape


@dataclass
class DeckText:
    """One run of text on a slide, with its effective colour, background and size."""

    slide: int
    slide_title: str
    shape: str
    text: str
    color: RGB | None
    background: Fill
    size_pt: float
    bold: bool


class _DeckColors:
    """Resolves text colour, size and background for the shapes of one slide."""

    def __init__(self, prs: Any, slide: Any) -> None:
        self.prs = prs
        self.slide = slide
        self.layout = slide.slide_layout
        self.master = self.layout.slide_master
        theme = None
        for rel in self.master.part.rels.values():
            if rel.reltype.endswith("/theme"):
                theme = rel.target_part.blob
        mapping = _color_map(self.master._element) or _DRAWING_DEFAULT_MAP
        for part in (self.layout._element, slide._element):
            override = _color_map(part)
            if override:
                mapping = override
        self.scheme = Scheme.from_theme(theme, mapping)
        self.base_fill = (
            _background(slide._element, self.scheme, "slide background")
            or _background(self.layout._element, self.scheme, "layout background")
            or _background(self.master._element, self.scheme, "master background")
            or Fill((self.scheme.slot("bg1") or WHITE,), "slide background")
        )
        # Filled shapes that text may sit on: master (unless hidden), layout, then slide shapes.
        self.under: list[tuple[_Box, Fill, Any]] = []
        parts = [self.layout]
        if self.layout._element.get("showMasterSp") != "0":
            parts.insert(0, self.master)
        for part in parts:
            for shape in _walk_shapes(part.shapes):
                if not shape.is_placeholder:
                    self._add_under(shape)
        self.default_style = prs.part._element.find("p:defaultTextStyle", NS)

    def _add_under(self, shape: Any) -> None:
        box = _box(shape)
        fill = self.shape_fill(shape)
        if box is not None and fill is not None and fill is not _TRANSPARENT:
            self.under.append((box, fill, shape._element))

    def shape_fill(self, shape: Any) -> Fill | None:
        """A shape's own fill (spPr, else its style's fillRef); None if it has none."""
        element = shape._element
        sp_pr = element.find("p:spPr", NS)
        fill = _fill_of(sp_pr, self.scheme, f"fill of '{shape.name}'")
        if fill is not None:
            return fill
        if element.tag == f"{{{P}}}pic":
            return _UNKNOWN
        if shape.is_placeholder:
            base = _base_placeholder(shape)
            while base is not None:
                fill = _fill_of(
                    base._element.find("p:spPr", NS), self.scheme, f"fill of '{shape.name}'"
                )
                if fill is not None:
                    return fill
                base = _base_placeholder(base)
            return None
        ref = element.find("p:style/a:fillRef", NS)
        if ref is not None and ref.get("idx", "0") != "0":
            rgb = self.scheme.color(ref)
            if rgb is not None:
                return Fill((rgb,), f"fill of '{shape.name}'")
        return None

    def behind(self, shape: Any) -> Fill:
        """What is behind a shape's text: its own fill, a filled shape under it, the background."""
        own = self.shape_fill(shape)
        if own is not None and own is not _TRANSPARENT:
            return own
        box = _box(shape)
        if box is not None:
            for under_box, fill, element in reversed(self.under):
                if element is not shape._element and under_box.contains_centre_of(box):
                    return fill
        return self.base_fill

    def register(self, shape: Any) -> None:
        """Note a slide shape as something later shapes may sit on (z-order)."""
        self._add_under(shape)

    # text colour, size and weight, following PowerPoint's inheritance
    def _chain(self, shape: Any, level: int) -> list[Any]:
        """Property elements that may set run properties, most specific first."""
        lvl = f"a:lvl{level + 1}pPr/a:defRPr"
        chain = []
        own = shape._element.find(f"p:txBody/a:lstStyle/{lvl}", NS)
        chain.append(own)
        if shape.is_placeholder:
            base = _base_placeholder(shape)
            while base is not None:
                chain.append(base._element.find(f"p:txBody/a:lstStyle/{lvl}", NS))
                base = _base_placeholder(base)
            kind = _placeholder_kind(shape)
            style = {"title": "titleStyle", "body": "bodyStyle"}.get(kind, "otherStyle")
            chain.append(self.master._element.find(f"p:txStyles/p:{style}/{lvl}", NS))
        else:
            font_ref = shape._element.find("p:style/a:fontRef", NS)
            if font_ref is not None and len(font_ref):
                chain.append(font_ref)
            if self.default_style is not None:
                chain.append(self.default_style.find(lvl, NS))
            chain.append(self.master._element.find(f"p:txStyles/p:otherStyle/{lvl}", NS))
        return [c for c in chain if c is not None]

    def run_props(self, shape: Any, run_pr: Any, level: int) -> tuple[RGB | None, float, bool]:
        chain = ([run_pr] if run_pr is not None else []) + self._chain(shape, level)
        color: RGB | None = None
        size: float | None = None
        bold: bool | None = None
        for props in chain:
            if color is None:
                if etree.QName(props).localname == "fontRef":
                    color = self.scheme.color(props)
                else:
                    fill = props.find("a:solidFill", NS)
                    if fill is not None:
                        color = self.scheme.color(fill)
                    elif props.find("a:noFill", NS) is not None:
                        color = None
                        break
            if size is None and props.get("sz"):
                size = int(props.get("sz")) / 100
            if bold is None and props.get("b") is not None:
                bold = props.get("b") in ("1", "true")
        if color is None:
            color = self.scheme.slot("tx1")
        return color, size or 18.0, bool(bold)


def _base_placeholder(shape: Any) -> Any:
    try:
        return shape._base_placeholder
    except (AttributeError, KeyError, ValueError):
        return None


def _placeholder_kind(shape: Any) -> str:
    ph = shape._element.find(".//p:nvPr/p:ph", NS)
    kind = ph.get("type", "obj") if ph is not None else "obj"
    if kind in ("title", "ctrTitle"):
        return "title"
    if kind in ("body", "obj", "subTitle", "tbl", "chart", "pic", "media", "clipArt", "dgm"):
        return "body"
    return "other"


def deck_texts(data: bytes) -> Iterator[DeckText]:
    """Every run of visible text on every slide, with what colours it is shown in."""
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    for number, slide in enumerate(prs.slides, 1):
        colors = _DeckColors(prs, slide)
        title_shape = slide.shapes.title
        title = title_shape.text_frame.text if title_shape is not None else ""
        for shape in _walk_shapes(slide.shapes):
            if shape.has_text_frame:
                behind = colors.behind(shape)
                for p in shape._element.iterfind("p:txBody/a:p", NS):
                    level = (
                        int(p.find("a:pPr", NS).get("lvl", "0"))
                        if p.find("a:pPr", NS) is not None
                        else 0
                    )
                    for r in p.iterfind("a:r", NS):
                        text = run_text(r)
                        if not text.strip():
                            continue
                        color, size, bold = colors.run_props(shape, r.find("a:rPr", NS), level)
                        yield DeckText(number, title, shape.name, text, color, behind, size, bold)
            elif getattr(shape, "has_table", False) and shape.has_table:
                behind = colors.behind(shape)
                for tc in shape._element.iter(f"{{{A}}}tc"):
                    cell_fill = _fill_of(tc.find("a:tcPr", NS), colors.scheme, "table cell")
                    if cell_fill is None or cell_fill is _TRANSPARENT:
                        cell_fill = behind
                    for r in tc.iter(f"{{{A}}}r"):
                        text = run_text(r)
                        if not text.strip():
                            continue
                        rpr = r.find("a:rPr", NS)
                        fill = rpr.find("a:solidFill", NS) if rpr is not None else None
                        color = colors.scheme.color(fill) if fill is not None else None
                        color = color or colors.scheme.slot("tx1")
                        size = int(rpr.get("sz")) / 100 if rpr is not None and rpr.get("sz") else 18
                        bold = rpr is not None and rpr.get("b") in ("1", "true")
                        yield DeckText(
                            number, title, shape.name, text, color, cell_fill, size, bold
                        )
            colors.register(shape)


def deck_contrast(data: bytes, names: Mapping[str, str] | None = None) -> list[Issue]:
    """Contrast errors in a deck, one per slide, shape and colour pair (see the module contract)."""
    names = names or {}
    issues: list[Issue] = []
    seen: set[tuple[int, RGB, tuple[RGB, ...]]] = set()
    for t in deck_texts(data):
        if t.color is None or not t.background.known:
            continue
        need = required_ratio(t.size_pt, t.bold)
        worst = min(t.background.colors, key=lambda bg: contrast_ratio(t.color, bg))  # type: ignore[arg-type]
        ratio = contrast_ratio(t.color, worst)
        key = (t.slide, t.color, t.background.colors)
        if ratio + 1e-9 >= need or key in seen:
            continue
        seen.add(key)
        issues.append(
            Issue(
                "error",
                "contrast",
                f"slide {t.slide} '{short(t.slide_title)}'",
                f"text colour of '{t.shape}'",
                f"'{short(t.text)}' in {_name(t.color, names)} on {_name(worst, names)} "
                f"({t.background.source}) has contrast {ratio:.1f}:1; at least {need:g}:1 "
                f"is needed for {'large' if need == LARGE_RATIO else 'normal'} text "
                f"({t.size_pt:g} pt{' bold' if t.bold else ''})",
                "choose a darker text colour or a lighter background in the theme",
            )
        )
    return issues


# -- handouts ---------------------------------------------------------------------------------


class _WordColors:
    """Resolves run colour, shading, size and weight in a .docx, following Word's styles."""

    def __init__(self, doc: Any) -> None:
        theme = None
        for rel in doc.part.rels.values():
            if rel.reltype.endswith("/theme"):
                theme = rel.target_part.blob
        mapping = dict(_WORD_DEFAULT_MAPPING)
        settings = doc.settings.element.find("w:clrSchemeMapping", NS)
        if settings is not None:
            for key, value in settings.attrib.items():
                local = etree.QName(key).localname
                mapping[
                    {"bg1": "background1", "t1": "text1", "bg2": "background2", "t2": "text2"}.get(
                        local, local
                    )
                ] = value
        self.mapping = mapping
        self.scheme = Scheme.from_theme(theme)
        styles = doc.styles.element
        self.styles = {s.get(f"{{{W}}}styleId"): s for s in styles.iterfind("w:style", NS)}
        self.defaults_rpr = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
        self.default_para = next(
            (
                s.get(f"{{{W}}}styleId")
                for s in styles.iterfind("w:style", NS)
                if s.get(f"{{{W}}}type") == "paragraph"
                and s.get(f"{{{W}}}default") in ("1", "true")
            ),
            None,
        )
        background = doc.element.find("w:background", NS)
        shown = doc.settings.element.find("w:displayBackgroundShape", NS) is not None
        page = self.word_color(background) if background is not None and shown else None
        self.page = page or WHITE

    def word_color(self, element: Any, attr: str = "color") -> RGB | None:
        """A w:color / w:shd / w:background colour, theme colours resolved; None for auto."""
        theme = element.get(f"{{{W}}}themeColor" if attr == "color" else f"{{{W}}}themeFill")
        rgb: RGB | None = None
        if theme:
            theme = self.mapping.get(theme, theme)
            rgb = self.scheme.colors.get(_WORD_THEME.get(theme, theme))
            tint = element.get(f"{{{W}}}themeTint" if attr == "color" else f"{{{W}}}themeFillTint")
            shade = element.get(
                f"{{{W}}}themeShade" if attr == "color" else f"{{{W}}}themeFillShade"
            )
            if rgb is not None and tint:
                t = int(tint, 16) / 255
                rgb = _hls_change(rgb, lambda lum: lum * t + (1 - t))
            if rgb is not None and shade:
                s = int(shade, 16) / 255
                rgb = _hls_change(rgb, lambda lum: lum * s)
        if rgb is None:
            value = element.get(f"{{{W}}}{'val' if attr == 'color' else attr}")
            if value and value != "auto":
                rgb = _safe_hex(value)
        return rgb

    def _style_chain(self, style_id: str | None, kind: str) -> list[Any]:
        chain = []
        seen = set()
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            style = self.styles[style_id]
            found = style.find(kind, NS)
            if found is not None:
                chain.append(found)
            based = style.find("w:basedOn", NS)
            style_id = based.get(f"{{{W}}}val") if based is not None else None
        return chain

    def color_style(self, r: Any, p: Any) -> str | None:
        """The name of the template style a run's colour comes from; None when the run sets it
        itself (pitchkit's own colours: theme.yaml's, or derived from it)."""
        rpr = r.find("w:rPr", NS)
        if rpr is not None and rpr.find("w:color", NS) is not None:
            return None
        ppr = p.find("w:pPr", NS)
        p_style = ppr.find("w:pStyle", NS) if ppr is not None else None
        ids = [rpr.find("w:rStyle", NS) if rpr is not None else None, p_style]
        for ref in ids:
            style_id = ref.get(f"{{{W}}}val") if ref is not None else None
            if ref is p_style and style_id is None:
                style_id = self.default_para
            seen = set()
            while style_id and style_id not in seen and style_id in self.styles:
                seen.add(style_id)
                style = self.styles[style_id]
                if style.find("w:rPr/w:color", NS) is not None:
                    found = style.find("w:name", NS)
                    name = found.get(f"{{{W}}}val", style_id) if found is not None else style_id
                    return name[:1].upper() + name[1:]  # Word shows "heading 1" as "Heading 1"
                based = style.find("w:basedOn", NS)
                style_id = based.get(f"{{{W}}}val") if based is not None else None
        return None

    def run(self, r: Any, p: Any) -> tuple[RGB | None, RGB | None, float, bool]:
        """A run's colour (None = automatic), its own/paragraph shading, size and weight."""
        rpr = r.find("w:rPr", NS)
        ppr = p.find("w:pPr", NS)
        p_style = ppr.find("w:pStyle", NS) if ppr is not None else None
        p_style_id = p_style.get(f"{{{W}}}val") if p_style is not None else self.default_para
        r_style = rpr.find("w:rStyle", NS) if rpr is not None else None
        chain = [rpr] if rpr is not None else []
        if r_style is not None:
            chain += self._style_chain(r_style.get(f"{{{W}}}val"), "w:rPr")
        chain += self._style_chain(p_style_id, "w:rPr")
        if self.defaults_rpr is not None:
            chain.append(self.defaults_rpr)
        color = shading = None
        size: float | None = None
        bold: bool | None = None
        color_done = shading_done = False
        for props in chain:
            c = props.find("w:color", NS)
            if not color_done and c is not None:
                color, color_done = self.word_color(c), True
            h = props.find("w:highlight", NS)
            if not shading_done and h is not None and h.get(f"{{{W}}}val") not in (None, "none"):
                shading, shading_done = HIGHLIGHTS.get(h.get(f"{{{W}}}val", "")), True
            s = props.find("w:shd", NS)
            if not shading_done and s is not None:
                shading, shading_done = self.word_color(s, "fill"), True
            z = props.find("w:sz", NS)
            if size is None and z is not None:
                size = int(z.get(f"{{{W}}}val", "22")) / 2
            b = props.find("w:b", NS)
            if bold is None and b is not None:
                bold = b.get(f"{{{W}}}val", "true") not in ("0", "false")
        if shading is None:
            para_chain = ([ppr] if ppr is not None else []) + self._style_chain(p_style_id, "w:pPr")
            for props in para_chain:
                s = props.find("w:shd", NS)
                if s is not None:
                    shading = self.word_color(s, "fill")
                    break
        return color, shading, size or 10.0, bool(bold)


def handout_contrast(data: bytes, names: Mapping[str, str] | None = None) -> list[Issue]:
    """Contrast errors in a handout, one per section and colour pair (see the module contract)."""
    from docx import Document

    names = names or {}
    doc = Document(io.BytesIO(data))
    colors = _WordColors(doc)
    roots = [("body", doc.element.body)]
    for section in doc.sections:
        roots += [("header", section.header._element), ("footer", section.footer._element)]
    issues: list[Issue] = []
    seen: set[tuple[str, RGB, RGB]] = set()
    for part, root in roots:
        where = part
        for p in root.iter(f"{{{W}}}p"):
            heading = _heading_text(p, colors)
            if heading and part == "body":
                where = f"section '{short(heading)}'"
            cell = next(p.iterancestors(f"{{{W}}}tc"), None)
            cell_fill = None
            if cell is not None:
                shd = cell.find("w:tcPr/w:shd", NS)
                cell_fill = colors.word_color(shd, "fill") if shd is not None else None
            for r in p.iter(f"{{{W}}}r"):
                text = "".join(t.text or "" for t in r.iterfind("w:t", NS))
                if not text.strip():
                    continue
                color, shading, size, bold = colors.run(r, p)
                background = shading or cell_fill or colors.page
                if color is None:  # automatic: Word picks black or white for the background
                    continue
                ratio = contrast_ratio(color, background)
                need = required_ratio(size, bold)
                key = (where, color, background)
                if ratio + 1e-9 >= need or key in seen:
                    continue
                seen.add(key)
                source = (
                    "shading"
                    if shading
                    else "table cell shading"
                    if cell_fill
                    else "page background"
                )
                style = colors.color_style(r, p)
                origin = f"the Word template's style '{style}'" if style else "theme.yaml's colours"
                hint = (
                    f"give the style '{style}' a darker colour in the Word template, or set "
                    "colors.primary in theme.yaml"
                    if style
                    else "choose a darker text colour or a lighter background in the theme"
                )
                issues.append(
                    Issue(
                        "error",
                        "contrast",
                        where,
                        "text colour",
                        f"'{short(text)}' in {_name(color, names)} (from {origin}) on "
                        f"{_name(background, names)} ({source}) has contrast {ratio:.1f}:1; at "
                        f"least {need:g}:1 is needed for "
                        f"{'large' if need == LARGE_RATIO else 'normal'} text "
                        f"({size:g} pt{' bold' if bold else ''})",
                        hint,
                    )
                )
    return issues


def _heading_text(p: Any, colors: _WordColors) -> str | None:
    ppr = p.find("w:pPr", NS)
    style = ppr.find("w:pStyle", NS) if ppr is not None else None
    if style is None:
        return None
    style_id = style.get(f"{{{W}}}val", "")
    element = colors.styles.get(style_id)
    name = ""
    if element is not None:
        found = element.find("w:name", NS)
        name = found.get(f"{{{W}}}val", "") if found is not None else ""
    if not (name.lower().startswith("heading") or style_id.lower().startswith(("heading", "kop"))):
        return None
    return "".join(t.text or "" for t in p.iter(f"{{{W}}}t")) or None
