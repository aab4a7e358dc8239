"""Themes: theme.yaml plus the municipality's own deck and Word templates.

Contract: :func:`resolve_theme` finds a theme by name (project folder, then workspace, then the
packaged defaults, each under ``templates/themes/<name>/``) or by path (a theme folder, or a
PowerPoint or Word file of any package kind), fills what the theme lacks from the default theme,
and returns a :class:`Theme`; when nothing is found it raises :class:`ThemeNotFound` listing
every place searched. :func:`theme_packages` opens its deck and handout files, cleaned (see
:mod:`generator.theme.packages`), and says what was removed from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from generator.content.reader import dotted, read_yaml
from generator.errors import ContentError, Problem, ThemeNotFound
from generator.resources import default_templates_dir

DEFAULT_THEME = "default"
#: The package kinds a theme's deck and handout may be (turned into plain documents on loading).
DECK_SUFFIXES = (".pptx", ".potx", ".pptm", ".potm")
HANDOUT_SUFFIXES = (".docx", ".dotx", ".docm", ".dotm")
_HEX = re.compile(r"^#?[0-9A-Fa-f]{6}$")


class ThemeColors(BaseModel):
    """Colours as #RRGGBB."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    primary: str = "#0B5394"
    """Headings, table headers, accents on shapes."""
    accent: str = "#E17000"
    """Highlights: done milestones, chart series."""
    text: str = "#1A1A1A"
    """Body text."""
    background: str = "#FFFFFF"
    """Slide and page background."""

    @field_validator("primary", "accent", "text", "background")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _HEX.match(value):
            raise ValueError('must be a colour like "#0078C8"')
        return value if value.startswith("#") else f"#{value}"


class ThemeFonts(BaseModel):
    """Font names as installed on the presenter's computer."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    heading: str | None = None
    """Font for titles and headings; default: the template's own."""
    body: str | None = None
    """Font for body text; default: the template's own."""


class ThemeSpec(BaseModel):
    """``theme.yaml``: name, colours, fonts, logo, layout overrides."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    name: str | None = None
    """Shown name of the theme."""
    colors: ThemeColors = ThemeColors()
    """Colours used for what pitchkit draws itself (tables, numbers, timeline, charts)."""
    fonts: ThemeFonts = ThemeFonts()
    """Fonts; default: the templates' own."""
    logo: str | None = None
    """Logo file beside theme.yaml, shown on the handout header."""
    layouts: dict[str, str] = {}
    """Slide kind -> layout name in deck.pptx, only where the automatic match is wrong."""


@dataclass(frozen=True)
class Theme:
    """A resolved theme: every file that exists, the default theme's for the rest."""

    name: str
    folder: Path | None
    spec: ThemeSpec
    deck_template: Path
    handout_template: Path
    logo: Path | None = None
    sources: tuple[Path, ...] = field(default=())


def theme_search_path(project_folder: Path | None, workspace_root: Path) -> list[Path]:
    """Folders that may hold ``themes/<name>/``, most specific first."""
    folders = []
    if project_folder is not None:
        folders.append(project_folder / "templates" / "themes")
    folders += [workspace_root / "templates" / "themes", default_templates_dir() / "themes"]
    return folders


def known_themes(project_folder: Path | None, workspace_root: Path) -> list[str]:
    """Names of every theme folder along the search path."""
    names: set[str] = set()
    for folder in theme_search_path(project_folder, workspace_root):
        if folder.is_dir():
            names |= {p.name for p in folder.iterdir() if p.is_dir()}
    return sorted(names)


def resolve_theme(value: str, project_folder: Path | None, workspace_root: Path) -> Theme:
    """Resolve a theme name or path (see the module contract)."""
    default_folder = default_templates_dir() / "themes" / DEFAULT_THEME
    candidate = Path(value)
    searched: list[Path] = []
    files = DECK_SUFFIXES + HANDOUT_SUFFIXES
    if candidate.suffix.lower() in files or "/" in value or "\\" in value:
        bases = [project_folder] if project_folder else []
        bases.append(workspace_root)
        for base in bases:
            path = _probe(base / candidate)
            searched.append(path)
            if _is(path, "file") and path.suffix.lower() in DECK_SUFFIXES:
                return _from_folder(path.stem, None, default_folder, deck_override=path)
            if _is(path, "file") and path.suffix.lower() in HANDOUT_SUFFIXES:
                return _from_folder(path.stem, None, default_folder, handout_override=path)
            if _is(path, "dir"):
                return _from_folder(path.name, path, default_folder)
    else:
        for folder in theme_search_path(project_folder, workspace_root):
            path = folder / value
            searched.append(path)
            if _is(path, "dir"):
                return _from_folder(value, path, default_folder)
    raise ThemeNotFound(value, searched, known_themes(project_folder, workspace_root))


def _probe(path: Path) -> Path:
    """``path`` resolved, or as it is when it cannot be (a name too long for the file system)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def _is(path: Path, kind: str) -> bool:
    """Whether ``path`` is a file (or folder); False for a name the file system cannot hold."""
    try:
        return path.is_file() if kind == "file" else path.is_dir()
    except (OSError, ValueError):
        return False


def _first(folder: Path | None, stem: str, suffixes: tuple[str, ...]) -> Path | None:
    """The first file ``stem + suffix`` in ``folder``, in the order of ``suffixes``, whatever the
    case of its name (``Deck.POTX`` too)."""
    if folder is None or not folder.is_dir():
        return None
    found = {p.name.lower(): p for p in sorted(folder.iterdir()) if p.is_file()}
    for suffix in suffixes:
        if f"{stem}{suffix}" in found:
            return found[f"{stem}{suffix}"]
    return None


def _from_folder(
    name: str,
    folder: Path | None,
    default_folder: Path,
    deck_override: Path | None = None,
    handout_override: Path | None = None,
) -> Theme:
    spec = ThemeSpec()
    spec_file = _first(folder, "theme", (".yaml",))
    if spec_file is not None:
        spec = load_theme_spec(spec_file)
    deck = deck_override or _first(folder, "deck", DECK_SUFFIXES)
    handout = handout_override or _first(folder, "handout", HANDOUT_SUFFIXES)
    logo = None
    if spec.logo and folder is not None:
        logo = (folder / spec.logo).resolve()
        if not logo.is_relative_to(folder.resolve()) or not logo.is_file():
            raise ContentError(
                [
                    Problem(
                        spec_file, None, "logo", f"logo '{spec.logo}' not found beside theme.yaml"
                    )
                ]
            )
    return Theme(
        name=spec.name or name,
        folder=folder,
        spec=spec,
        deck_template=deck or default_folder / "deck.pptx",
        handout_template=handout or default_folder / "handout.docx",
        logo=logo,
        sources=tuple(p for p in (spec_file, deck, handout, logo) if p is not None),
    )


def load_theme_spec(path: Path) -> ThemeSpec:
    """Read and validate theme.yaml, with file and line on every problem."""
    doc = read_yaml(path)
    data = doc.data if doc.data is not None else {}
    try:
        return ThemeSpec.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(path, doc.line_of(tuple(e["loc"])), dotted(tuple(e["loc"])), e["msg"])
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise ContentError(problems) from None


def theme_packages(theme: Theme) -> tuple[list[Problem], list[Problem]]:
    """Open the theme's own deck and handout files as clean packages (the default theme's are
    pitchkit's own): (problems, warnings), one warning per kind of thing removed from a file."""
    from generator.errors import PackageError
    from generator.theme.packages import load_package

    problems: list[Problem] = []
    warnings: list[Problem] = []
    defaults = default_templates_dir().resolve()
    for path, kind in ((theme.deck_template, "pptx"), (theme.handout_template, "docx")):
        if path.resolve().is_relative_to(defaults):
            continue
        try:
            package = load_package(path, "pptx" if kind == "pptx" else "docx")
        except PackageError as exc:
            problems.append(Problem(path, None, None, str(exc).removeprefix(f"{path}: ")))
            continue
        warnings += [Problem(path, None, None, f"removed {line}") for line in package.removed]
    return problems, warnings
