"""Render Jinja2 templates into the document tree.

Contract: templates are looked up in the project's ``templates/``, then the workspace's
``templates/``, then the packaged defaults; a missing template is an error that lists every path
searched. Templates run in a sandbox with StrictUndefined and emit YAML. Every ``{{ expression }}``
is written as a quoted YAML scalar (the ``finalize`` hook), so content is always data: a value
holding ``{{ }}`` or YAML syntax is shown literally and cannot change the document's structure.
Rendering is bounded in output size and time: output beyond :data:`MAX_OUTPUT_CHARS` stops it,
and so does a clock of :data:`MAX_SECONDS` (a SIGALRM timer where the platform and thread allow,
else checked between output chunks); single operations that would build an enormous value
(``"x" * 10**9``, ``10 ** 10 ** 9``, ``"%999999999d"``, ``center(10**9)``) are refused before they
run. Every error names the template file and line, and what to do.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import math
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TypeVar

import jinja2
import jinja2.bccache
import jinja2.filters
import yaml
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ValidationError

from . import model
from .errors import TemplateProblem
from .reader import dotted, parse_yaml, read_yaml
from .resources import default_templates_dir

MAX_OUTPUT_CHARS = 2_000_000
MAX_SECONDS = 20.0

N = TypeVar("N", bound=BaseModel)

_BIG_NUMBER_IN_FORMAT = re.compile(r"\d{7,}")  # a width like %999999999d or {:>999999999}
_SIZED_STR_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}


class _TooBig(Exception):
    """A single template operation would build a value larger than any document needs."""


class _Timeout(Exception):
    """Rendering ran longer than MAX_SECONDS (raised from the SIGALRM handler)."""


def _refuse_if_huge(size: float, what: str) -> None:
    if size > MAX_OUTPUT_CHARS:
        raise _TooBig(f"{what} would be larger than {MAX_OUTPUT_CHARS} characters")


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


class _BoundedSandbox(SandboxedEnvironment):
    """The sandbox, also refusing single operations that would allocate enormous values."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                size = _length(seq)
                if size is not None and isinstance(times, int):
                    _refuse_if_huge(size * times, "repeating a text or list")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if abs(left) > 1 and right * math.log10(abs(left)) > 100:
                raise _TooBig("a power with more than 100 digits")
        elif operator == "%" and isinstance(left, str) and _BIG_NUMBER_IN_FORMAT.search(left):
            raise _TooBig("a format with an enormous width")
        elif operator == "+":
            a, b = _length(left), _length(right)
            if a is not None and b is not None:
                _refuse_if_huge(a + b, "joining texts or lists")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _SIZED_STR_METHODS:
                for arg in (*args, *kwargs.values()):
                    if isinstance(arg, int):
                        _refuse_if_huge(arg, f"{name}()")
            elif name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
                old, new = args[0], args[1]
                grows = owner.count(old) * max(0, len(new) - len(old)) if old else len(new)
                _refuse_if_huge(len(owner) + grows, "replace()")
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # str.format is wrapped when the attribute is read, so it never reaches call().
        owner = getattr(value, "__self__", None)
        is_format = getattr(value, "__name__", "") in ("format", "format_map")
        if is_format and isinstance(owner, str) and _BIG_NUMBER_IN_FORMAT.search(owner):
            raise _TooBig("a format with an enormous width")
        return super().wrap_str_format(value)


def _sized_filter(original: Callable[..., Any], position: int, what: str) -> Callable[..., Any]:
    """``original`` with its size argument (``position`` after the value) checked first."""

    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        size = args[position] if len(args) > position else None
        if isinstance(size, int):
            _refuse_if_huge(size, what)
        if isinstance(size, str):
            _refuse_if_huge(len(size), what)
        return original(value, *args, **kwargs)

    return checked


def _checked_format(value: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(value, str) and _BIG_NUMBER_IN_FORMAT.search(value):
        raise _TooBig("a format with an enormous width")
    return jinja2.filters.do_format(value, *args, **kwargs)


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
        source = name
        try:
            template = env.get_template(name)
            source = template.filename or name
            with _deadline(MAX_SECONDS):
                text = _bounded_render(template.generate(**context), source)
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or exc.name or name
            raise TemplateProblem(
                f"{where}:{exc.lineno}: template syntax error: {(exc.message or '').rstrip('.')}; "
                + _fix_hint(where)
            ) from None
        except jinja2.exceptions.SecurityError as exc:
            where = _template_line(exc, name)
            raise TemplateProblem(
                f"{where}: refused by the sandbox: {exc} Templates may only use the values "
                "pitchkit gives them, not Python internals; " + _fix_hint(where)
            ) from None
        except jinja2.UndefinedError as exc:
            where = _template_line(exc, name)
            message = (exc.message or "undefined").replace("generator.model.", "")
            raise TemplateProblem(
                f"{where}: {message}; {_undefined_hint(message, context)}"
            ) from None
        except jinja2.TemplateNotFound as exc:
            tried = "\n  ".join(str(f / str(exc.name)) for f in self.search_path)
            raise TemplateProblem(f"template not found: {exc.name}\nsearched:\n  {tried}") from None
        except _Timeout as exc:
            where = _template_line(exc, name)
            raise TemplateProblem(
                f"{where}: rendering took longer than {MAX_SECONDS:g} seconds; look for a loop "
                f"that never ends or runs over far too much; {_fix_hint(where)}"
            ) from None
        except _TooBig as exc:
            where = _template_line(exc, name)
            raise TemplateProblem(f"{where}: refused: {exc}; {_fix_hint(where)}") from None
        except TemplateProblem:
            raise
        except Exception as exc:  # any runtime error inside a template: say where
            where = _template_line(exc, name)
            raise TemplateProblem(
                f"{where}: {type(exc).__name__}: {exc}; {_fix_hint(where)}"
            ) from None
        try:
            data = _fast_load(text)
            if data is _SLOW:
                data = parse_yaml(text, Path(name)).data
        except Exception as exc:  # the template emitted broken YAML: show where
            if not getattr(exc, "problems", None):
                try:  # the strict reader names the line
                    parse_yaml(text, Path(name))
                except Exception as strict:
                    exc = strict
            detail = getattr(exc, "problems", None)
            where = detail[0].render() if detail else str(exc)
            lines = text.splitlines()
            line = detail[0].line if detail and detail[0].line else 0
            shown = "\n".join(
                f"  {n}: {lines[n - 1]}"
                for n in range(max(1, line - 2), min(len(lines), line + 1) + 1)
            )
            raise TemplateProblem(
                f"template {source} produced invalid YAML: {where}\noutput around that line:\n"
                f"{shown}\n{_fix_hint(source)}"
            ) from None
        try:
            return node_type.model_validate(data)
        except ValidationError as exc:
            rows = [
                f"  {dotted(tuple(e['loc']))}: {e['msg']}"
                for e in exc.errors(include_url=False, include_input=False)
            ]
            raise TemplateProblem(
                f"template {source} produced an invalid document:\n"
                + "\n".join(rows)
                + f"\n{_fix_hint(source)}"
            ) from None


@cache
def _environment(search_path: tuple[Path, ...]) -> SandboxedEnvironment:
    # One environment per search path and process: templates are parsed once, not per document.
    env = _BoundedSandbox(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path]),
        undefined=jinja2.StrictUndefined,
        finalize=yaml_scalar,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["raw"] = raw_yaml
    env.filters["center"] = _sized_filter(jinja2.filters.do_center, 0, "center")
    env.filters["indent"] = _sized_filter(jinja2.filters.do_indent, 0, "indent")
    env.filters["batch"] = _sized_filter(jinja2.filters.do_batch, 0, "batch")
    env.filters["format"] = _checked_format
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache folder: compiling costs ~0.25 s a process.

    Jinja2 checks each entry against the template's source and the Python version; a folder that
    cannot be made (a read-only home) means no cache.
    """
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(root) / "pitchkit" / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietBytecodeCache(str(folder))


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Only a cache: an entry that cannot be read or written means compiling again, no error."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@cache
def _read_labels(path: Path) -> dict[str, Any]:
    data = read_yaml(path).data  # a ContentError names file and line (encoding, syntax)
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
                f"template {name} produced more than {MAX_OUTPUT_CHARS} characters; look for a "
                f"loop that runs over far too much; {_fix_hint(name)}"
            )
        if time.monotonic() - started > MAX_SECONDS:  # where SIGALRM is not available
            raise _Timeout()
    return "".join(out)


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`_Timeout` inside whatever runs after ``seconds`` (POSIX main thread only).

    The timer repeats every 0.2 s after the deadline, so a library call that swallows the first
    exception is interrupted again. Elsewhere the chunk check in :func:`_bounded_render` remains.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.2)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _fix_hint(where: str) -> str:
    """What to do about an error in template ``where`` (a path, or a name)."""
    defaults = str(default_templates_dir())
    if where.startswith(defaults):
        return "this is one of pitchkit's own templates: please report it"
    return "fix the template, or remove it to use pitchkit's default"


_NO_ATTRIBUTE = re.compile(r"'(?:[\w.]+\.)?(\w+) object' has no attribute '(\w+)'")


def _undefined_hint(message: str, context: Mapping[str, Any]) -> str:
    """Did-you-mean for a misspelt field of a content class, else the names a template has."""
    found = _NO_ATTRIBUTE.search(message)
    cls = getattr(model, found.group(1), None) if found else None
    if found and isinstance(cls, type) and issubclass(cls, BaseModel):
        fields = list(cls.model_fields)
        close = difflib.get_close_matches(found.group(2), fields, n=1)
        lead = f"did you mean '{close[0]}'? " if close else ""
        return f"{lead}its fields are: {', '.join(fields)}"
    name = re.match(r"'(\w+)' is undefined", message)
    if name:
        close = difflib.get_close_matches(name.group(1), list(context), n=1)
        lead = f"did you mean '{close[0]}'? " if close else ""
        return f"{lead}a template can use: {', '.join(context)}"
    return "check the spelling of the name"


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


_SLOW = object()
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def _fast_load(text: str) -> Any:
    """Parse template output with libyaml when it holds no anchors or aliases (the common case).

    Template output is mostly quoted scalars written by ``finalize``; outside those quotes an
    ``&`` or ``*`` could be an anchor or alias, whose expansion only the strict reader bounds.
    """
    cfast = getattr(yaml, "CSafeLoader", None)
    if cfast is None or re.search(r"[&*!]", _QUOTED.sub("", text)):
        return _SLOW
    return yaml.load(text, Loader=cfast)
