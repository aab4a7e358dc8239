"""Read a YAML file into plain data plus the line of every value.

Contract: :func:`read_yaml` returns a :class:`YamlDocument` (data, the 1-based line of every value
by path such as ``("benefits", 0, "title")``, and warnings), or raises :class:`ContentError` naming
file and line; it never lets a PyYAML exception or a RecursionError escape. It refuses what PyYAML
would silently accept or choke on: duplicate keys, aliases that expand enormously, nesting too deep
(checked while composing, so PyYAML never recurses deeply), text that is not UTF-8, tags PyYAML
cannot construct safely. Characters XML cannot hold, written raw in the file or as escapes such as
``"\\x1b"``, are removed with a warning naming the field; they never reach a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ContentError, Problem

Path_ = tuple[str | int, ...]

MAX_FILE_BYTES = 2_000_000
MAX_NODES = 100_000
MAX_DEPTH = 50
MAX_STRING = 20_000

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates and
# U+FFFE/U+FFFF; anything else would be written as a visible _x001B_ escape or break the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What PyYAML's reader refuses to see in a file at all (it raises without a line number). Such
# characters arrive by pasting from other programs; they are removed before parsing, like escapes.
_NOT_YAML = yaml.reader.Reader.NON_PRINTABLE
# Vertical tab and form feed are how Word marks a line or page break in pasted text: keep the
# words apart with a space instead of gluing them together.
_AS_SPACE = {"\x0b": " ", "\x0c": " "}
# Unicode's other line and paragraph breaks (NEL, LINE/PARAGRAPH SEPARATOR; YAML's \N, \L, \P
# escapes) become the newline every builder understands; text layout (raqm) fails on some.
_LINE_BREAKS = str.maketrans({"\x85": "\n", "\u2028": "\n", "\u2029": "\n"})


_PLAIN_COLLECTIONS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
_TAG_HINT = (
    "remove the '!...' before the value; pitchkit reads plain text, numbers, dates, lists and "
    "'key: value' blocks"
)


class _TooDeep(Exception):
    """Raised by the composer when nesting exceeds MAX_DEPTH (carries the line)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, counting depth while composing so deep nesting fails early."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


@dataclass
class YamlDocument:
    """What :func:`read_yaml` gives: the data, the line of every value, and warnings."""

    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def line_of(self, loc: Path_) -> int | None:
        """The line of ``loc``, or of its nearest parent that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


def dotted(loc: Path_) -> str:
    """``("benefits", 0, "title")`` -> ``benefits[0].title``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_yaml(path: Path) -> YamlDocument:
    """Load one YAML file strictly; raise ContentError with file and line on any problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problem = Problem(path, None, None, f"cannot read the file ({exc.strerror})")
        raise ContentError([problem]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ContentError(
            [Problem(path, None, None, f"the file is larger than {MAX_FILE_BYTES // 1000} kB")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(
            [
                Problem(
                    path,
                    line,
                    None,
                    "the file is not UTF-8 text",
                    "save it as UTF-8 (in most editors: Save As, encoding UTF-8)",
                )
            ]
        ) from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """Parse YAML text (see :func:`read_yaml`)."""
    text, removed = _remove_unreadable(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise ContentError([_syntax_problem(path, text, exc)]) from None
    except yaml.YAMLError as exc:
        raise ContentError([Problem(path, None, None, f"not valid YAML: {exc}")]) from None
    except _TooDeep as exc:
        raise ContentError([_too_deep(path, exc.line, None)]) from None
    except RecursionError:  # only if the interpreter's limit is below MAX_DEPTH frames
        raise ContentError([_too_deep(path, None, None)]) from None
    finally:
        loader.dispose()
    doc = YamlDocument(path, None)
    if node is None:
        doc.data = None
        return doc
    builder = _Builder(path, loader, doc)
    doc.data = builder.build(node, (), 0)
    if builder.problems:
        raise ContentError(builder.problems)
    for line, chars in sorted(removed.items()):
        loc = _loc_at(doc.lines, line)
        doc.warnings.append(_removed_warning(path, line, dotted(loc) or None, chars))
    return doc


def _remove_unreadable(text: str) -> tuple[str, dict[int, set[str]]]:
    """Text without the characters PyYAML refuses, and which were removed on which line."""
    removed: dict[int, set[str]] = {}
    if not _NOT_YAML.search(text):
        return text, removed
    out = []
    line = 1
    for char in text:
        if char == "\n":
            line += 1
        if _NOT_YAML.match(char):
            removed.setdefault(line, set()).add(char)
            out.append(_AS_SPACE.get(char, ""))
        else:
            out.append(char)
    return "".join(out), removed


def _loc_at(lines: dict[Path_, int], line: int) -> Path_:
    """The most specific value that starts on or before ``line`` (the one a character sits in)."""
    best: Path_ = ()
    best_line = 0
    for loc, start in lines.items():
        if start <= line and (start > best_line or (start == best_line and len(loc) > len(best))):
            best, best_line = loc, start
    return best


# YAML (like JSON) escapes a character beyond U+FFFF as two halves, "\\ud83d\\ude00" for 😀, and
# PyYAML decodes each half on its own: a pair is joined into the character it stands for.
_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _joined(pair: re.Match[str]) -> str:
    return pair.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le")


def _removed_warning(path: Path, line: int | None, field: str | None, chars: set[str]) -> Problem:
    codes = ", ".join(f"U+{ord(c):04X}" for c in sorted(chars))
    if all("\ud800" <= c <= "\udfff" for c in chars):
        return Problem(
            path,
            line,
            field,
            f"removed half of an escaped character ({codes}) whose other half is missing",
            'write the character itself (e.g. 😀), or both halves of its escape ("\\ud83d\\ude00")',
        )
    return Problem(
        path,
        line,
        field,
        f"removed invisible control characters ({codes}) that documents cannot hold",
        "they usually come from pasting text from another program; check the text reads well",
    )


def _short_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/object`` -> ``!!python/object``, as the user wrote it."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def _too_deep(path: Path, line: int | None, field: str | None) -> Problem:
    return Problem(
        path,
        line,
        field,
        f"nested more than {MAX_DEPTH} levels deep",
        "flatten the structure; pitchkit's content is never nested this deeply",
    )


# PyYAML's words for the usual mistakes, and what the user should do about each.
_SYNTAX_HINTS: tuple[tuple[str, str], ...] = (
    (
        "mapping values are not allowed",
        "put text that contains ': ' in quotes, e.g. title: \"Slim: licht\"; otherwise check "
        "the indentation",
    ),
    ("cannot start any token", "a text cannot start with this character: put the text in quotes"),
    ("expected <block end>", "check the indentation: fields of one block start in the same column"),
    ("while parsing a flow", "a '[' or '{' is not closed; close it on the same line"),
    ("found undefined alias", "remove the '*' before the name, or put the text in quotes"),
    ("duplicate anchor", "give each '&name' a different name, or remove the '&'"),
    ("expected a single document", "remove the '---' line: one file holds one project"),
    ("could not find expected ':'", "every line of a block needs 'key: value'"),
)


def _syntax_problem(path: Path, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    if exc.context and "quoted scalar" in exc.context and exc.context_mark is not None:
        # PyYAML reports the end of the file; the user needs the line where the quote opened.
        return Problem(
            path,
            exc.context_mark.line + 1,
            None,
            "not valid YAML: a quote that starts on this line is never closed",
            "end the text with the same quote mark (\" or ')",
        )
    message = f"not valid YAML: {exc.problem or exc.context}"
    hint = "check the indentation and that every 'key: value' has a space after the colon"
    found = f"{exc.problem} {exc.context}"
    for words, advice in _SYNTAX_HINTS:
        if words in found:
            hint = advice
            break
    if line is not None:
        source_line = text.splitlines()[line - 1] if line <= len(text.splitlines()) else ""
        if "\t" in source_line:
            hint = "YAML does not allow tabs for indentation: use spaces"
    return Problem(path, line, None, message, hint)


class _Builder:
    """Turn a composed node tree into data, recording lines and refusing dangerous shapes."""

    def __init__(self, path: Path, loader: yaml.SafeLoader, doc: YamlDocument) -> None:
        self.path = path
        self.loader = loader
        self.doc = doc
        self.nodes = 0
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, loc: Path_, depth: int) -> Any:
        self.nodes += 1
        line = node.start_mark.line + 1
        self.doc.lines.setdefault(loc, line)
        if self.nodes > MAX_NODES:
            # Aliases re-use nodes, so a few lines can stand for billions of values: stop early,
            # naming the top-level field being expanded (the line of an alias target is useless).
            top = loc[:1]
            raise ContentError(
                [
                    Problem(
                        self.path,
                        self.doc.lines.get(top, line),
                        dotted(top) or None,
                        f"the file expands to more than {MAX_NODES} values",
                        "do not use YAML anchors and aliases (&name, *name) to repeat blocks",
                    )
                ]
            )
        if depth > MAX_DEPTH:
            # Only reachable through an alias that refers to its own parent (`&a [*a]`).
            raise ContentError([_too_deep(self.path, line, dotted(loc[:2]) or None)])
        if isinstance(node, yaml.CollectionNode) and node.tag not in _PLAIN_COLLECTIONS:
            # A tag on a list or block (!!python/object/apply, !!set): never constructed.
            self.problems.append(
                Problem(
                    self.path,
                    line,
                    dotted(loc) or None,
                    f"the YAML tag '{_short_tag(node.tag)}' is not allowed",
                    _TAG_HINT,
                )
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node, loc, line)

    def _mapping(self, node: yaml.MappingNode, loc: Path_, depth: int) -> dict[Any, Any]:
        self.loader.flatten_mapping(node)  # resolves '<<' merge keys like PyYAML does
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node, loc, key_node.start_mark.line + 1)
            if not isinstance(key, str | int | bool | float) or key is None:
                self.problems.append(
                    Problem(
                        self.path,
                        key_node.start_mark.line + 1,
                        dotted(loc) or None,
                        "a key must be a plain word",
                    )
                )
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                first = self.doc.lines.get((*loc, key))
                self.problems.append(
                    Problem(
                        self.path,
                        key_node.start_mark.line + 1,
                        dotted((*loc, key)),
                        f"'{key}' appears twice (first on line {first})",
                        "merge the two blocks into one; the second would replace the first",
                    )
                )
                continue
            child = (*loc, key)
            self.doc.lines[child] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def _scalar(self, node: yaml.Node, loc: Path_, line: int) -> Any:
        field = dotted(loc) or None
        try:
            value = self.loader.construct_object(node, deep=False)
        except yaml.constructor.ConstructorError as exc:
            # Tags such as !!python/object: never constructed (SafeLoader) and never guessed at.
            unknown_tag = "constructor for the tag" in str(exc.problem)
            self.problems.append(
                Problem(
                    self.path,
                    line,
                    field,
                    f"the YAML tag '{_short_tag(node.tag)}' is not allowed"
                    if unknown_tag
                    else f"not valid YAML: {exc.problem}",
                    _TAG_HINT if unknown_tag else None,
                )
            )
            return None
        except (ValueError, OverflowError):
            # PyYAML recognises 2027-13-45 as a date by its shape, then fails to construct it.
            self.problems.append(
                Problem(
                    self.path,
                    line,
                    field,
                    f"'{node.value}' is not a valid date",
                    "write a date as YYYY-MM-DD, e.g. 2027-03-11, or put text in quotes",
                )
            )
            return None
        if isinstance(value, bytes):
            self.problems.append(
                Problem(
                    self.path,
                    line,
                    field,
                    "binary data (!!binary) cannot be shown in a document",
                    "write text; put images in the project folder and list them under images",
                )
            )
            return None
        if isinstance(value, str):
            value = _SURROGATE_PAIR.sub(_joined, value.translate(_LINE_BREAKS))
            cleaned = _NOT_XML.sub(lambda m: _AS_SPACE.get(m.group(), ""), value)
            if cleaned != value:
                chars = set(_NOT_XML.findall(value))
                self.doc.warnings.append(_removed_warning(self.path, line, field, chars))
                value = cleaned
            if len(value) > MAX_STRING:
                self.problems.append(
                    Problem(
                        self.path,
                        line,
                        dotted(loc) or None,
                        f"text of {len(value)} characters is too long (at most {MAX_STRING})",
                        "shorten it; a slide or handout cannot show this much",
                    )
                )
        return value
