"""The template sandbox: what a template may read and call, and how big a value it may build.

Contract: a template sees plain, read-only data only (:func:`template_data` makes it: texts,
numbers, dates, :class:`Record` and :class:`Items`; a function only when marked with
:func:`template_function`); of those it may read the attributes and methods the policy below
lists, nothing starting with ``_`` and nothing that changes a value. :class:`BoundedSandbox`
refuses, with :class:`TooBig`, any single operation that would build a value larger than any
document needs (``"x" * 10**9``, ``10 ** 10 ** 9``, ``"%999999999d"``, ``center(10**9)``, ``~``,
``join``, ``format``, ...) before it runs; :func:`bound_filters` puts the same bounds on Jinja's
filters. The clock, the memory limit and the error messages are the renderer's
(:mod:`generator.compose.templating`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import math
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePath
from types import FunctionType
from typing import Any, NoReturn, TypeVar

import jinja2
import jinja2.filters
import jinja2.runtime
import jinja2.sandbox
import jinja2.utils
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.environment import TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.nodes import Concat
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

#: The most characters a rendering, or any single value built in it, may hold.
MAX_OUTPUT_CHARS = 2_000_000

F = TypeVar("F", bound=Callable[..., Any])

_BIG_NUMBER_IN_FORMAT = re.compile(r"\d{7,}")  # a width like %999999999d or {:>999999999}
_NUMBER = re.compile(r"\d+")
_SIZED_STR_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}
_MAX_INT_BITS = 4000  # about 1200 digits: far more than any figure in a document


class TooBig(Exception):
    """A single template operation would build a value larger than any document needs."""


def refuse_if_huge(size: float, what: str) -> None:
    """Raise :class:`TooBig` naming ``what`` when ``size`` (characters) is over the bound."""
    if size > MAX_OUTPUT_CHARS:
        raise TooBig(f"{what} would be larger than {MAX_OUTPUT_CHARS} characters")


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


def text_size(value: Any, limit: int = MAX_OUTPUT_CHARS) -> int:
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
        total += text_size(item, limit - total) + 2
        if total > limit:
            break
    return total


def _bounded_items(values: Iterable[Any], gap: int, what: str) -> list[Any]:
    """``values`` as a list, refused as soon as their text (with ``gap`` between) is too big."""
    items = []
    size = 0
    for item in values:
        size += text_size(item) + gap
        refuse_if_huge(size, what)
        items.append(item)
    return items


def _format_size(template: str, values: Iterable[Any]) -> int:
    """At most how long ``template`` is once formatted with ``values`` (``%`` and ``{}``)."""
    if _BIG_NUMBER_IN_FORMAT.search(template):
        raise TooBig("a format with an enormous width")
    fields = template.count("{") + template.count("%")
    longest = max([0, *(text_size(v) for v in values), *map(int, _NUMBER.findall(template))])
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
    refuse_if_huge(sum(map(len, items)), "a block's output")
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


class BoundedSandbox(SandboxedEnvironment):
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
        refuse_if_huge(sum(text_size(v) for v in values), "joining texts with ~")
        join = jinja2.runtime.markup_join if markup else jinja2.runtime.str_join
        return join(values)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                size = _length(seq)
                if size is not None and isinstance(times, int):
                    refuse_if_huge(size * times, "repeating a text or list")
            ints = isinstance(left, int) and isinstance(right, int)
            if ints and abs(left).bit_length() + abs(right).bit_length() > _MAX_INT_BITS:
                raise TooBig("a number with more than 1000 digits")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if abs(left) > 1 and right * math.log10(abs(left)) > 100:
                raise TooBig("a power with more than 100 digits")
        elif operator == "%" and isinstance(left, str):
            if isinstance(right, dict):
                values: tuple[Any, ...] = tuple(right.values())
            else:
                values = right if isinstance(right, tuple) else (right,)
            refuse_if_huge(_format_size(left, values), "formatting a text")
        elif operator == "+":
            a, b = _length(left), _length(right)
            if a is not None and b is not None:
                refuse_if_huge(a + b, "joining texts or lists")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _SIZED_STR_METHODS:
                for arg in (*args, *kwargs.values()):
                    if isinstance(arg, int):
                        refuse_if_huge(arg, f"{name}()")
            elif name == "replace" and len(args) >= 2:
                refuse_if_huge(_replace_size(owner, *args[:3]), "replace()")
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
            raise TooBig("a format with an enormous width")
        sandboxed = super().wrap_str_format(value)
        assert sandboxed is not None

        @template_function
        def bounded(*args: Any, **kwargs: Any) -> str:
            mapping = args[0].values() if args and isinstance(args[0], dict) else ()
            values = (*args, *mapping, *kwargs.values())
            refuse_if_huge(_format_size(owner, values), "formatting a text")
            return sandboxed(*args, **kwargs)

        return bounded


def _sized_filter(original: Callable[..., Any], position: int, what: str) -> Callable[..., Any]:
    """``original`` with its size argument (``position`` after the value) checked first."""

    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        size = args[position] if len(args) > position else None
        if isinstance(size, int):
            refuse_if_huge(size, what)
        if isinstance(size, str):
            refuse_if_huge(len(size), what)
        return original(value, *args, **kwargs)

    return checked


def _checked_input(original: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that makes text of its value (``str()``), refused for a value too big as text."""
    pass_arg = getattr(original, "jinja_pass_arg", None)
    skip = 0 if pass_arg is None else 1

    def checked(*args: Any, **kwargs: Any) -> Any:
        if len(args) > skip:
            refuse_if_huge(text_size(args[skip]), "the text of a value")
        return original(*args, **kwargs)

    if pass_arg is not None:
        checked.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    return checked


def _text(value: Any) -> str:
    refuse_if_huge(text_size(value), "the text of a value")
    return str(value)


def _checked_format(value: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(value, str):
        refuse_if_huge(_format_size(value, (*args, *kwargs.values())), "format()")
    return jinja2.filters.do_format(value, *args, **kwargs)


def _checked_indent(s: Any, width: Any = 4, first: bool = False, blank: bool = False) -> str:
    text = _text(s)
    step = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    refuse_if_huge(len(text) + (text.count("\n") + 1) * max(0, step), "indent()")
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
    refuse_if_huge(len(text) + lines * len(wrap), "wordwrap()")
    return jinja2.filters.do_wordwrap(
        environment, s, width, break_long_words, wrapstring, break_on_hyphens
    )


@jinja2.pass_eval_context
def _checked_replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: Any = None) -> str:
    refuse_if_huge(_replace_size(_text(s), old, new, count), "replace()")
    return jinja2.filters.do_replace(eval_ctx, s, old, new, count)


@jinja2.pass_eval_context
def _bounded_join(eval_ctx: Any, value: Iterable[Any], d: Any = "", attribute: Any = None) -> str:
    if attribute is not None:
        value = map(jinja2.filters.make_attrgetter(eval_ctx.environment, attribute), value)
    items = _bounded_items(value, text_size(d), "join")
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
    refuse_if_huge(sum(_length(x) or 0 for x in (start, *items)), "sum()")
    return sum(items, start)


@jinja2.pass_environment
def _sandboxed_attr(environment: jinja2.Environment, obj: Any, name: Any) -> Any:
    """The ``attr`` filter, under the same rules as ``obj.name``."""
    return environment.getattr(obj, str(name))


@template_function
def _bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if not all(isinstance(x, int) for x in (n, min, max)) or n > 100 or max > 1000:
        raise TooBig("lipsum() of more than 100 paragraphs of 1000 words")
    return jinja2.utils.generate_lorem_ipsum(n, html, min, max)


# Filters that make text of their value, refused when that text would be too big.
_TEXT_FILTERS = (
    *("string", "pprint", "tojson", "e", "escape", "forceescape", "safe", "upper", "lower"),
    *("title", "capitalize", "trim", "striptags", "urlencode", "urlize", "truncate"),
    "wordcount",
)


def bound_filters(env: jinja2.Environment) -> None:
    """Replace ``env``'s filters (and ``lipsum``) that could build an enormous value."""
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
