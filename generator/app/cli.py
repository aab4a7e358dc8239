"""The ``pitchkit`` command line: a thin click layer over the library.

Contract: exit status 0 on success, 1 on a content, template or build error (the message names
file, line and field; no traceback unless ``--debug``), 2 on a usage error. Heavy libraries are
imported inside the commands, so ``pitchkit --help`` starts fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

PATH_HELP = "a workspace (with content/), a content folder or a project folder; default: here"


# Shared by every command that takes a workspace: PATH and where the documents go.
_path_argument = click.argument(
    "path", type=click.Path(exists=True, path_type=Path), default=".", required=False
)
_output_option = click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: output/ in the workspace).",
)


class _State:
    debug = False


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn pitchkit's own errors into a message and exit 1; tracebacks only with --debug."""
    from generator.errors import PitchkitError

    try:
        yield
    except PitchkitError as exc:
        if _State.debug:
            raise
        raise click.ClickException(str(exc)) from None
    except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        if _State.debug:
            raise
        raise click.ClickException(
            f"unexpected problem: {type(exc).__name__}: {exc}\n"
            "Nothing was half-written. Run again with --debug to see the details, and report it."
        ) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pitchkit")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def cli(debug: bool) -> None:
    """pitchkit: a pitch deck and a one-page handout per audience, from your project's content.

    Edit the YAML files in content/, run `pitchkit build`, and open the results in output/.
    """
    _State.debug = debug


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Language of the example project and the audience groups.",
)
def init(directory: Path, lang: str) -> None:
    """Create a new workspace DIRECTORY with a worked example to edit."""
    from generator.content.scaffold import init_workspace

    with _user_errors():
        written = init_workspace(directory, lang)
    click.echo(f"Created {directory} with {len(written)} files. Next:")
    click.echo(f"  cd {directory}")
    click.echo("  pitchkit build")


def _jobs_default() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@cli.command()
@_path_argument
@_output_option
@click.option(
    "-a",
    "--audience",
    "audiences",
    multiple=True,
    help="Build only for this audience group (repeatable).",
)
@click.option("--pdf", is_flag=True, help="Also write a PDF of every document (needs LibreOffice).")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: the number of cores, at most 4).",
)
def build(
    path: Path, out: Path | None, audiences: tuple[str, ...], pdf: bool, jobs: int | None
) -> None:
    """Build the decks and handouts for every project and audience under PATH."""
    from generator.app.progress import Reporter
    from generator.pipeline.build import build as run_build

    with _user_errors(), Reporter() as reporter:
        report = run_build(
            path,
            out=out,
            audiences=audiences or None,
            pdf=pdf,
            jobs=jobs or _jobs_default(),
            progress=reporter,
            expect=reporter.expect,
        )
    _print_warnings([w.render(path.resolve()) for w in report.warnings])
    for d in report.documents:
        _print_warnings([f"{d.path.name}: {w}" for w in d.warnings])
    _print_summary(report, out)


@cli.command()
@_path_argument
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit status 1).")
@click.option(
    "--no-pages",
    is_flag=True,
    help="Do not count the handout pages with LibreOffice (faster).",
)
def check(path: Path, strict: bool, no_pages: bool) -> None:
    """Validate content and templates, build every document in memory and check it; write nothing.

    Checks accessibility (alt text, slide titles, table headers, reading order, headings,
    language, link text), colour contrast (WCAG 2.1 AA) and fit (text that runs out of its box,
    a handout longer than one page). Errors give exit status 1; warnings do with --strict.
    """
    from generator.app.progress import Reporter
    from generator.checks.check import check_workspace

    with _user_errors(), Reporter() as reporter:
        result = check_workspace(path, pages=not no_pages, progress=reporter)
    _print_check(result)
    if result.errors or (strict and result.warnings):
        problems = f"{len(result.errors)} error(s)"
        if strict and result.warnings:
            problems += f" and {len(result.warnings)} warning(s) (--strict)"
        raise click.ClickException(f"{problems} found; see above")


def _print_check(result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    for finding in result.errors:
        click.secho(f"error: {finding.render()}", fg="red")
    for finding in result.warnings:
        click.secho(f"warning: {finding.render()}", fg="yellow")
    table = Table(title="pitchkit check", title_justify="left")
    table.add_column("document", overflow="fold")
    for column in ("pages", "errors", "warnings"):
        table.add_column(column, justify="right")
    counts: dict[str, list[int]] = {name: [0, 0] for name in result.names}
    for f in result.findings:
        row = counts.setdefault(f.document or "(content)", [0, 0])
        row[0 if f.severity == "error" else 1] += 1
    for name, (errors, warnings) in counts.items():
        pages = result.pages.get(name)
        table.add_row(
            name,
            "" if pages is None else str(pages),
            f"[red]{errors}[/]" if errors else "0",
            f"[yellow]{warnings}[/]" if warnings else "0",
        )
    Console(soft_wrap=True).print(table)
    click.echo(
        f"checked {result.projects} project(s), {result.documents} document(s): "
        f"{len(result.errors)} error(s), {len(result.warnings)} warning(s)"
    )
    if not result.pages_checked:
        click.echo("handout pages not counted (LibreOffice not found, or --no-pages)")


@cli.command()
@_path_argument
@_output_option
def preview(path: Path, out: Path | None) -> None:
    """Build with PDFs and write pictures of every slide and page with an index.html to open.

    Needs LibreOffice and pdftoppm (poppler-utils). Open output/index.html in a browser: per
    project the audiences side by side, every slide and handout page, the files and the check's
    findings.
    """
    from generator.app.preview import preview as run_preview
    from generator.app.progress import Reporter

    with _user_errors(), Reporter() as reporter:
        result = run_preview(path, out=out, progress=reporter, expect=reporter.expect)
    _print_summary(result.report, out)
    errors, warnings = len(result.check.errors), len(result.check.warnings)
    click.echo(
        f"{result.pictures} picture(s); the check found {errors} error(s), {warnings} warning(s)"
    )
    click.echo(f"open {result.index.as_uri()}")


@cli.command()
@_path_argument
@_output_option
@click.option("--pdf", is_flag=True, help="Also make a PDF of every rebuilt document.")
@click.option("--preview", is_flag=True, help="Also update the preview pictures and pages.")
def watch(path: Path, out: Path | None, pdf: bool, preview: bool) -> None:
    """Rebuild what changed on every save (content, templates, themes) until Ctrl+C.

    A change in one project's folder rebuilds that project, anything else every project. Errors
    are printed and the watch goes on. With --pdf or --preview one LibreOffice keeps running, so
    an edit shows up in seconds.
    """
    import signal
    import threading

    from generator.app.watch import watch as run_watch

    def say(message: str) -> None:
        colour = "red" if message.startswith("error") else None
        colour = "yellow" if message.startswith("warning") else colour
        click.secho(message, fg=colour)

    # SIGTERM (a service manager, `kill`) stops the watch like Ctrl+C: LibreOffice is closed too.
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with _user_errors():
            run_watch(path, out=out, pdf=pdf, preview=preview, say=say, stop=stop)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("stopped watching")


@cli.command()
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False
)
def templates(file: Path | None) -> None:
    """List the themes; with FILE, show a template's layouts and the match per slide kind."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    with _user_errors():
        if file is None:
            from generator.theme.themes import known_themes, theme_search_path

            root = Path.cwd()
            table = Table("theme", "folder")
            for name in known_themes(None, root):
                for folder in theme_search_path(None, root):
                    if (folder / name).is_dir():
                        table.add_row(name, str(folder / name))
                        break
            console.print(table)
            return
        from generator.theme.packages import load_package

        package = load_package(file)
        if package.kind == "docx":
            _describe_word(console, package.data)
            _print_removals(console, package)
            return
        from generator.deck.layouts import describe_template, explain_template

        table = Table("master", "layout", "placeholders", "used for")
        for row in describe_template(file):
            placeholders = ", ".join(f"{p['type']} {p['idx']}" for p in row["placeholders"])
            kinds = "\n".join(
                f"{k['kind']}" + ("" if k["exact"] else " (fallback)") for k in row["kinds"]
            )
            layout = "" if row["layout"] is None else f"{row['layout']}. {row['name']}"
            table.add_row(str(row["master"]), layout or row["name"], placeholders, kinds)
        console.print(table)
        explained = explain_template(file)
        kinds_table = Table("slide kind", "layout", "why")
        for choice in explained["choices"]:
            kinds_table.add_row(choice["kind"], choice["layout"], choice["reason"])
        console.print(kinds_table)
        for warning in explained["warnings"]:
            console.print(f"warning: {warning}", style="yellow", highlight=False)
        if explained["snippet"]:
            console.print(
                "Some slide kinds fell back to another layout. To choose yourself, put this "
                "in the theme's theme.yaml and change the names:",
                highlight=False,
            )
            click.echo(explained["snippet"])
        _print_removals(console, package)


def _print_removals(console: Any, package: Any) -> None:
    """What pitchkit leaves out of a template when it uses it (macros, external links, ...)."""
    if not package.removed:
        console.print("nothing is removed from this template when pitchkit uses it")
        return
    console.print("removed when pitchkit uses this template:", highlight=False)
    for line in package.removed:
        console.print(f"  - {line}", highlight=False, markup=False)


def _describe_word(console: Any, data: bytes) -> None:
    import io

    from docx import Document
    from rich.table import Table

    doc = Document(io.BytesIO(data))
    section = doc.sections[0]

    def cm(length: Any) -> str:
        return f"{length.cm:.1f}" if length is not None else "?"

    console.print(
        f"page {cm(section.page_width)} x {cm(section.page_height)} cm, "
        f"margins {cm(section.left_margin)}/{cm(section.right_margin)} cm"
    )
    table = Table("paragraph styles")
    for style in doc.styles:
        if getattr(style, "type", None) == 1:
            table.add_row(style.name)
    console.print(table)


@cli.command()
@click.option(
    "--for",
    "kind",
    type=click.Choice(["project", "audiences", "smart-city"]),
    default="project",
    show_default=True,
    help="Which content file the schema is for.",
)
def schema(kind: str) -> None:
    """Print the JSON Schema of the content format (for editors)."""
    from generator.content.schema import schema_text

    click.echo(schema_text(kind), nl=False)


def _print_warnings(warnings: list[str]) -> None:
    for w in warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)


def _print_summary(report: Any, out: Path | None) -> None:
    """The table every build ends with: documents written, pages, warnings."""
    from rich.console import Console

    from generator.app.progress import summary_table

    root = getattr(report, "out", None) or out
    console = Console(soft_wrap=True)
    if getattr(report, "unchanged", False):
        console.print(
            f"nothing changed since the last build: {len(report.documents)} document(s) "
            f"in {root} are up to date",
            highlight=False,
        )
        return
    table, total = summary_table(report.documents, report.pdfs, root)
    console.print(table)
    if getattr(report, "reused", 0):
        total += f" ({report.reused} unchanged deck(s) kept as they were)"
    console.print(total, highlight=False)


@cli.group()
def theme() -> None:
    """Make a theme (a folder under templates/themes/)."""


@theme.command("from-tokens")
@click.argument("tokens", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("name")
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Theme folder to write (default: templates/themes/NAME in the current folder).",
)
@click.option("--force", is_flag=True, help="Overwrite the files of an existing theme folder.")
def theme_from_tokens(tokens: Path, name: str, out: Path | None, force: bool) -> None:
    """Make a theme from NL Design System design tokens (e.g. dist/tokens.json of the npm
    package @utrecht/design-tokens): theme.yaml with its colours and fonts, and a deck.pptx
    whose theme colours and fonts are set. Use it with `theme: NAME` in project.yaml."""
    from generator.errors import TokensError
    from generator.theme.tokens import (
        read_tokens,
        theme_from_tokens,
        theme_name_problem,
        write_theme,
    )

    with _user_errors():
        problem = theme_name_problem(name)
        if problem is not None:
            raise TokensError(f"{problem}.")
        folder = out or Path("templates") / "themes" / name
        if (folder / "theme.yaml").exists() and not force:
            raise click.ClickException(
                f"{folder} already holds a theme; use --force to overwrite it, or another NAME"
            )
        chosen = theme_from_tokens(read_tokens(tokens))
        for path in write_theme(chosen, name, folder, tokens):
            click.echo(f"wrote {path}")
        for role in ("primary", "accent", "text", "background"):
            source = chosen.sources.get(role, "pitchkit's default")
            click.echo(f"  {role:<10} {chosen.colors[role]}  ({source})")
        for role, font in chosen.fonts.items():
            brand = chosen.brand_fonts.get(role)
            extra = f"; the brand font {brand} is a web font" if brand else ""
            click.echo(f"  {role:<10} {font}  ({chosen.sources.get(role, '')}{extra})")
        for note in chosen.notes:
            click.secho(f"warning: {note}", fg="yellow", err=True)


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="pitchkit")


if __name__ == "__main__":  # pragma: no cover
    main()
