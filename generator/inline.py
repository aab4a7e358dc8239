"""Inline Markdown (bold, italic, links) -> runs, shared by the pptx and docx builders.

Contract: :func:`runs` returns the text split into :class:`Run` pieces whose texts joined give
the visible text; :func:`plain` gives that visible text alone (for titles, alt text, measuring).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt


@dataclass(frozen=True)
class Run:
    """A piece of text with one formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("zero").enable(["emphasis", "link", "escape", "backticks"])


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
