"""Load and validate a workspace: every YAML file, every image, every cross-reference.

Contract: :func:`load_workspace` either returns a fully valid :class:`Workspace` (plus warnings) or
raises one :class:`ContentError` listing every problem found, each with file, line and field.
Nothing here writes a file.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.content import images
from generator.content.locate import AUDIENCES_FILE, PROJECT_FILE, locate
from generator.content.model import Audience, Image, Language, ProjectFile, SmartCity
from generator.content.reader import YamlDocument, dotted, read_yaml
from generator.errors import ContentError, Problem, ThemeNotFound
from generator.resources import default_content_dir
from generator.theme.themes import Theme, resolve_theme, theme_packages

M = TypeVar("M", bound=BaseModel)

SMART_CITY_FILE = "smart-city.yaml"

# Project folder names and audience keys become parts of file names (P/P-A-pitch.pptx): keep them
# to what every file system and every sync tool (OneDrive, Teams) accepts, with no path separators.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
SAFE_NAME_RULE = "letters a-z, digits, '-' and '_' (at most 64, no spaces)"
# Names Windows reserves for devices, in any case and with any extension: OneDrive, Teams and
# Windows itself cannot hold a folder called CON, nul or com1.
WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?", re.IGNORECASE)


@dataclass(frozen=True)
class LoadedImage:
    """An image of the content, checked: inside the project folder, readable, not too large."""

    spec: Image
    path: Path
    width: int
    height: int


@dataclass(frozen=True)
class Project:
    """One valid project: its slug (folder name), folder, content and checked images."""

    slug: str
    folder: Path
    source: Path
    content: ProjectFile
    images: tuple[LoadedImage, ...]
    theme: Theme


@dataclass
class Workspace:
    """Everything a build needs from content/: valid, cross-checked, read-only."""

    root: Path
    content_dir: Path
    audiences: dict[str, Audience]
    audiences_source: Path
    projects: list[Project]
    smart_city: SmartCity | None
    warnings: list[Problem] = field(default_factory=list)
    translations: dict[str, dict[str, Audience]] = field(default_factory=dict)

    def audience_keys_for(self, project: Project) -> list[str]:
        """The audiences a project is built for, in audiences.yaml order unless it names them."""
        return list(project.content.audiences or self.audiences)

    def audience(self, project: Project, key: str) -> Audience:
        """Audience ``key`` in the project's language: from ``audiences.<language>.yaml`` when
        that file has the group, else from audiences.yaml."""
        translated = self.translations.get(project.content.language, {})
        return translated.get(key) or self.audiences[key]


def load_workspace(path: Path) -> Workspace:
    """Load and validate everything under PATH; raise ContentError listing all problems."""
    layout = locate(path)
    problems: list[Problem] = []
    warnings: list[Problem] = []

    audiences_path = layout.content_dir / AUDIENCES_FILE
    if not audiences_path.is_file():
        audiences_path = default_content_dir() / AUDIENCES_FILE
    audiences = _load_audiences(audiences_path, problems, warnings)
    translations = _load_translations(layout.content_dir, audiences, problems, warnings)

    smart_city = None
    smart_path = layout.content_dir / SMART_CITY_FILE
    if smart_path.is_file():
        smart_city = _load_model(SmartCity, smart_path, problems, warnings)

    folders = (
        [layout.only_project]
        if layout.only_project
        else sorted(p.parent for p in layout.content_dir.glob(f"*/{PROJECT_FILE}"))
    )
    if not folders:
        problems.append(
            Problem(
                layout.content_dir,
                None,
                None,
                "no projects found",
                f"add a folder with a {PROJECT_FILE} (see the example of 'pitchkit init')",
            )
        )
    problems += _folder_name_problems(folders)
    projects = []
    for folder in folders:
        project = _load_project(folder, layout.root, audiences, problems, warnings)
        if project is not None:
            projects.append(project)
    if problems:
        raise ContentError(problems, layout.root)
    return Workspace(
        layout.root,
        layout.content_dir,
        audiences or {},
        audiences_path,
        projects,
        smart_city,
        warnings,
        translations,
    )


def _load_translations(
    content_dir: Path,
    audiences: dict[str, Audience] | None,
    problems: list[Problem],
    warnings: list[Problem],
) -> dict[str, dict[str, Audience]]:
    """``audiences.<language>.yaml``: the same groups written for projects in that language."""
    result: dict[str, dict[str, Audience]] = {}
    for language in typing.get_args(Language):
        path = content_dir / f"audiences.{language}.yaml"
        if not path.is_file():
            continue
        translated = _load_audiences(path, problems, warnings)
        if translated is None or audiences is None:
            continue
        unknown = [key for key in translated if key not in audiences]
        for key in unknown:
            problems.append(
                Problem(
                    path,
                    1,
                    key,
                    f"'{key}' is not a group of {AUDIENCES_FILE}",
                    "this file only translates the groups of audiences.yaml for projects in "
                    f"that language; known groups: {', '.join(audiences)}",
                )
            )
        if not unknown:
            result[language] = translated
    return result


def _load_audiences(
    path: Path, problems: list[Problem], warnings: list[Problem]
) -> dict[str, Audience] | None:
    doc = _read(path, problems, warnings)
    if doc is None:
        return None
    if not isinstance(doc.data, dict) or not doc.data:
        problems.append(
            Problem(
                path, 1, None, "expected the audience groups, e.g. 'supporters:' and 'doubters:'"
            )
        )
        return None
    result: dict[str, Audience] = {}
    seen: dict[str, str] = {}
    for key, value in doc.data.items():
        line = doc.line_of((key,))
        if not SAFE_NAME.fullmatch(key):
            problems.append(
                Problem(
                    path,
                    line,
                    key,
                    f"the audience key '{key}' becomes part of file names and may only hold "
                    + SAFE_NAME_RULE,
                    f"rename it, e.g. to '{safe_name(key)}'; 'name:' holds the name people see",
                )
            )
        elif key.casefold() in seen:
            problems.append(
                Problem(
                    path,
                    line,
                    key,
                    f"the audience keys '{seen[key.casefold()]}' and '{key}' differ only in "
                    "upper and lower case; on Windows and macOS their documents would overwrite "
                    "each other",
                    "rename one of them",
                )
            )
        seen.setdefault(key.casefold(), key)
        try:
            result[key] = Audience.model_validate(value)
        except ValidationError as exc:
            problems.extend(_problems_from(exc, doc, Audience, prefix=(key,)))
    return result


def safe_name(name: str) -> str:
    """A name matching SAFE_NAME to suggest: 'Slimme verlichting!' -> 'slimme-verlichting'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_-]+", "-", ascii_name.lower()).strip("-_")[:64].strip("-_")
    return slug or "project"


def _folder_name_problems(folders: list[Path]) -> list[Problem]:
    """Project folders whose names cannot be file names, or that clash ignoring case."""
    problems = []
    seen: dict[str, str] = {}
    for folder in folders:
        name = folder.name
        if not SAFE_NAME.fullmatch(name):
            problems.append(
                Problem(
                    folder / PROJECT_FILE,
                    None,
                    None,
                    f"the project folder name '{name}' becomes part of file names and may only "
                    "hold " + SAFE_NAME_RULE,
                    f"rename the folder, e.g. to '{safe_name(name)}'",
                )
            )
        elif WINDOWS_RESERVED.fullmatch(name):
            problems.append(
                Problem(
                    folder / PROJECT_FILE,
                    None,
                    None,
                    f"the project folder name '{name}' is reserved by Windows for a device; "
                    "OneDrive, Teams and Windows cannot hold a folder of that name",
                    f"rename the folder, e.g. to '{name.lower()}-project'",
                )
            )
        elif name.casefold() in seen:
            problems.append(
                Problem(
                    folder / PROJECT_FILE,
                    None,
                    None,
                    f"the project folders '{seen[name.casefold()]}' and '{name}' differ only in "
                    "upper and lower case; on Windows and macOS their documents would overwrite "
                    "each other",
                    "rename one of them",
                )
            )
        seen.setdefault(name.casefold(), name)
    return problems


def _load_project(
    folder: Path,
    workspace_root: Path,
    audiences: dict[str, Audience] | None,
    problems: list[Problem],
    warnings: list[Problem],
) -> Project | None:
    source = folder / PROJECT_FILE
    doc_lines = _read(source, problems, warnings)
    content = _validate(ProjectFile, doc_lines, problems) if doc_lines else None
    if content is None or doc_lines is None:
        return None
    before = len(problems)
    if audiences is not None and content.audiences is not None:
        for i, key in enumerate(content.audiences):
            if key in content.audiences[:i]:
                problems.append(
                    Problem(
                        source,
                        doc_lines.line_of(("audiences", i)),
                        f"audiences[{i}]",
                        f"audience '{key}' is listed twice",
                        "list each audience once",
                    )
                )
            elif key not in audiences:
                problems.append(
                    Problem(
                        source,
                        doc_lines.line_of(("audiences", i)),
                        f"audiences[{i}]",
                        f"unknown audience '{key}'",
                        _known("known audiences", list(audiences), key),
                    )
                )
    loaded = []
    for i, spec in enumerate(content.images):
        loc = ("images", i, "file")
        result = images.check_image(folder, spec.file)
        if isinstance(result, str):
            problems.append(Problem(source, doc_lines.line_of(loc), dotted(loc), result))
            continue
        path, width, height = result
        if Path(spec.alt).name == Path(spec.file).name or spec.alt.strip() == Path(spec.file).stem:
            problems.append(
                Problem(
                    source,
                    doc_lines.line_of(("images", i, "alt")),
                    f"images[{i}].alt",
                    "alt text is the file name",
                    "describe what the image shows",
                )
            )
        loaded.append(LoadedImage(spec, path, width, height))
    theme = None
    try:
        theme = resolve_theme(content.theme, folder, workspace_root)
    except ThemeNotFound as exc:
        problems.append(
            Problem(
                source,
                doc_lines.line_of(("theme",)),
                "theme",
                f"unknown theme '{content.theme}'",
                _known("known themes", exc.known, content.theme),
            )
        )
    except ContentError as exc:
        problems.extend(exc.problems)
    if theme is not None:
        # The theme's deck and handout are opened (and cleaned) here, so that a broken or
        # refused file is a problem before anything is built, and each removal is said once.
        package_problems, package_warnings = theme_packages(theme)
        problems.extend(package_problems)
        warnings.extend(w for w in package_warnings if w not in warnings)
    if theme is not None and theme.logo is not None and theme.folder is not None:
        # The logo goes into every handout as is: check it like a content image, and require a
        # format Word embeds without conversion.
        checked = images.check_image(theme.folder, theme.spec.logo or "", convert=False)
        if isinstance(checked, str):
            problems.append(Problem(theme.folder / "theme.yaml", None, "logo", checked))
    if len(problems) > before or theme is None:
        return None
    return Project(folder.name, folder, source, content, tuple(loaded), theme)


def _read(path: Path, problems: list[Problem], warnings: list[Problem]) -> YamlDocument | None:
    try:
        doc = read_yaml(path)
    except ContentError as exc:
        problems.extend(exc.problems)
        return None
    warnings.extend(doc.warnings)
    return doc


def _load_model(
    cls: type[M], path: Path, problems: list[Problem], warnings: list[Problem]
) -> M | None:
    doc = _read(path, problems, warnings)
    return _validate(cls, doc, problems) if doc is not None else None


def _validate(cls: type[M], doc: YamlDocument, problems: list[Problem]) -> M | None:
    path = doc.path
    if not isinstance(doc.data, dict):
        what = "empty" if doc.data is None else "not a set of 'key: value' fields"
        problems.append(Problem(path, 1, None, f"the file is {what}", _example_hint(cls)))
        return None
    try:
        return cls.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(_problems_from(exc, doc, cls))
        return None


def _example_hint(cls: type[BaseModel]) -> str:
    required = [name for name, f in cls.model_fields.items() if f.is_required()]
    return "it needs at least: " + ", ".join(required) if required else "see 'pitchkit init'"


def _problems_from(
    exc: ValidationError, doc: YamlDocument, cls: type[BaseModel], prefix: tuple[Any, ...] = ()
) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = tuple(err["loc"])
        full = (*prefix, *loc)
        kind = err["type"]
        if kind == "extra_forbidden":
            name = str(loc[-1])
            known = _field_names(cls, loc[:-1])
            hint = _did_you_mean(name, known)
            out.append(
                Problem(
                    doc.path,
                    doc.line_of(full),
                    dotted(full[:-1]) or None,
                    f"unknown field '{name}'",
                    hint,
                )
            )
            continue
        if kind == "missing":
            out.append(
                Problem(
                    doc.path,
                    doc.line_of(full[:-1]),
                    dotted(full),
                    "required field is missing",
                    f"add '{loc[-1]}:' here",
                )
            )
            continue
        message, hint = _explain(err)
        out.append(Problem(doc.path, doc.line_of(full), dotted(full), message, hint))
    return sorted(out, key=lambda p: p.line or 0)


def _explain(err: Any) -> tuple[str, str | None]:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}", None
    if kind in ("string_type", "str_type"):
        return "must be text", "put it in quotes if it looks like a number or a list"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return "must be a number", "write digits only, e.g. 250000 (no currency sign or dots)"
    if kind in ("date_from_datetime_parsing", "date_type", "date_parsing"):
        return "must be a date", "write it as YYYY-MM-DD, e.g. 2027-03-11"
    if kind in ("list_type",):
        return "must be a list", "write each item on its own line starting with '- '"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be a block of 'key: value' fields", None
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false", None
    if kind == "too_short":
        return "must not be empty", None
    if kind == "greater_than_equal":
        if ctx.get("ge") == 0:
            return "must not be negative", None
        return f"is too small (at least {_number(ctx.get('ge'))})", "check for a typing error"
    if kind == "less_than_equal":
        return f"is too large (at most {_number(ctx.get('le'))})", "check for a typing error"
    if kind == "finite_number":
        return "must be a number", "write digits, e.g. 250000 (.nan and .inf are not numbers)"
    if kind in ("string_too_long", "too_long"):
        # Text fields with a limit (title, municipality, key message): a slide title, and the
        # document properties Office limits to 255 characters.
        actual = ctx.get("actual_length")
        size = f"{actual} characters, " if actual is not None else ""
        limit = ctx.get("max_length")
        return f"is too long ({size}at most {limit})", "shorten it to one line or sentence"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])), None
    return err["msg"], None


def _number(value: Any) -> str:
    """1e15 -> '1,000,000,000,000,000' (a limit as a person reads it)."""
    if isinstance(value, int | float) and float(value).is_integer():
        return f"{int(value):,}"
    return str(value)


def _did_you_mean(name: str, known: list[str]) -> str | None:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "known fields here: " + ", ".join(known) if known else None


def _known(what: str, keys: list[str], given: str) -> str:
    close = difflib.get_close_matches(given, keys, n=1)
    lead = f"did you mean '{close[0]}'? " if close else ""
    return f"{lead}{what}: {', '.join(keys)}"


def _field_names(cls: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model found at ``loc`` inside ``cls`` (for did-you-mean hints)."""
    current: Any = cls
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            if isinstance(current, type) and current is not dict:
                return []
            continue  # a dict key, e.g. an audience's stage name
        info = current.model_fields.get(str(part))
        if info is None:
            return []
        current = _inner_model(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, dict, typing.Annotated):
        for arg in reversed(typing.get_args(annotation)):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def default_audiences() -> dict[str, Audience]:
    """The two groups of the seed, as shipped (for callers without a workspace)."""
    problems: list[Problem] = []
    result = _load_audiences(default_content_dir() / AUDIENCES_FILE, problems, [])
    if problems or result is None:
        raise ContentError(problems)
    return result
