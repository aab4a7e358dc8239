"""Progress while building, and the short table every build ends with.

Contract: a :class:`Reporter` is the ``progress`` callback of :func:`generator.pipeline.build.build`
(and of check, preview and watch). On an interactive terminal it shows a rich progress bar (steps
done of the total announced with :meth:`Reporter.expect`); anywhere else (CI, pipes, files) it
prints each message as a plain line, so logs stay readable. :func:`summary_table` is the closing
table: every document written, its pages where known, and its warnings.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.table import Table


def stderr_console() -> Console:
    """The console progress goes to (stderr, so stdout stays the tables and results)."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def is_interactive(console: Console) -> bool:
    """A terminal a person watches: rich's own test, and not a CI log unless forced."""
    if os.environ.get("TTY_INTERACTIVE") not in (None, ""):
        return console.is_interactive
    if os.environ.get("CI"):
        return False
    return console.is_interactive


class Reporter:
    """A progress callback: a bar on a terminal, plain lines elsewhere (see the module contract).

    Use as a context manager around the work; call :meth:`expect` once the number of steps is
    known, and the reporter itself with a message per step.
    """

    def __init__(self, console: Console | None = None, *, bar: bool | None = None) -> None:
        self.console = console or stderr_console()
        self.bar = is_interactive(self.console) if bar is None else bar
        self.steps = 0
        self.total: int | None = None
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Reporter:
        if self.bar:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}", style="bold"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[step]}", style="dim"),
                console=self.console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("pitchkit", total=self.total, step="")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def expect(self, total: int) -> None:
        """Announce how many steps (messages) the work will report."""
        self.total = total
        if self._progress is not None:
            self._progress.update(self._task, total=total)

    def __call__(self, message: str) -> None:
        """One step done: advance the bar, or print the message as a line."""
        self.steps += 1
        if self._progress is None:
            self.console.print(message, markup=False, highlight=False)
            return
        if self.total is not None and self.steps > self.total:
            # More steps than announced (a builder said more): grow rather than overflow.
            self.total = self.steps
            self._progress.update(self._task, total=self.total)
        self._progress.update(self._task, advance=1, step=message)


def pptx_slide_count(data: bytes) -> int | None:
    """Slides in a .pptx, from its zip listing (no parsing)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return sum(
                1 for n in z.namelist() if n.startswith("ppt/slides/slide") and n.endswith(".xml")
            )
    except zipfile.BadZipFile:
        return None


def document_pages(document: Any) -> int | None:
    """Pages of a built document where known: slides of a deck, the counted pages otherwise."""
    if getattr(document, "pages", None) is not None:
        return int(document.pages)
    if document.path.suffix == ".pptx":
        return pptx_slide_count(document.data)
    return None


def summary_table(
    documents: Iterable[Any],
    pdfs: Iterable[Path] = (),
    out: Path | None = None,
    title: str = "pitchkit build",
) -> tuple[Table, str]:
    """The closing table (document, pages, warnings) and a one-line total.

    ``documents`` are :class:`generator.pipeline.build.Document` rows; ``pdfs`` the PDFs written,
    whose pages are counted. Files are shown by name (they start with the project's name); the total
    names the output folder ``out``.
    """
    table = Table(title=title, title_justify="left")
    table.add_column("document", overflow="fold")
    table.add_column("pages", justify="right")
    table.add_column("warnings", justify="right")
    count = warnings = 0
    handout_pages: dict[Path, int] = {}
    pdf_rows = []
    for pdf in pdfs:
        from generator.export.pdf import (
            pdf_page_count,  # pypdf costs 40 ms to import: only when there are PDFs
        )

        try:
            pages: int | None = pdf_page_count(pdf)
        except Exception:  # a PDF that vanished since: its page count is unknown
            pages = None
        if pages is not None:
            handout_pages[pdf.with_suffix("")] = pages
        pdf_rows.append((pdf, pages))
    for d in documents:
        count += 1
        warnings += len(d.warnings)
        pages = document_pages(d)
        if pages is None:
            pages = handout_pages.get(d.path.with_suffix(""))
        table.add_row(
            d.path.name,
            "" if pages is None else str(pages),
            str(len(d.warnings)) if d.warnings else "",
        )
    for pdf, pages in pdf_rows:
        count += 1
        table.add_row(pdf.name, "" if pages is None else str(pages), "")
    where = f" to {out}" if out is not None else ""
    total = f"{count} document(s) written{where}, {warnings} warning(s)"
    return table, total
