"""Render Jinja2 templates into the document tree.

Contract: templates are looked up in the project's ``templates/``, then the workspace's
``templates/``, then the packaged defaults; a missing template is an error that lists every path
searched. Templates run in a sandbox with StrictUndefined and emit YAML. Every ``{{ expression }}``
is written as a quoted YAML scalar (the ``finalize`` hook), so content is always data: a value
holding ``{{ }}`` or YAML syntax is shown literally and cannot change the document's structure.
Rendering is bounded in output size and time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ValidationError

from .errors import TemplateProblem
from .reader import dotted, parse_yaml
from .resources import default_templates_dir

MAX_OUTPUT_CHARS = 2_000_000
MAX_SECONDS = 20.0

N = TypeVar("N", bound=BaseModel)


class RawYaml(str):
    """Template output that is already YAML (a macro's lines); ``finalize`` leaves it as is."""


def raw_yaml(value: Any) -> RawYaml:
    """The ``raw`` filter: mark a macro's output as YAML lines, not a value to quote."""
    return RawYaml(value)


def yaml_scalar(value: Any) -> str:
    """Write any template value as a YAML flow scalar (JSON is valid YAML)."""
    if isinstance(value, RawYaml):
        return value
    if isinstance(value, jinja2.Undefined):
        return json.dumps(str(value))
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return json.dumps(str(value), ensure_ascii=False)


@dataclass(frozen=True)
class TemplateLibrary:
    """The template folders to search, most specific first."""

    search_path: tuple[Path, ...]

    @classmethod
    def for_project(cls, project_folder: Path | None, workspace_root: Path) -> TemplateLibrary:
        """Project folder's templates/, then the workspace's templates/, then the defaults."""
        folders = []
        if project_folder is not None:
            folders.append(project_folder / "templates")
        folders += [workspace_root / "templates", default_templates_dir()]
        unique: list[Path] = []
        for f in folders:
            if f not in unique:
                unique.append(f)
        return cls(tuple(unique))

    @property
    def environment(self) -> SandboxedEnvironment:
        """The (cached) sandboxed environment for this search path."""
        return _environment(self.search_path)

    def find(self, candidates: Sequence[str]) -> str:
        """The first of ``candidates`` that exists; else TemplateProblem listing all paths tried."""
        for name in candidates:
            for folder in self.search_path:
                if (folder / name).is_file():
                    return name
        tried = [str(folder / name) for name in candidates for folder in self.search_path]
        raise TemplateProblem(
            "template not found: "
            + " or ".join(candidates)
            + "\nsearched:\n  "
            + "\n  ".join(tried)
        )

    def find_file(self, relative: str) -> Path | None:
        """The first existing ``folder/relative`` along the search path."""
        for folder in self.search_path:
            if (folder / relative).exists():
                return folder / relative
        return None

    def labels(self, language: str) -> dict[str, Any]:
        """The labels for ``language``: the defaults, overridden key by key by the user's file."""
        merged: dict[str, Any] = {}
        for folder in reversed(self.search_path):
            path = folder / "labels" / f"{language}.yaml"
            if path.is_file():
                merged.update(_read_labels(path))
        if not merged:
            raise TemplateProblem(f"no labels for language '{language}' in {self.search_path}")
        return merged

    def render(self, name: str, context: Mapping[str, Any], node_type: type[N]) -> N:
        """Render template ``name`` and validate its YAML output as ``node_type``."""
        env = self.environment
        try:
            template = env.get_template(name)
            text = _bounded_render(template.generate(**context), name)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(
                f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}"
            ) from None
        except jinja2.exceptions.SecurityError as exc:
            raise TemplateProblem(
                f"{_template_line(exc, name)}: refused by the sandbox: {exc}"
            ) from None
        except jinja2.UndefinedError as exc:
            raise TemplateProblem(f"{_template_line(exc, name)}: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            tried = "\n  ".join(str(f / str(exc.name)) for f in self.search_path)
            raise TemplateProblem(f"template not found: {exc.name}\nsearched:\n  {tried}") from None
        except TemplateProblem:
            raise
        except Exception as exc:  # any runtime error inside a template: say where
            where = _template_line(exc, name)
            raise TemplateProblem(f"{where}: {type(exc).__name__}: {exc}") from None
        try:
            data = parse_yaml(text, Path(name)).data
        except Exception as exc:  # the template emitted broken YAML: show where
            detail = getattr(exc, "problems", None)
            where = detail[0].render() if detail else str(exc)
            lines = text.splitlines()
            line = detail[0].line if detail and detail[0].line else 0
            shown = "\n".join(
                f"  {n}: {lines[n - 1]}"
                for n in range(max(1, line - 2), min(len(lines), line + 1) + 1)
            )
            raise TemplateProblem(
                f"template {name} produced invalid YAML: {where}\noutput around that line:\n{shown}"
            ) from None
        try:
            return node_type.model_validate(data)
        except ValidationError as exc:
            rows = [
                f"  {dotted(tuple(e['loc']))}: {e['msg']}"
                for e in exc.errors(include_url=False, include_input=False)
            ]
            raise TemplateProblem(
                f"template {name} produced an invalid document:\n" + "\n".join(rows)
            ) from None


@cache
def _environment(search_path: tuple[Path, ...]) -> SandboxedEnvironment:
    # One environment per search path and process: templates are parsed once, not per document.
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path]),
        undefined=jinja2.StrictUndefined,
        finalize=yaml_scalar,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["raw"] = raw_yaml
    return env


@cache
def _read_labels(path: Path) -> dict[str, Any]:
    data = parse_yaml(path.read_text(encoding="utf-8"), path).data
    if not isinstance(data, dict):
        raise TemplateProblem(f"{path}: expected 'key: text' lines")
    return data


def _bounded_render(chunks: Iterator[str], name: str) -> str:
    started = time.monotonic()
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        out.append(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise TemplateProblem(
                f"template {name} produced more than {MAX_OUTPUT_CHARS} characters"
            )
        if time.monotonic() - started > MAX_SECONDS:
            raise TemplateProblem(f"template {name} took longer than {MAX_SECONDS:.0f} seconds")
    return "".join(out)


def _template_line(exc: BaseException, fallback: str) -> str:
    """``file:line`` of the innermost template frame in the traceback (Jinja rewrites frames)."""
    found = fallback
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found
