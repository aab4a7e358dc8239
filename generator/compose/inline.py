"""Inline Markdown (bold, italic, links) -> runs, shared by the pptx and docx builders.

Contract: :func:`runs` returns the text split into :class:`Run` pieces whose texts joined give
the visible text; :func:`plain` gives that visible text alone (for titles, alt text, measuring).
Only links to web, mail and phone addresses (:func:`safe_link`) become links; any other link
stays text as written. :func:`links` lists every link written in a text, safe or not, for the
content check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@dataclass(frozen=True)
class Run:
    """A piece of text with one formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


SAFE_SCHEMES = ("https://", "http://", "mailto:", "tel:")
"""The only links a document may hold: anything else (smb:, file:, ms-msdt:, search-ms:, a UNC
path, a relative path) would open a file, a share or a program on the reader's machine, and
LibreOffice turns a relative one into a file:/// link to the build machine's output folder."""

_SAFE_LINK = re.compile(r"(?:https?://|mailto:|tel:)\S", re.IGNORECASE)


def safe_link(href: str) -> bool:
    """Whether ``href`` is a web (https, http), mail or phone link."""
    return _SAFE_LINK.match(href) is not None


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # on first use: `init` loads the model, never a parser

    md = MarkdownIt("zero").enable(["emphasis", "link", "escape", "backticks"])
    md.validateLink = safe_link  # type: ignore[method-assign,assignment]
    return md


@cache
def _link_finder() -> MarkdownIt:
    # Every link as written: no scheme refused, nothing percent-encoded.
    from markdown_it import MarkdownIt

    md = MarkdownIt("zero").enable(["emphasis", "link", "escape", "backticks"])
    md.validateLink = lambda href: True  # type: ignore[method-assign,assignment]
    md.normalizeLink = lambda href: href  # type: ignore[method-assign,assignment]
    return md


def links(text: str) -> list[str]:
    """The target of every Markdown link in ``text``, as written, whatever its scheme."""
    if "](" not in text:
        return []
    tokens = _link_finder().parseInline(text)
    children = tokens[0].children or [] if tokens else []
    return [str(t.attrs.get("href", "")) for t in children if t.type == "link_open"]


@cache
def runs(text: str) -> tuple[Run, ...]:
    """Split inline Markdown into runs; anything else is kept as written."""
    tokens = _parser().parseInline(text)
    out: list[Run] = []
    bold = italic = 0
    href: str | None = None
    for token in tokens[0].children or [] if tokens else []:
        kind = token.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            href = str(token.attrs.get("href", "")) or None
        elif kind == "link_close":
            href = None
        elif kind in ("text", "code_inline"):
            out.append(Run(token.content, bold > 0, italic > 0, href))
        elif kind in ("softbreak", "hardbreak"):
            out.append(Run("\n", bold > 0, italic > 0, href))
    merged: list[Run] = []
    for run in out:
        last = merged[-1] if merged else None
        if last and (last.bold, last.italic, last.href) == (run.bold, run.italic, run.href):
            merged[-1] = Run(last.text + run.text, run.bold, run.italic, run.href)
        elif run.text:
            merged.append(run)
    return tuple(merged)


def plain(text: str) -> str:
    """The visible text of inline Markdown."""
    return "".join(r.text for r in runs(text))


# The characters the parser above gives a meaning (emphasis, links, code, escapes). Keep this in
# step with _parser(): a rule enabled there needs its characters here.
_ACTIVE = re.compile(r"([\\*_\[\]`])")
_EDGES = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)


def escape(text: str) -> str:
    """Plain text as inline Markdown that renders exactly as written: ``runs(escape(t))`` is one
    unformatted run whose text is ``t``."""
    return _ACTIVE.sub(r"\\\1", text)


def emphasis(text: str, marker: str) -> str:
    """Plain text as one bold (``**``) or italic (``*``) span of inline Markdown, exactly as
    written. Spaces at either end stay outside the markers (Markdown emphasis cannot start or end
    with a space); blank text has nothing to emphasise."""
    found = _EDGES.match(text)
    assert found is not None  # the pattern matches any text
    before, inner, after = found.groups()
    if not inner:
        return text
    return f"{before}{marker}{escape(inner)}{marker}{after}"


def link(text: str, href: str) -> str:
    """Plain ``text`` as inline Markdown linking to ``href``; just the text when ``href`` is not
    a web, mail or phone address (:func:`safe_link`)."""
    href = href.strip()
    if not safe_link(href) or any(c in href for c in "<>\n"):
        return escape(text)
    if re.search(r"[\s()\\]", href):  # written in <...>, where only \ needs escaping
        return f"[{escape(text)}](<{href.replace(chr(92), chr(92) * 2)}>)"
    return f"[{escape(text)}]({href})"
