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
import math
import re
import shutil
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from generator.errors import PitchkitError, TokensError
from generator.ooxml.namespaces import A as A_NS
from generator.pipeline.writer import Folder
from generator.resources import default_templates_dir
from generator.theme.colour import contrast, luminance
from generator.theme.fonts import latin_font

MAX_BYTES = 50_000_000
#: Budgets that no real tokens file comes near (they are a few levels deep, values are short):
#: nesting of groups, length of a reference chain, characters of one resolved value, and
#: characters of all resolved values together (beyond the file's own size).
MAX_NESTING = 64
MAX_CHAIN = 32
MAX_VALUE = 4096
MAX_EXPANSION = 2_000_000
#: A theme name is a folder name and is shown in PowerPoint's theme list.
MAX_NAME = 64

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


class _Malformed(ValueError):
    """A token value that is meant as a colour or font but cannot be one (the message says why)."""


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
    """Every token of a design-tokens JSON file, by dotted path, references resolved.

    References are resolved once each (memoised), within budgets on chain length and expanded
    size, and a cycle is named; a value that cannot be one (see :func:`value_problem`) is an
    error too. Every problem is reported together as ``file:token.path: message``.
    """
    try:
        if path.stat().st_size > MAX_BYTES:
            raise TokensError(
                f"{path}: larger than {MAX_BYTES // 1_000_000} MB; not a tokens file."
            )
        text = path.read_text(encoding="utf-8")
        line = _too_deep(text, MAX_NESTING * 2)
        if line is not None:
            raise TokensError(
                f"{path}:{line}: nested more than {MAX_NESTING * 2} levels deep; design tokens "
                "are a few levels deep. Use the tokens JSON of a design-tokens package."
            )
        data = json.loads(text)
    except FileNotFoundError:
        raise TokensError(f"{path}: file not found.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TokensError(f"{path}: cannot read the file ({exc}).") from None
    except json.JSONDecodeError as exc:
        raise TokensError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}). Use the tokens JSON file of the "
            "design-tokens package, e.g. dist/tokens.json of @utrecht/design-tokens."
        ) from None
    problems: list[tuple[str, str]] = []
    tokens = {t.path: t for t in _walk(data, [], None, problems)}
    if not tokens and not problems:  # a plain nested object of values, as some packages ship
        tokens = {t.path: t for t in _plain(data, [], problems)}
    if problems:
        raise TokensError.at(path, problems)
    if not tokens:
        raise TokensError(
            f"{path}: no design tokens found (no objects with a 'value' or '$value', no text "
            "values). Use the tokens JSON of a design-tokens package, e.g. dist/tokens.json."
        )
    resolved = _Resolver(tokens, MAX_EXPANSION + len(text)).all(problems)
    for name, value in resolved.items():
        problem = value_problem(value)
        if problem is not None:
            problems.append((name, problem))
    if problems:
        raise TokensError.at(path, problems)
    return {p: Token(p, resolved[p], t.type) for p, t in tokens.items()}


def _too_deep(text: str, limit: int) -> int | None:
    """The line where JSON ``text`` nests deeper than ``limit`` (outside strings), or None."""
    depth, line, in_string, escaped = 0, 1, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line
        elif char in "]}":
            depth -= 1
        if char == "\n":
            line += 1
    return None


def _shown(path: list[str]) -> str:
    return ".".join(path) if len(path) <= 8 else ".".join([*path[:6], "…", *path[-1:]])


def _walk(
    node: Any, path: list[str], inherited: str | None, problems: list[tuple[str, str]]
) -> Iterator[Token]:
    if not isinstance(node, dict):
        return
    if len(path) > MAX_NESTING:
        problems.append((_shown(path), f"nested more than {MAX_NESTING} levels deep"))
        return
    kind = node.get("$type", node.get("type", inherited))
    kind = kind if isinstance(kind, str) else inherited
    for key in ("$value", "value"):
        if key in node and not isinstance(node[key], dict):
            yield Token(".".join(path), node[key], kind)
            return
    for key, child in node.items():
        if not key.startswith("$") and isinstance(child, dict):
            yield from _walk(child, [*path, key], kind, problems)


def _plain(node: Any, path: list[str], problems: list[tuple[str, str]]) -> Iterator[Token]:
    if len(path) > MAX_NESTING:
        problems.append((_shown(path), f"nested more than {MAX_NESTING} levels deep"))
    elif isinstance(node, dict):
        for key, child in node.items():
            yield from _plain(child, [*path, str(key)], problems)
    elif isinstance(node, str) and path:
        yield Token(".".join(path), node, None)


_REFERENCE = re.compile(r"\{([^{}]+)\}")


class _Unresolvable(Exception):
    """A token's references cannot be resolved (a cycle, too deep, too large); ``known`` when
    the cause is a token already reported (its dependants are not listed again)."""

    def __init__(self, message: str, known: bool = False) -> None:
        super().__init__(message)
        self.known = known


class _Resolver:
    """``{a.b.c}`` references replaced by their values (source token files use them): each token
    resolved once, a cycle named, chains and expansion within budget."""

    def __init__(self, tokens: dict[str, Token], budget: int) -> None:
        self.tokens = tokens
        self.done: dict[str, Any] = {}
        self.failed: dict[str, str] = {}
        self.budget = budget

    def all(self, problems: list[tuple[str, str]]) -> dict[str, Any]:
        for name in self.tokens:
            if name in self.failed:  # reported with the token whose resolution found it
                continue
            try:
                self.value(name, [])
            except _Unresolvable as exc:
                if not exc.known:
                    problems.append((name, str(exc)))
        return self.done

    def value(self, name: str, chain: list[str]) -> Any:
        if name in self.done:
            return self.done[name]
        if name in self.failed:
            raise _Unresolvable(self.failed[name], known=True)
        try:
            if name in chain:
                cycle = [*chain[chain.index(name) :], name]
                raise _Unresolvable(f"its references go round in a circle: {' -> '.join(cycle)}")
            if len(chain) >= MAX_CHAIN:
                raise _Unresolvable(f"a chain of more than {MAX_CHAIN} references")
            result = self._substitute(self.tokens[name].value, [*chain, name])
        except _Unresolvable as exc:
            self.failed[name] = str(exc)
            raise
        if isinstance(result, str):
            self.budget -= len(result)
            if self.budget < 0:
                self.failed[name] = "its references expand to far more text than the file holds"
                raise _Unresolvable(self.failed[name])
        self.done[name] = result
        return result

    def _substitute(self, value: Any, chain: list[str]) -> Any:
        if not isinstance(value, str) or "{" not in value:
            return value
        whole = _REFERENCE.fullmatch(value.strip())
        if whole and whole.group(1) in self.tokens:
            return self.value(whole.group(1), chain)
        pieces: list[str] = []
        size = 0
        at = 0
        for match in _REFERENCE.finditer(value):
            ref = match.group(1)
            piece = str(self.value(ref, chain)) if ref in self.tokens else match.group(0)
            pieces += [value[at : match.start()], piece]
            size += match.start() - at + len(piece)
            at = match.end()
            if size > MAX_VALUE:
                raise _Unresolvable(f"its references expand to more than {MAX_VALUE} characters")
        pieces.append(value[at:])
        return "".join(pieces)


# --------------------------------------------------------------------------- values


def parse_color(value: Any) -> str | None:
    """A CSS colour as #RRGGBB (hex, rgb(), rgba(), hsl(), hsla()); None if not opaque/known
    (or malformed: see :func:`value_problem`)."""
    try:
        return _color(value)
    except _Malformed:
        return None


def value_problem(value: Any) -> str | None:
    """Why a token value cannot be used as it is meant (None: it can, or it is not meant as a
    colour or text): a control character, or a colour function with numbers out of range."""
    if isinstance(value, list):
        return next((p for p in map(value_problem, value) if p is not None), None)
    if not isinstance(value, str):
        return None
    bad = next((c for c in value if _unusable(c) and c not in "\t\n"), None)
    if bad is not None:
        return f"contains the control character U+{ord(bad):04X}; remove it"
    try:
        _color(value)
    except _Malformed as exc:
        return str(exc)
    return None


def _unusable(char: str) -> bool:
    """A control character, half of a surrogate pair or a non-character: XML cannot hold it."""
    return unicodedata.category(char) in ("Cc", "Cs") or char in "\ufffe\uffff"


_FUNCTION = re.compile(r"(rgba?|hsla?)\((.*)\)")


def _color(value: Any) -> str | None:
    """:func:`parse_color`, raising _Malformed for a colour function whose numbers are not
    finite or out of range."""
    if not isinstance(value, str):
        return None
    try:
        return _css_color(value)
    except _NotAColour:
        return None


class _NotAColour(Exception):
    """A colour function whose arguments are not numbers (``var(--x)``): not a colour to us."""


def _css_color(value: str) -> str | None:
    v = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", v):
        return "#" + "".join(c * 2 for c in v[1:]).upper()
    if re.fullmatch(r"#[0-9a-f]{6}", v):
        return v.upper()
    if re.fullmatch(r"#[0-9a-f]{8}", v):
        return v[:7].upper() if v[7:] == "ff" else None
    m = _FUNCTION.fullmatch(v)
    if not m:
        return None
    parts = [p for p in re.split(r"[\s,/]+", m.group(2).strip()) if p]
    if len(parts) == 4:
        alpha = _number(value, parts.pop(), 1.0, "%")
        if alpha < 0.999:
            return None
    if len(parts) != 3:
        return None
    if m.group(1).startswith("rgb"):
        rgb = [round(_number(value, p, 255.0, "%")) for p in parts]
    else:
        hue = parts[0].removesuffix("deg")
        h = _number(value, hue, MAX_HUE, "", low=-MAX_HUE) / 360
        s = _number(value, parts[1].rstrip("%"), 100.0, "") / 100
        lum = _number(value, parts[2].rstrip("%"), 100.0, "") / 100
        r, g, b = colorsys.hls_to_rgb(h % 1.0, lum, s)
        rgb = [round(r * 255), round(g * 255), round(b * 255)]
    return "#" + "".join(f"{c:02X}" for c in rgb)


MAX_HUE = 360_000.0  # any angle is a hue in CSS; a thousand turns is a mistake


def _number(value: str, text: str, top: float, percent: str, low: float = 0.0) -> float:
    """One number of a colour function, within low..top (a percentage of top where it ends in
    ``percent``); _Malformed when it is not finite or out of range."""
    share = bool(percent) and text.endswith(percent)
    try:
        number = float(text[:-1] if share else text)
    except ValueError:
        raise _NotAColour from None
    if share:
        number = number / 100 * top
    if not math.isfinite(number) or not low <= number <= top:
        raise _Malformed(f"'{value}' has a number out of range ({text}); use a colour like #0B5394")
    return number


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


def theme_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a theme folder (None: it can)."""
    from generator.content.loader import WINDOWS_RESERVED

    if not name.strip() or name.startswith(".") or name.rstrip(" .") != name:
        return "a theme name may not be empty, start with '.' or end with a space or '.'"
    if len(name) > MAX_NAME:
        return f"the theme name is {len(name)} characters long; use at most {MAX_NAME}"
    bad = next((c for c in name if c in '/\\:*?"<>|' or _unusable(c)), None)
    if bad is not None:
        return f"the theme name may not hold {bad!r}; use letters, digits and '-'"
    if WINDOWS_RESERVED.fullmatch(name):
        return f"'{name}' is reserved by Windows for a device; choose another theme name"
    return None


def write_theme(theme: TokenTheme, name: str, folder: Path, tokens_file: Path) -> list[Path]:
    """Write ``theme.yaml`` and ``deck.pptx`` into ``folder`` (created); return the files.

    Both are made and checked (theme.yaml read back as a theme) before anything is written;
    both are written or neither (writer.Folder), and a folder this call created is removed again
    after a failure.
    """
    from generator.theme.themes import ThemeSpec

    problem = theme_name_problem(name)
    if problem is not None:
        raise TokensError(f"{problem}.")
    text = theme_yaml(theme, name, tokens_file)
    try:
        ThemeSpec.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValueError) as exc:
        raise TokensError(f"{tokens_file}: the theme made from it is not valid ({exc}).") from None
    deck = restyled_deck(default_templates_dir() / "themes" / "default" / "deck.pptx", theme, name)
    created = next((p for p in (folder, *folder.parents) if not p.exists()), None)
    yaml_path, deck_path = folder / "theme.yaml", folder / "deck.pptx"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        Folder(folder).write_all({deck_path: deck, yaml_path: text.encode("utf-8")})
    except OSError as exc:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise TokensError(f"cannot write {folder} ({exc.strerror or exc}).") from None
    except PitchkitError:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise
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
    from generator.theme.themes import load_theme_spec

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
    for which, role in (("major", "heading"), ("minor", "body")):
        latin = latin_font(root, which)
        if latin is not None and role in fonts:
            latin.set("typeface", fonts[role])
            for attr in ("panose", "pitchFamily", "charset"):
                latin.attrib.pop(attr, None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
