"""A theme from the design tokens a municipality publishes for the NL Design System.

Contract: :func:`read_tokens` flattens a design-tokens JSON file (nested objects whose leaves hold
``value`` or ``$value``, as Style Dictionary and the DTCG format write them, e.g. the
``@utrecht/design-tokens`` package's ``dist/tokens.json``) into dotted token paths, resolving
``{a.b.c}`` references. :func:`theme_from_tokens` picks the colours (primary, accent, text,
background) and fonts (heading, body) a theme needs from well-known token names, checks their
contrast, and says which token each came from; :func:`write_theme` writes a theme folder:
``theme.yaml`` and a ``deck.pptx`` (the default deck with these theme colours and fonts).
Problems raise :class:`TokensError` naming the file and what to do.
"""

from __future__ import annotations

import colorsys
import io
import json
import re
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from .errors import PitchkitError
from .resources import default_templates_dir

A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
MAX_BYTES = 50_000_000

# Token names that say what a colour or font is for, most telling first. "*" is any namespace
# (utrecht., nl., denhaag., voorbeeld., ...); "basis." is the NL Design System's base layer.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "primary": (
        "basis.color.accent-1.color-default",
        "*.button.primary-action.background-color",
        "*.link.color",
        "*.heading-1.color",
        "*.heading.color",
        "basis.heading.color",
    ),
    "accent": (
        "basis.color.accent-2.color-default",
        "*.unordered-list.marker.color",
        "*.color.secondary.*",
        "*.link.color",
        "*.button.secondary-action.color",
        "*.focus.outline-color",
    ),
    "text": (
        "*.document.color",
        "basis.color.default.color-document",
        "*.paragraph.color",
        "*.body.color",
    ),
    "background": (
        "*.document.background-color",
        "basis.color.default.bg-document",
        "*.page.background-color",
        "*.body.background-color",
    ),
    "heading": (
        "*.heading-1.font-family",
        "*.heading.font-family",
        "basis.heading.font-family",
        "*.document.font-family",
        "basis.text.font-family.default",
        "basis.text.font-family",
    ),
    "body": (
        "*.document.font-family",
        "basis.text.font-family.default",
        "basis.text.font-family",
        "*.paragraph.font-family",
        "*.body.font-family",
    ),
}
DEFAULTS = {"primary": "#0B5394", "accent": "#E17000", "text": "#1A1A1A", "background": "#FFFFFF"}
# Fonts every presenter's computer has (Windows and macOS Office); a web font such as
# "Noto Sans Variable" is only used when the stack names nothing else.
OFFICE_FONTS = {
    "arial",
    "calibri",
    "cambria",
    "candara",
    "century gothic",
    "consolas",
    "georgia",
    "segoe ui",
    "tahoma",
    "times new roman",
    "trebuchet ms",
    "verdana",
}
GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-sans-serif"}


class TokensError(PitchkitError):
    """The tokens file cannot be used; the message names the file and what to do."""


@dataclass(frozen=True)
class Token:
    """One design token: its dotted path, resolved value and declared type (if any)."""

    path: str
    value: Any
    type: str | None


@dataclass
class TokenTheme:
    """Colours and fonts chosen from tokens, with the token each came from."""

    colors: dict[str, str]
    fonts: dict[str, str]
    sources: dict[str, str] = field(default_factory=dict)
    brand_fonts: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def read_tokens(path: Path) -> dict[str, Token]:
    """Every token of a design-tokens JSON file, by dotted path, references resolved."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise TokensError(
                f"{path}: larger than {MAX_BYTES // 1_000_000} MB; not a tokens file."
            )
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TokensError(f"{path}: file not found.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TokensError(f"{path}: cannot read the file ({exc}).") from None
    except json.JSONDecodeError as exc:
        raise TokensError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}). Use the tokens JSON file of the "
            "design-tokens package, e.g. dist/tokens.json of @utrecht/design-tokens."
        ) from None
    tokens = {t.path: t for t in _walk(data, [], None)}
    if not tokens:  # a plain nested object of values (no "value" keys), as some packages ship
        tokens = {t.path: t for t in _plain(data, [])}
    if not tokens:
        raise TokensError(
            f"{path}: no design tokens found (no objects with a 'value' or '$value', no text "
            "values). Use the tokens JSON of a design-tokens package, e.g. dist/tokens.json."
        )
    return {p: Token(p, _resolve(t.value, tokens, 0), t.type) for p, t in tokens.items()}


def _walk(node: Any, path: list[str], inherited: str | None) -> Iterator[Token]:
    if not isinstance(node, dict):
        return
    kind = node.get("$type", node.get("type", inherited))
    kind = kind if isinstance(kind, str) else inherited
    for key in ("$value", "value"):
        if key in node and not isinstance(node[key], dict):
            yield Token(".".join(path), node[key], kind)
            return
    for key, child in node.items():
        if not key.startswith("$") and isinstance(child, dict):
            yield from _walk(child, [*path, key], kind)


def _plain(node: Any, path: list[str]) -> Iterator[Token]:
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _plain(child, [*path, str(key)])
    elif isinstance(node, str) and path:
        yield Token(".".join(path), node, None)


_REFERENCE = re.compile(r"\{([^{}]+)\}")


def _resolve(value: Any, tokens: dict[str, Token], depth: int) -> Any:
    """``{a.b.c}`` references replaced by their values (source token files use them)."""
    if not isinstance(value, str) or depth > 10 or "{" not in value:
        return value
    whole = _REFERENCE.fullmatch(value.strip())
    if whole and whole.group(1) in tokens:
        return _resolve(tokens[whole.group(1)].value, tokens, depth + 1)
    return _REFERENCE.sub(
        lambda m: (
            str(_resolve(tokens[m.group(1)].value, tokens, depth + 1))
            if m.group(1) in tokens
            else m.group(0)
        ),
        value,
    )


# --------------------------------------------------------------------------- values


def parse_color(value: Any) -> str | None:
    """A CSS colour as #RRGGBB (hex, rgb(), rgba(), hsl(), hsla()); None if not opaque/known."""
    if not isinstance(value, str):
        return None
    v = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", v):
        return "#" + "".join(c * 2 for c in v[1:]).upper()
    if re.fullmatch(r"#[0-9a-f]{6}", v):
        return v.upper()
    if re.fullmatch(r"#[0-9a-f]{8}", v):
        return v[:7].upper() if v[7:] == "ff" else None
    m = re.fullmatch(r"(rgba?|hsla?)\((.*)\)", v)
    if not m:
        return None
    parts = [p for p in re.split(r"[\s,/]+", m.group(2).strip()) if p]
    if len(parts) == 4:
        alpha = parts.pop()
        a = float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha)
        if a < 0.999:
            return None
    if len(parts) != 3:
        return None
    try:
        if m.group(1).startswith("rgb"):
            rgb = [
                round(float(p[:-1]) * 2.55) if p.endswith("%") else round(float(p)) for p in parts
            ]
        else:
            h = float(parts[0].removesuffix("deg")) / 360
            s = float(parts[1].rstrip("%")) / 100
            lum = float(parts[2].rstrip("%")) / 100
            r, g, b = colorsys.hls_to_rgb(h % 1.0, lum, s)
            rgb = [round(r * 255), round(g * 255), round(b * 255)]
    except ValueError:
        return None
    if not all(0 <= c <= 255 for c in rgb):
        return None
    return "#" + "".join(f"{c:02X}" for c in rgb)


def font_stack(value: Any) -> list[str]:
    """A CSS font-family stack as family names, without generic families."""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    if not isinstance(value, str):
        return []
    families = [f.strip().strip("'\"").strip() for f in value.split(",")]
    return [f for f in families if f and f.lower() not in GENERIC]


def office_font(stack: Sequence[str]) -> str | None:
    """The font for slides: the first family every presenter has, else the first family
    (a web font's "Variable" suffix dropped)."""
    for family in stack:
        if family.lower() in OFFICE_FONTS:
            return family
    if not stack:
        return None
    return re.sub(r"\s+Variable$", "", stack[0])


def luminance(hex_color: str) -> float:
    """WCAG relative luminance of #RRGGBB."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #RRGGBB colours."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _distance(a: str, b: str) -> float:
    return sum(abs(int(a[i : i + 2], 16) - int(b[i : i + 2], 16)) for i in (1, 3, 5))


def _saturation(hex_color: str) -> float:
    r, g, b = (int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[2]


# --------------------------------------------------------------------------- choosing


def _matches(pattern: str, path: str) -> bool:
    regex = "^" + re.escape(pattern).replace(r"\*", "[^.]+") + "$"
    return re.match(regex, path) is not None


def _namespace_order(tokens: dict[str, Token]) -> dict[str, int]:
    """Namespaces by size: a package's own (utrecht, ...) holds most of its tokens."""
    counts = Counter(p.split(".", 1)[0] for p in tokens)
    return {ns: i for i, (ns, _) in enumerate(counts.most_common())}


def _candidates(tokens: dict[str, Token], role: str) -> Iterator[Token]:
    order = _namespace_order(tokens)
    for pattern in CANDIDATES[role]:
        found = [t for p, t in tokens.items() if _matches(pattern, p)]
        found.sort(key=lambda t: (order.get(t.path.split(".", 1)[0], 99), t.path))
        yield from found


def theme_from_tokens(tokens: dict[str, Token]) -> TokenTheme:
    """Colours and fonts for a theme (see the module contract)."""
    theme = TokenTheme(colors={}, fonts={})
    for role in ("background", "text", "primary", "accent"):
        for token in _candidates(tokens, role):
            colour = parse_color(token.value)
            if colour is None or not _acceptable(theme, role, colour):
                continue
            theme.colors[role] = colour
            theme.sources[role] = token.path
            break
        if role not in theme.colors:
            fallback = _most_used_colour(tokens, theme) if role == "accent" else None
            if fallback is not None:
                theme.colors[role] = fallback[1]
                theme.sources[role] = f"{fallback[0]} (most used brand colour)"
            else:
                theme.colors[role] = DEFAULTS[role]
                theme.notes.append(f"no token for '{role}'; pitchkit's default {DEFAULTS[role]}")
    for role in ("heading", "body"):
        for token in _candidates(tokens, role):
            stack = font_stack(token.value)
            chosen = office_font(stack)
            if chosen:
                theme.fonts[role] = chosen
                theme.sources[role] = token.path
                if stack and stack[0] != chosen:
                    theme.brand_fonts[role] = stack[0]
                break
    return theme


def _acceptable(theme: TokenTheme, role: str, colour: str) -> bool:
    background = theme.colors.get("background", "#FFFFFF")
    if role == "background":
        return luminance(colour) > 0.7  # slides keep a light background
    if role == "text":
        return contrast(colour, background) >= 4.5
    if contrast(colour, background) < 3.0:  # shapes and large text: WCAG 1.4.11
        return False
    if role == "primary":
        return True
    primary = theme.colors["primary"]
    text = theme.colors["text"]
    return _distance(colour, primary) > 60 and _distance(colour, text) > 60


def _most_used_colour(tokens: dict[str, Token], theme: TokenTheme) -> tuple[str, str] | None:
    """The most used saturated colour that differs from primary and text, with a token using it."""
    counts: Counter[str] = Counter()
    where: dict[str, str] = {}
    for token in tokens.values():
        colour = parse_color(token.value)
        if colour is None or _saturation(colour) < 0.35:
            continue
        counts[colour] += 1
        where.setdefault(colour, token.path)
    for colour, _ in counts.most_common():
        if _acceptable(theme, "accent", colour):
            return where[colour], colour
    return None


# --------------------------------------------------------------------------- writing


def write_theme(theme: TokenTheme, name: str, folder: Path, tokens_file: Path) -> list[Path]:
    """Write ``theme.yaml`` and ``deck.pptx`` into ``folder`` (created); return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    yaml_path = folder / "theme.yaml"
    yaml_path.write_text(theme_yaml(theme, name, tokens_file), encoding="utf-8")
    deck_path = folder / "deck.pptx"
    deck_path.write_bytes(
        restyled_deck(default_templates_dir() / "themes" / "default" / "deck.pptx", theme, name)
    )
    return [yaml_path, deck_path]


def theme_yaml(theme: TokenTheme, name: str, tokens_file: Path) -> str:
    """theme.yaml text, with a comment per value naming the token it came from."""
    lines = [
        f"# Thema gemaakt uit design tokens ({tokens_file.name}) met `pitchkit theme from-tokens`.",
        "# Made from design tokens; each value names the token it came from.",
        "",
        f"name: {json.dumps(name, ensure_ascii=False)}",
        "colors:",
    ]
    for role in ("primary", "accent", "text", "background"):
        source = theme.sources.get(role, "default")
        lines.append(f'  {role}: "{theme.colors[role]}"  # {source}')
    if theme.fonts:
        lines.append("fonts:")
        for role in ("heading", "body"):
            if role in theme.fonts:
                comment = theme.sources.get(role, "")
                if role in theme.brand_fonts:
                    comment += (
                        f"; huisstijlletter/brand font {theme.brand_fonts[role]!r} is a web font:"
                        f" {theme.fonts[role]} is on every presenter's computer"
                    )
                lines.append(f"  {role}: {json.dumps(theme.fonts[role])}  # {comment}")
    layouts = _default_layouts()
    if layouts:
        lines.append("# deck.pptx is pitchkit's default deck: the same layout choices as its theme")
        lines.append("layouts:")
        lines += [f"  {kind}: {json.dumps(name)}" for kind, name in layouts.items()]
    for note in theme.notes:
        lines.append(f"# {note}")
    return "\n".join(lines) + "\n"


def _default_layouts() -> dict[str, str]:
    from .themes import load_theme_spec

    spec_file = default_templates_dir() / "themes" / "default" / "theme.yaml"
    return dict(load_theme_spec(spec_file).layouts) if spec_file.is_file() else {}


def restyled_deck(template: Path, theme: TokenTheme, name: str) -> bytes:
    """A copy of ``template`` whose theme colours and fonts are the token theme's."""
    slots = {
        "dk1": theme.colors["text"],
        "lt1": theme.colors["background"],
        "dk2": theme.colors["primary"],
        "accent1": theme.colors["primary"],
        "accent2": theme.colors["accent"],
        "hlink": theme.colors["primary"],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if re.fullmatch(r"ppt/theme/theme\d+\.xml", info.filename):
                data = _restyle(data, slots, theme.fonts, name)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=info.date_time), data)
    return out.getvalue()


def _restyle(data: bytes, slots: dict[str, str], fonts: dict[str, str], name: str) -> bytes:
    root = etree.fromstring(data)
    root.set("name", name)
    scheme = root.find(f".//{{{A_NS}}}clrScheme")
    if scheme is not None:
        scheme.set("name", name)
        for slot, colour in slots.items():
            el = scheme.find(f"{{{A_NS}}}{slot}")
            if el is None:
                continue
            for child in list(el):
                el.remove(child)
            etree.SubElement(el, f"{{{A_NS}}}srgbClr").set("val", colour.lstrip("#"))
    for which, role in (("majorFont", "heading"), ("minorFont", "body")):
        latin = root.find(f".//{{{A_NS}}}fontScheme/{{{A_NS}}}{which}/{{{A_NS}}}latin")
        if latin is not None and role in fonts:
            latin.set("typeface", fonts[role])
            for attr in ("panose", "pitchFamily", "charset"):
                latin.attrib.pop(attr, None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
