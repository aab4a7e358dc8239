"""Render Jinja2 templates into the document tree.

Contract: templates are looked up in the project's ``templates/``, then the workspace's
``templates/``, then the packaged defaults; a missing template is an error that lists every path
searched. Templates run in the sandbox (:mod:`generator.compose.sandbox`) with StrictUndefined and
emit YAML. Every ``{{ expression }}`` is written as a quoted YAML scalar (the ``finalize`` hook),
so content is always data: a value holding ``{{ }}`` or YAML syntax is shown literally and cannot
change the document's structure.
Rendering is bounded in output size and time: output beyond :data:`MAX_OUTPUT_CHARS` stops it,
and so does a clock of :data:`MAX_SECONDS` (a SIGALRM timer where the platform and thread allow,
else checked between output chunks), and a workspace's own templates render in a child process
under a memory limit; single operations that would build an enormous value (``"x" * 10**9``,
``10 ** 10 ** 9``, ``"%999999999d"``, ``center(10**9)``) are refused by the sandbox before they
run. Every error names the template file and line, and what to do. Compiled templates are kept
by :mod:`generator.compose.bytecode_cache`.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import select
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TypeVar

import jinja2
import jinja2.exceptions
import yaml
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ValidationError

from generator.compose import inline
from generator.compose.bytecode_cache import bytecode_cache
from generator.compose.sandbox import (
    MAX_OUTPUT_CHARS,
    BoundedSandbox,
    TooBig,
    bound_filters,
    refuse_if_huge,
    text_size,
)
from generator.content import model
from generator.content.reader import dotted, parse_yaml, read_yaml
from generator.errors import TemplateProblem
from generator.resources import default_templates_dir

try:  # imported here, not in the forked child: an import there could wait on a lock forever
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

MAX_SECONDS = 20.0
#: Memory a workspace template's rendering may take on top of what pitchkit already holds.
MAX_MEMORY_BYTES = 512 * 1024 * 1024

N = TypeVar("N", bound=BaseModel)


class _Timeout(Exception):
    """Rendering ran longer than MAX_SECONDS (raised from the SIGALRM handler)."""


class RawYaml(str):
    """Template output that is already YAML (a macro's lines); ``finalize`` leaves it as is."""


def raw_yaml(value: Any) -> RawYaml:
    """The ``raw`` filter: mark a macro's output as YAML lines, not a value to quote."""
    return RawYaml(value)


def _plain_filter(value: Any) -> Any:
    """The ``text`` filter: content shown exactly as written (None stays None: absent)."""
    return None if value is None else inline.escape(str(value))


def _bold_filter(value: Any) -> Any:
    """The ``bold`` filter: content or a label as one bold span, exactly as written."""
    return None if value is None else inline.emphasis(str(value), "**")


def _italic_filter(value: Any) -> Any:
    """The ``italic`` filter: content or a label as one italic span, exactly as written."""
    return None if value is None else inline.emphasis(str(value), "*")


def _link_filter(value: Any, href: Any) -> str:
    """The ``link`` filter: the text, exactly as written, linking to ``href`` where that is a
    web, mail or phone address."""
    return inline.link(str(value), str(href))


def yaml_scalar(value: Any) -> str:
    """Write any template value as a YAML flow scalar (JSON is valid YAML)."""
    if isinstance(value, RawYaml):
        return value
    if isinstance(value, jinja2.Undefined):
        return json.dumps(str(value))
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)
    if isinstance(value, list | tuple | dict):
        refuse_if_huge(text_size(value), "the text of a value")
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

    @property
    def trusted(self) -> bool:
        """Whether every template this library can load is one of pitchkit's own (no folder
        before the defaults holds a ``.j2`` file, or a link that could lead to one)."""
        defaults = default_templates_dir()
        return not any(_holds_templates(f) for f in self.search_path if f != defaults)

    def render(self, name: str, context: Mapping[str, Any], node_type: type[N]) -> N:
        """Render template ``name`` and validate its YAML output as ``node_type``.

        A workspace's or project's template (see :attr:`trusted`) is rendered in a child
        process under a memory limit and a clock (:func:`_in_worker`); pitchkit's own in this
        process, which is faster.
        """
        if self.trusted or not _CAN_FORK:
            text, source = self._render_text(name, context)
        else:
            where = str(self.find_file(name) or name)
            text, source = _in_worker(lambda: self._render_text(name, context), where)
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

    def _render_text(self, name: str, context: Mapping[str, Any]) -> tuple[str, str]:
        """The output of template ``name`` and the template's file; any problem while
        rendering is a TemplateProblem naming the template's file and line."""
        env = self.environment
        source = name
        try:
            template = env.get_template(name)
            source = template.filename or name
            with _deadline(MAX_SECONDS):
                return _bounded_render(template.generate(**context), source), source
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
            message = (exc.message or "undefined").replace("generator.content.model.", "")
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
        except TooBig as exc:
            where = _template_line(exc, name)
            raise TemplateProblem(f"{where}: refused: {exc}; {_fix_hint(where)}") from None
        except MemoryError as exc:
            where = _template_line(exc, source)
            raise TemplateProblem(_memory_message(where)) from None
        except TemplateProblem:
            raise
        except Exception as exc:  # any runtime error inside a template: say where
            where = _template_line(exc, name)
            raise TemplateProblem(
                f"{where}: {type(exc).__name__}: {exc}; {_fix_hint(where)}"
            ) from None


def _memory_message(where: str) -> str:
    return (
        f"{where}: rendering used more than {MAX_MEMORY_BYTES // 2**20} MB of memory and was "
        "stopped; look for a loop that builds ever larger texts or lists; " + _fix_hint(where)
    )


def _holds_templates(folder: Path) -> bool:
    for _root, dirs, files in os.walk(folder):
        if any(f.endswith(".j2") for f in files):
            return True
        if any(os.path.islink(os.path.join(_root, d)) for d in dirs):
            return True
    return False


_CAN_FORK = hasattr(os, "fork") and os.name == "posix"
_MAX_REPLY_BYTES = 64 * 2**20


def _in_worker(render: Callable[[], tuple[str, str]], where: str) -> tuple[str, str]:
    """``render()`` run in a forked child process: at most :data:`MAX_MEMORY_BYTES` more memory
    (``RLIMIT_AS``, Linux) and :data:`MAX_SECONDS` (SIGALRM in the child, and killed from here a
    little later if that did not stop it). The child sends back the text, or the problem as text
    (JSON); whatever a template does, it cannot touch this process's memory or outlive it.
    """
    from generator.pipeline.processes import die_with_parent

    parent = os.getpid()
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "multi-threaded, use of fork()"
        pid = os.fork()
    if pid == 0:  # the child: render, reply, end (never return into the caller's code)
        code = 0
        try:
            os.close(read_end)
            die_with_parent(parent)
            _limit_memory(MAX_MEMORY_BYTES)
            try:
                text, source = render()
                reply: dict[str, str] = {"text": text, "source": source}
            except TemplateProblem as exc:
                reply = {"problem": str(exc)}
            data = memoryview(json.dumps(reply).encode("ascii"))
            while data:
                data = data[os.write(write_end, data) :]
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    ended = False
    try:
        deadline = time.monotonic() + MAX_SECONDS + 3
        received = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or received > _MAX_REPLY_BYTES:
                break
            ready, _, _ = select.select([read_end], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                ended = True
                break
            chunks.append(chunk)
            received += len(chunk)
    finally:
        os.close(read_end)
        if not ended:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    try:
        reply = json.loads(b"".join(chunks)) if ended else {}
    except ValueError:
        reply = {}
    if "problem" in reply:
        raise TemplateProblem(reply["problem"])
    if "text" in reply:
        return reply["text"], reply["source"]
    if not ended:
        raise TemplateProblem(
            f"{where}: rendering took longer than {MAX_SECONDS:g} seconds and was stopped; look "
            f"for a loop that never ends or runs over far too much; {_fix_hint(where)}"
        )
    # No reply: the child died (killed, or memory ran out even for the reply).
    code = os.waitstatus_to_exitcode(status)
    how = f"signal {-code}" if code < 0 else f"exit status {code}"
    raise TemplateProblem(
        f"{where}: rendering stopped unexpectedly ({how}); it may have needed more than "
        f"{MAX_MEMORY_BYTES // 2**20} MB of memory; {_fix_hint(where)}"
    )


def _limit_memory(extra: int) -> None:
    """Limit this process's address space to what it holds now plus ``extra`` bytes (Linux;
    elsewhere the clock is the only limit)."""
    if resource is None:
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            now = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = now + extra if hard == resource.RLIM_INFINITY else min(hard, now + extra)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


@cache
def _environment(search_path: tuple[Path, ...]) -> SandboxedEnvironment:
    # One environment per search path and process: templates are parsed once, not per document.
    env = BoundedSandbox(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path]),
        undefined=jinja2.StrictUndefined,
        finalize=yaml_scalar,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        bytecode_cache=bytecode_cache(),
    )
    env.filters["raw"] = raw_yaml
    bound_filters(env)
    # Document text fields hold inline Markdown; content is never glued into Markdown but goes
    # through these, so that it is shown exactly as written (issue 15 item 14).
    env.filters["text"] = _plain_filter
    env.filters["bold"] = _bold_filter
    env.filters["italic"] = _italic_filter
    env.filters["link"] = _link_filter
    return env


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
