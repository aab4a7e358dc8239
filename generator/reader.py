"""Read a YAML file into plain data plus the line of every value.

Contract: :func:`read_yaml` returns ``(data, lines, warnings)`` where ``lines`` maps a path such as
``("benefits", 0, "title")`` to its 1-based line, or raises :class:`ContentError` naming file and
line. It refuses what PyYAML would silently accept: duplicate keys, aliases that expand enormously,
nesting too deep, text that is not UTF-8. Characters XML cannot hold are removed with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError, Problem

Path_ = tuple[str | int, ...]

MAX_FILE_BYTES = 2_000_000
MAX_NODES = 100_000
MAX_DEPTH = 50
MAX_STRING = 20_000

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates and
# U+FFFE/U+FFFF; anything else would be written as a visible _x001B_ escape or break the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise ContentError([_syntax_problem(path, text, exc)]) from None
    except yaml.YAMLError as exc:
        raise ContentError([Problem(path, None, None, f"not valid YAML: {exc}")]) from None
    except RecursionError:
        raise ContentError(
            [Problem(path, None, None, "the YAML is nested too deeply", "flatten the structure")]
        ) from None
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
    return doc


def _syntax_problem(path: Path, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    message = f"not valid YAML: {exc.problem or exc.context}"
    hint = "check the indentation and that every 'key: value' has a space after the colon"
    if line is not None:
        source_line = text.splitlines()[line - 1] if line <= len(text.splitlines()) else ""
        if "\t" in source_line:
            hint = "YAML does not allow tabs for indentation: use spaces"
        elif source_line.count('"') % 2 == 1 or source_line.count("'") % 2 == 1:
            hint = "a quote is not closed on this line"
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
            # Aliases re-use nodes, so a few lines can stand for billions of values: stop early.
            raise ContentError(
                [
                    Problem(
                        self.path,
                        line,
                        dotted(loc) or None,
                        f"the file expands to more than {MAX_NODES} values",
                        "do not use YAML anchors and aliases (&name, *name) to repeat blocks",
                    )
                ]
            )
        if depth > MAX_DEPTH:
            raise ContentError(
                [
                    Problem(
                        self.path,
                        line,
                        dotted(loc) or None,
                        f"nested more than {MAX_DEPTH} levels deep",
                        "flatten the structure",
                    )
                ]
            )
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
        value = self.loader.construct_object(node, deep=False)
        if isinstance(value, str):
            cleaned = _NOT_XML.sub("", value)
            if cleaned != value:
                self.doc.warnings.append(
                    Problem(
                        self.path,
                        line,
                        dotted(loc) or None,
                        "removed characters that documents cannot hold (control characters)",
                    )
                )
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
