"""One error hierarchy for everything a user can get wrong.

Every error pitchkit raises on purpose is a :class:`PitchkitError`; the CLI prints its message and
exits with status 1, without a traceback (``--debug`` shows one). Content and template problems are
collected as :class:`Problem` rows and reported together, like MkDocs' ``load_config``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a user's file, located as precisely as known."""

    file: Path | None
    line: int | None
    field: str | None
    message: str
    hint: str | None = None

    def location(self, root: Path | None = None) -> str:
        """``file:line`` relative to ``root`` when possible, for editors that jump to it."""
        if self.file is None:
            return ""
        shown = self.file
        if root is not None:
            try:
                shown = self.file.resolve().relative_to(root.resolve())
            except ValueError:
                shown = self.file
        return f"{shown}:{self.line}" if self.line else str(shown)

    def render(self, root: Path | None = None) -> str:
        """One line: ``file:line: field: message; hint``."""
        parts = [p for p in (self.location(root), self.field) if p]
        text = ": ".join([*parts, self.message])
        return f"{text}; {self.hint}" if self.hint else text


class PitchkitError(Exception):
    """Base of every error meant for the user; its message says what to do."""


class ContentError(PitchkitError):
    """The content (YAML, Markdown, images) has one or more problems; nothing was written."""

    def __init__(self, problems: Iterable[Problem], root: Path | None = None) -> None:
        self.problems = list(problems)
        self.root = root
        super().__init__(self._message())

    def _message(self) -> str:
        count = len(self.problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        lines = [f"{head} in the content; nothing was built:"]
        lines += [f"  {p.render(self.root)}" for p in self.problems]
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in a build worker and pickled back: rebuilt from its problems (the default
        # would call ContentError(message) and lose them).
        return (type(self), (self.problems, self.root))


class TextTooLong(PitchkitError):
    """A text that does not fit its box on a slide even at the smallest size allowed there.

    Text is never cut nor written smaller: the deck builder raises this, and the build turns it
    into a :class:`ContentError` naming the content field (file, line) the text comes from.
    ``words`` is about how many of the text's words would fit.
    """

    def __init__(
        self, text: str, what: str, size: float, words: int, slide: int, title: str
    ) -> None:
        self.text, self.what, self.size, self.words = text, what, size, words
        self.slide, self.title = slide, title
        super().__init__(
            f"slide {slide} '{title[:60]}': {what} does not fit on the slide even at "
            f"{size:g} pt; {self.hint()}"
        )

    def hint(self) -> str:
        """What to do: shorten the text to about ``words`` words."""
        if self.words <= 0:
            return "shorten the texts on this slide"
        return f"shorten it to about {self.words} word{'s' if self.words != 1 else ''}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.text, self.what, self.size, self.words, self.slide, self.title))


class TemplateProblem(PitchkitError):
    """A template or theme could not be found, parsed or rendered."""


class BuildError(PitchkitError):
    """Writing the documents failed (output folder, lock, LibreOffice)."""


class PreviewError(BuildError):
    """The preview pictures could not be made (pdftoppm missing or failing)."""


class PdfExportError(BuildError):
    """The PDF export failed.

    The message is meant for the person running pitchkit, not for a
    programmer: it says what went wrong, which documents are affected and
    what to do about it. A :class:`BuildError`, so the CLI reports it like
    any other build failure.
    """


class TemplateError(PitchkitError):
    """A template cannot be used; the message names the file, the problem and what to do."""


class ThemeNotFound(PitchkitError):
    """No theme by that name or path; the message lists the places searched."""

    def __init__(self, name: str, searched: list[Path], known: list[str]) -> None:
        self.searched = searched
        self.known = known
        lines = "\n  ".join(str(p) for p in searched)
        super().__init__(
            f"theme '{name}' not found; known themes: {', '.join(known)}\nsearched:\n  {lines}"
        )


class TokensError(PitchkitError):
    """The tokens file cannot be used; the message names the file and what to do."""

    @classmethod
    def at(cls, path: Path, problems: Sequence[tuple[str, str]]) -> TokensError:
        """One error for every ``(token path, message)``, each as ``file:token: message``."""
        head = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        lines = [f"{head} in the design tokens; nothing was written:"]
        lines += [f"  {path}:{token}: {message}" for token, message in problems[:20]]
        if len(problems) > 20:
            lines.append(f"  ... and {len(problems) - 20} more")
        return cls("\n".join(lines))


class PackageError(TemplateProblem):
    """A theme file cannot be used as a template; the message names the file and why."""
