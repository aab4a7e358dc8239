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
import dataclasses
import datetime as dt
import difflib
import enum
import hashlib
import json
import math
import os
import re
import select
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePath
from types import FrameType, FunctionType, TracebackType
from typing import Any, NoReturn, TypeVar

import jinja2
import jinja2.bccache
import jinja2.filters
import jinja2.runtime
import jinja2.sandbox
import jinja2.utils
import yaml
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.environment import TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.nodes import Concat
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ValidationError

from generator.compose import inline
from generator.content import model
from generator.content.reader import dotted, parse_yaml, read_yaml
from generator.errors import TemplateProblem
from generator.resources import default_templates_dir

try:  # imported here, not in the forked child: an import there could wait on a lock forever
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

MAX_OUTPUT_CHARS = 2_000_000
MAX_SECONDS = 20.0
#: Memory a workspace template's rendering may take on top of what pitchkit already holds.
MAX_MEMORY_BYTES = 512 * 1024 * 1024

N = TypeVar("N", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])

_BIG_NUMBER_IN_FORMAT = re.compile(r"\d{7,}")  # a width like %999999999d or {:>999999999}
_NUMBER = re.compile(r"\d+")
_SIZED_STR_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}
_MAX_INT_BITS = 4000  # about 1200 digits: far more than any figure in a document


class _TooBig(Exception):
    """A single template operation would build a value larger than any document needs."""


class _Timeout(Exception):
    """Rendering ran longer than MAX_SECONDS (raised from the SIGALRM handler)."""


def _refuse_if_huge(size: float, what: str) -> None:
    if size > MAX_OUTPUT_CHARS:
        raise _TooBig(f"{what} would be larger than {MAX_OUTPUT_CHARS} characters")


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


def _text_size(value: Any, limit: int = MAX_OUTPUT_CHARS) -> int:
    """About how many characters ``value`` takes as text (``str()``, JSON), counted up to just
    past ``limit``: a list that holds one long text a thousand times prints it a thousand times."""
    if isinstance(value, str):
        return len(value)
    items: Iterable[Any]
    if isinstance(value, dict):
        items = (x for pair in value.items() for x in pair)
    elif isinstance(value, list | tuple | set | frozenset):
        items = value
    else:
        return 24  # a number, a date, None: short
    total = 2
    for item in items:
        total += _text_size(item, limit - total) + 2
        if total > limit:
            break
    return total


def _bounded_items(values: Iterable[Any], gap: int, what: str) -> list[Any]:
    """``values`` as a list, refused as soon as their text (with ``gap`` between) is too big."""
    items = []
    size = 0
    for item in values:
        size += _text_size(item) + gap
        _refuse_if_huge(size, what)
        items.append(item)
    return items


def _format_size(template: str, values: Iterable[Any]) -> int:
    """At most how long ``template`` is once formatted with ``values`` (``%`` and ``{}``)."""
    if _BIG_NUMBER_IN_FORMAT.search(template):
        raise _TooBig("a format with an enormous width")
    fields = template.count("{") + template.count("%")
    longest = max([0, *(_text_size(v) for v in values), *map(int, _NUMBER.findall(template))])
    return len(template) + fields * longest


def _replace_size(text: str, old: Any, new: Any, count: Any = None) -> int:
    if not isinstance(old, str) or not isinstance(new, str):
        return len(text)
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return len(text) + times * max(0, len(new) - len(old))


def _bounded_concat(parts: Iterable[str]) -> str:
    """``environment.concat``: joins the output of a macro, a ``{% set %}`` or ``{% filter %}``
    block and a block reference, refused when that would be larger than any document."""
    items = parts if isinstance(parts, list) else _bounded_items(parts, 0, "a block's output")
    _refuse_if_huge(sum(map(len, items)), "a block's output")
    return "".join(items)


def template_function(function: F) -> F:
    """Mark ``function`` (taking and returning plain values) as callable from templates."""
    function._template_function = True  # type: ignore[attr-defined]
    return function


# What a template may read of a value: read-only attributes and methods of plain values (texts,
# numbers, dates, mappings, sequences) and of Jinja's own loop, cycler, namespace and imported
# macro modules. Nothing starting with "_", nothing that changes a value (list.append,
# dict.update), nothing of any other object: the template context holds plain data only.
_STR_ATTRIBUTES = frozenset(n for n in dir(str) if not n.startswith("_"))
_NUMBER_ATTRIBUTES = frozenset(
    {"real", "imag", "numerator", "denominator", "is_integer", "bit_length", "conjugate"}
)
_DATE_ATTRIBUTES = frozenset(
    {
        *("year", "month", "day", "hour", "minute", "second", "microsecond"),
        *("weekday", "isoweekday", "isocalendar", "isoformat", "strftime", "replace"),
        *("date", "time", "toordinal", "days", "seconds", "microseconds", "total_seconds"),
    }
)
_MAPPING_ATTRIBUTES = frozenset({"keys", "items", "values", "get"})
_SEQUENCE_ATTRIBUTES = frozenset({"index", "count"})
_RANGE_ATTRIBUTES = frozenset({"start", "stop", "step", "index", "count"})
_LOOP_ATTRIBUTES = frozenset(
    {
        *("index", "index0", "revindex", "revindex0", "first", "last", "length"),
        *("depth", "depth0", "previtem", "nextitem", "changed", "cycle"),
    }
)
_CYCLER_ATTRIBUTES = frozenset({"next", "reset", "current", "items"})
_PLAIN = (str, bool, int, float, dt.date, dt.time, dt.timedelta, dict, list, tuple, range)
# Jinja's globals (range is the sandbox's, of at most 100000 numbers; lipsum is bounded here).
_CALLABLE_GLOBALS = (
    jinja2.sandbox.safe_range,
    dict,
    jinja2.utils.Cycler,
    jinja2.utils.Joiner,
    jinja2.utils.Namespace,
)
_CALLABLE_OBJECTS = (
    jinja2.runtime.Macro,
    jinja2.runtime.LoopContext,
    jinja2.runtime.BlockReference,
    jinja2.utils.Joiner,
)


def _allowed_attribute(obj: Any, name: str) -> bool:
    """Whether a template may read ``obj.name`` (see the policy above)."""
    if name.startswith("_"):
        return False
    if isinstance(obj, str):
        return name in _STR_ATTRIBUTES
    if isinstance(obj, bool | int | float):
        return name in _NUMBER_ATTRIBUTES
    if isinstance(obj, dt.date | dt.time | dt.timedelta):
        return name in _DATE_ATTRIBUTES
    if isinstance(obj, dict):
        return name in _MAPPING_ATTRIBUTES
    if isinstance(obj, list | tuple):
        return name in _SEQUENCE_ATTRIBUTES
    if isinstance(obj, range):
        return name in _RANGE_ATTRIBUTES
    if isinstance(obj, jinja2.runtime.LoopContext):
        return name in _LOOP_ATTRIBUTES
    if isinstance(obj, jinja2.utils.Cycler):
        return name in _CYCLER_ATTRIBUTES
    return isinstance(obj, jinja2.utils.Namespace | TemplateModule)


def _refuse(obj: Any, name: str) -> NoReturn:
    raise SecurityError(f"access to attribute {name!r} of {type(obj).__name__!r} object is unsafe.")


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with ``~`` going through ``environment.join_values`` (Jinja's own
    ``str_join`` cannot be bounded)."""

    @optimizeconst
    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            markup = "context.eval_ctx.volatile"
        else:
            markup = "True" if frame.eval_ctx.autoescape else "False"
        self.write(f"environment.join_values({markup}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _BoundedSandbox(SandboxedEnvironment):
    """The sandbox: plain values only (see :func:`_allowed_attribute`), and no single operation
    that builds a value larger than any document (``*``, ``~``, ``join``, ``format``, ...)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _BoundedCodeGenerator
    concat = staticmethod(_bounded_concat)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return _allowed_attribute(obj, attr)

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, (jinja2.Undefined, *_CALLABLE_OBJECTS)):
            return True  # calling an undefined name raises the usual "is undefined"
        if any(obj is g for g in _CALLABLE_GLOBALS):
            return True
        if type(obj) is FunctionType:
            return getattr(obj, "_template_function", False) is True
        owner = getattr(obj, "__self__", None)
        if owner is None or isinstance(owner, type):
            return False
        return _allowed_attribute(owner, getattr(obj, "__name__", "_"))

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        _refuse(obj, attribute)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]  # a key wins over a method: content.values is the content's
        if attribute.startswith("_"):
            _refuse(obj, attribute)
        if isinstance(obj, jinja2.Undefined):
            obj._fail_with_undefined_error()
        if _allowed_attribute(obj, attribute):
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                return self._missing(obj, attribute)
            wrapped = self.wrap_str_format(value)
            return wrapped if wrapped is not None else value
        if isinstance(obj, jinja2.runtime.TemplateReference):
            with contextlib.suppress(KeyError):
                return obj[attribute]  # self.blockname
        if isinstance(obj, _PLAIN) and not hasattr(obj, attribute):
            return self._missing(obj, attribute)
        _refuse(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, jinja2.Undefined):
            obj._fail_with_undefined_error()
        if isinstance(obj, _PLAIN):
            try:
                return obj[argument]  # type: ignore[index]
            except (TypeError, LookupError):
                if isinstance(argument, str):
                    return self.getattr(obj, argument)
                return self.undefined(obj=obj, name=argument)
        if isinstance(argument, str):
            return self.getattr(obj, argument)
        _refuse(obj, repr(argument))

    def _missing(self, obj: Any, name: str) -> jinja2.Undefined:
        kind = obj._kind if isinstance(obj, Record) else None
        if kind:
            hint = f"'{kind} object' has no attribute '{name}'"
            return self.undefined(hint=hint, obj=obj, name=name)
        return self.undefined(obj=obj, name=name)

    @staticmethod
    def join_values(markup: bool, values: tuple[Any, ...]) -> str:
        """``a ~ b``: refused when the result would be larger than any document."""
        _refuse_if_huge(sum(_text_size(v) for v in values), "joining texts with ~")
        join = jinja2.runtime.markup_join if markup else jinja2.runtime.str_join
        return join(values)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                size = _length(seq)
                if size is not None and isinstance(times, int):
                    _refuse_if_huge(size * times, "repeating a text or list")
            ints = isinstance(left, int) and isinstance(right, int)
            if ints and abs(left).bit_length() + abs(right).bit_length() > _MAX_INT_BITS:
                raise _TooBig("a number with more than 1000 digits")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if abs(left) > 1 and right * math.log10(abs(left)) > 100:
                raise _TooBig("a power with more than 100 digits")
        elif operator == "%" and isinstance(left, str):
            if isinstance(right, dict):
                values: tuple[Any, ...] = tuple(right.values())
            else:
                values = right if isinstance(right, tuple) else (right,)
            _refuse_if_huge(_format_size(left, values), "formatting a text")
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
            elif name == "replace" and len(args) >= 2:
                _refuse_if_huge(_replace_size(owner, *args[:3]), "replace()")
            elif name == "join" and len(args) == 1:
                args = (_bounded_items(args[0], len(owner), "join()"),)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # str.format is wrapped when the attribute is read, so it never reaches call().
        owner = getattr(value, "__self__", None)
        is_format = getattr(value, "__name__", "") in ("format", "format_map")
        if not (is_format and isinstance(owner, str)):
            return None
        if _BIG_NUMBER_IN_FORMAT.search(owner):
            raise _TooBig("a format with an enormous width")
        sandboxed = super().wrap_str_format(value)
        assert sandboxed is not None

        @template_function
        def bounded(*args: Any, **kwargs: Any) -> str:
            mapping = args[0].values() if args and isinstance(args[0], dict) else ()
            values = (*args, *mapping, *kwargs.values())
            _refuse_if_huge(_format_size(owner, values), "formatting a text")
            return sandboxed(*args, **kwargs)

        return bounded


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


def _checked_input(original: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that makes text of its value (``str()``), refused for a value too big as text."""
    pass_arg = getattr(original, "jinja_pass_arg", None)
    skip = 0 if pass_arg is None else 1

    def checked(*args: Any, **kwargs: Any) -> Any:
        if len(args) > skip:
            _refuse_if_huge(_text_size(args[skip]), "the text of a value")
        return original(*args, **kwargs)

    if pass_arg is not None:
        checked.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    return checked


def _text(value: Any) -> str:
    _refuse_if_huge(_text_size(value), "the text of a value")
    return str(value)


def _checked_format(value: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(value, str):
        _refuse_if_huge(_format_size(value, (*args, *kwargs.values())), "format()")
    return jinja2.filters.do_format(value, *args, **kwargs)


def _checked_indent(s: Any, width: Any = 4, first: bool = False, blank: bool = False) -> str:
    text = _text(s)
    step = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    _refuse_if_huge(len(text) + (text.count("\n") + 1) * max(0, step), "indent()")
    return jinja2.filters.do_indent(s, width, first, blank)


@jinja2.pass_environment
def _checked_wordwrap(
    environment: jinja2.Environment,
    s: Any,
    width: int = 79,
    break_long_words: bool = True,
    wrapstring: str | None = None,
    break_on_hyphens: bool = True,
) -> str:
    text = _text(s)
    wrap = wrapstring if isinstance(wrapstring, str) else environment.newline_sequence
    lines = len(text) // max(1, width if isinstance(width, int) else 1) + text.count("\n") + 1
    _refuse_if_huge(len(text) + lines * len(wrap), "wordwrap()")
    return jinja2.filters.do_wordwrap(
        environment, s, width, break_long_words, wrapstring, break_on_hyphens
    )


@jinja2.pass_eval_context
def _checked_replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: Any = None) -> str:
    _refuse_if_huge(_replace_size(_text(s), old, new, count), "replace()")
    return jinja2.filters.do_replace(eval_ctx, s, old, new, count)


@jinja2.pass_eval_context
def _bounded_join(eval_ctx: Any, value: Iterable[Any], d: Any = "", attribute: Any = None) -> str:
    if attribute is not None:
        value = map(jinja2.filters.make_attrgetter(eval_ctx.environment, attribute), value)
    items = _bounded_items(value, _text_size(d), "join")
    return jinja2.filters.sync_do_join(eval_ctx, items, d)


def _bounded_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return list(value)
    return _bounded_items(value, 0, "list")


@jinja2.pass_environment
def _checked_sum(
    environment: jinja2.Environment, iterable: Iterable[Any], attribute: Any = None, start: Any = 0
) -> Any:
    if attribute is not None:
        iterable = map(jinja2.filters.make_attrgetter(environment, attribute), iterable)
    items = list(iterable)
    _refuse_if_huge(sum(_length(x) or 0 for x in (start, *items)), "sum()")
    return sum(items, start)


@jinja2.pass_environment
def _sandboxed_attr(environment: jinja2.Environment, obj: Any, name: Any) -> Any:
    """The ``attr`` filter, under the same rules as ``obj.name``."""
    return environment.getattr(obj, str(name))


@template_function
def _bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if not all(isinstance(x, int) for x in (n, min, max)) or n > 100 or max > 1000:
        raise _TooBig("lipsum() of more than 100 paragraphs of 1000 words")
    return jinja2.utils.generate_lorem_ipsum(n, html, min, max)


# Filters that make text of their value, refused when that text would be too big.
_TEXT_FILTERS = (
    *("string", "pprint", "tojson", "e", "escape", "forceescape", "safe", "upper", "lower"),
    *("title", "capitalize", "trim", "striptags", "urlencode", "urlize", "truncate"),
    "wordcount",
)


def _bound_filters(env: jinja2.Environment) -> None:
    for name in _TEXT_FILTERS:
        env.filters[name] = _checked_input(env.filters[name])
    env.filters["center"] = _sized_filter(jinja2.filters.do_center, 0, "center")
    env.filters["batch"] = _sized_filter(jinja2.filters.do_batch, 0, "batch")
    env.filters["slice"] = _sized_filter(jinja2.filters.do_slice, 0, "slice")
    env.filters["indent"] = _checked_indent
    env.filters["wordwrap"] = _checked_wordwrap
    env.filters["replace"] = _checked_replace
    env.filters["format"] = _checked_format
    env.filters["join"] = _bounded_join
    env.filters["list"] = _bounded_list
    env.filters["sum"] = _checked_sum
    env.filters["attr"] = _sandboxed_attr
    env.globals["lipsum"] = _bounded_lipsum


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
        _refuse_if_huge(_text_size(value), "the text of a value")
        return json.dumps(value, ensure_ascii=False, default=str)
    return json.dumps(str(value), ensure_ascii=False)


class Record(dict[str, Any]):
    """A read-only mapping handed to templates, ``x.name`` reading its key ``name``.

    ``kind`` names what it was made from (``ProjectInfo``), for the did-you-mean of a misspelt
    field (kept as ``_kind``, which no template can read). Changing it is refused (the sandbox
    refuses the methods too).
    """

    __slots__ = ("_kind",)

    def __init__(self, items: Mapping[str, Any], kind: str = "") -> None:
        super().__init__(items)
        self._kind = kind

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("template values cannot be changed")

    __setitem__ = __delitem__ = __ior__ = _read_only
    update = pop = popitem = clear = setdefault = _read_only

    def __reduce__(self) -> Any:
        return (Record, (dict(self), self._kind))


class Items(list[Any]):
    """A read-only list handed to templates (a list, so that ``list + list`` still works)."""

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("template values cannot be changed")

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    append = extend = insert = pop = remove = clear = sort = reverse = _read_only

    def __reduce__(self) -> Any:
        return (Items, (list(self),))


def _properties(value: Any) -> dict[str, Any]:
    """The values of ``value``'s public properties (``figures.chart``): data a template reads."""
    names = {
        name
        for cls in type(value).__mro__
        if cls not in BaseModel.__mro__  # pydantic's own (model_extra, ...) are not data
        for name, attr in vars(cls).items()
        if isinstance(attr, property) and not name.startswith("_")
    }
    return {name: getattr(value, name) for name in sorted(names)}


def template_data(value: Any) -> Any:
    """``value`` as template data: pydantic models and dataclasses become :class:`Record` (their
    fields and public properties), lists :class:`Items`, tuples tuples of plain values; texts,
    numbers, dates and None stay; functions marked with :func:`template_function` stay.
    Anything else is a TypeError (a bug: an object with methods must never reach a template)."""
    if value is None or type(value) in (str, bool, int, float):
        return value
    if isinstance(value, BaseModel):
        fields = {name: getattr(value, name) for name in type(value).model_fields}
        fields.update(value.__pydantic_extra__ or {})
        fields.update(_properties(value))
        return Record({k: template_data(v) for k, v in fields.items()}, type(value).__name__)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        fields.update(_properties(value))
        return Record({k: template_data(v) for k, v in fields.items()}, type(value).__name__)
    if isinstance(value, Record):
        return value
    if isinstance(value, Mapping):
        return Record({template_data(k): template_data(v) for k, v in value.items()}, "dict")
    if isinstance(value, Items | tuple):
        return value if isinstance(value, Items) else tuple(template_data(v) for v in value)
    if isinstance(value, list):
        return Items(template_data(v) for v in value)
    if isinstance(value, enum.Enum):
        return template_data(value.value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int | float):
        return float(value) if isinstance(value, float) else int(value)
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return value
    if isinstance(value, PurePath):
        return str(value)
    if type(value) is FunctionType and getattr(value, "_template_function", False) is True:
        return value
    raise TypeError(f"not plain template data: {type(value).__name__}")


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
        except _TooBig as exc:
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
    _bound_filters(env)
    # Document text fields hold inline Markdown; content is never glued into Markdown but goes
    # through these, so that it is shown exactly as written (issue 15 item 14).
    env.filters["text"] = _plain_filter
    env.filters["bold"] = _bold_filter
    env.filters["italic"] = _italic_filter
    env.filters["link"] = _link_filter
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
    """Only a cache: an entry that cannot be read or written means compiling again, no error.

    Compiled code depends on this module (the bounded ``~``, which filters get a context), so
    an entry is keyed by this module's text too: code compiled by another pitchkit is not used.
    """

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{_code_version()}:{name}", filename)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@cache
def _code_version() -> str:
    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:16]


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
