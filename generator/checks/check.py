"""``pitchkit check``: everything a build does except writing, then checks what it would write.

Contract: :func:`check_workspace` loads and validates the content (raising ContentError on errors,
like a build), renders every template and builds every document in memory, and checks the documents
as a reader would get them: accessibility (:mod:`generator.checks.accessibility`), colour contrast
(:mod:`generator.checks.contrast`) and fit (text that runs out of its box,
:mod:`generator.checks.deck_fit`; shapes over the template's artwork,
:mod:`generator.checks.artwork`; a handout longer than one page, counted by LibreOffice when it is
installed). It writes nothing to the workspace and returns a :class:`CheckResult` whose
:class:`Finding` rows each name project, audience, document, slide or section, and field.
:func:`check_documents` runs the same checks on documents a build has already made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.app.progress import pptx_slide_count
from generator.checks.accessibility import (
    Issue,
    Severity,
    deck_accessibility,
    handout_accessibility,
)
from generator.checks.artwork import deck_artwork
from generator.checks.contrast import deck_contrast, handout_contrast
from generator.checks.deck_fit import deck_fit
from generator.content.loader import Project, Workspace
from generator.errors import Problem
from generator.pipeline.build import Pipeline
from generator.pipeline.jobs import Document


@dataclass(frozen=True)
class Finding:
    """One error or warning, located as precisely as known."""

    severity: Severity
    rule: str
    message: str
    project: str | None = None
    audience: str | None = None
    document: str | None = None
    where: str | None = None
    field: str | None = None
    hint: str | None = None
    source: str | None = None

    def render(self) -> str:
        """One line: ``project/audience document, where: field: message; hint (source)``."""
        head = "/".join(p for p in (self.project, self.audience) if p)
        place = ", ".join(p for p in (head, self.document, self.where) if p)
        parts = [p for p in (self.source, place, self.field) if p]
        text = ": ".join([*parts, self.message])
        return f"{text}; {self.hint}" if self.hint else text


@dataclass
class CheckResult:
    """What the check found: counts, every finding, and handout page counts where known."""

    projects: int
    documents: int
    findings: list[Finding] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)
    pages_checked: bool = False
    names: list[str] = field(default_factory=list)
    """File names of the documents checked, in build order."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


Progress = Callable[[str], None]


def check_workspace(
    path: Path, *, pages: bool = True, progress: Progress | None = None
) -> CheckResult:
    """Validate, build in memory and check every document (see the module contract).

    ``pages=False`` skips counting the handout pages with LibreOffice.
    """
    say = progress or (lambda _message: None)
    pipeline = Pipeline.load(path)
    # Every document as build makes it: the programme deck too, and the project lead's
    # engagement plans, which are checked like what the audience gets (not the page).
    documents = pipeline.documents(say=say)
    # Handouts are fitted to one page as the build fits them (predicted; what the prediction
    # cannot fit is measured here as in a build, its cache read, never saved), so what is checked
    # is what would be written; then LibreOffice counts the pages of every handout.
    fitted = pipeline.fit(documents, say, soffice=True if pages else None)
    workspace = pipeline.workspace
    counted = _count_pages(workspace, documents, say) if pages else None
    result = check_documents(workspace, documents, counted, [*pipeline.warnings, *fitted.problems])
    result.pages_checked = counted is not None
    return result


def check_documents(
    workspace: Workspace,
    documents: Sequence[Document],
    pages: Mapping[Path, int] | None = None,
    warnings: Sequence[Problem] | None = None,
) -> CheckResult:
    """Check built documents; ``pages`` maps a document path to its page count where known,
    ``warnings`` are the build's (default: the workspace's content warnings)."""
    problems = workspace.warnings if warnings is None else warnings
    findings = [_from_problem(p, workspace.root) for p in problems]
    findings += [
        _from_problem(p, workspace.root, "example-text") for p in _example_text_left(workspace)
    ]
    projects = {p.slug: p for p in workspace.projects}
    page_counts: dict[str, int] = {}
    for d in documents:
        project = projects.get(d.project)
        known = d.pages if d.pages is not None else (pages or {}).get(d.path)
        if known is None and d.path.suffix == ".pptx":
            known = pptx_slide_count(d.data)
        if known is not None:
            page_counts[d.path.name] = known
        findings += [_locate(f, d, project) for f in _document_issues(d, project, known)]
        if d.path.suffix == ".pptx" and project is not None and d.audience:
            findings += [_locate(f, d, project) for f in _editorial(workspace, project, d)]
        if d.kind == "handout" and project is not None:
            from generator.checks.editorial import handout_playbook

            issues = handout_playbook(d.data, _playbook(workspace))
            findings += [_locate(f, d, project) for f in issues]
    return CheckResult(
        len(workspace.projects),
        len(documents),
        findings,
        page_counts,
        names=[d.path.name for d in documents],
    )


def _document_issues(d: Document, project: Project | None, pages: int | None) -> list[Issue]:
    names = _colour_names(project)
    issues: list[Issue] = [Issue("warning", "fit", "", "", w) for w in d.warnings]
    if d.path.suffix == ".pptx":
        issues += deck_accessibility(d.data)
        issues += deck_contrast(d.data, names)
        issues += deck_fit(d.data)
        issues += deck_artwork(d.data)
    elif d.path.suffix == ".docx":
        issues += handout_accessibility(d.data)
        issues += handout_contrast(d.data, names)
        if d.kind == "handout" and pages is not None and pages > 1:
            issues.append(
                Issue(
                    "error",
                    "one-page",
                    "handout",
                    "pages",
                    f"the handout is {pages} pages; it must fit on one",
                    "shorten the longest texts, or leave out a section in the handout template",
                )
            )
    return issues


def _locate(issue: Issue, d: Document, project: Project | None) -> Finding:
    """A document's issue as a finding; alt text problems point to the content image."""
    source = None
    hint = issue.hint
    if issue.rule == "alt-text" and project is not None:
        found = _content_image(project, issue)
        if found is not None:
            source, hint = found
    return Finding(
        issue.severity,
        issue.rule,
        issue.message,
        project=d.project,
        audience=d.audience,
        document=d.path.name,
        where=issue.where or None,
        field=issue.field or None,
        hint=hint,
        source=source,
    )


def _content_image(project: Project, issue: Issue) -> tuple[str, str] | None:
    """Where the picture of an alt-text issue comes from in the content, and what to do.

    Returns ``(source, hint)``: the alt field with its line when the content's own alt text is
    the problem, the image entry when a template wrote the file name instead of the alt text.
    """
    from generator.content.reader import read_yaml

    alt = (issue.subject or "").strip()
    if not alt:
        return None
    for i, image in enumerate(project.images):
        spec = image.spec
        names = (Path(spec.file).name, spec.file, image.path.name)
        if alt != spec.alt.strip() and alt not in names:
            continue
        from_content = alt == spec.alt.strip()
        loc: tuple[str | int, ...] = ("images", i, "alt") if from_content else ("images", i)
        try:
            line = read_yaml(project.source).line_of(loc)
        except Exception:  # the file changed since it was loaded: no line then
            line = None
        shown = f"{project.source.parent.name}/{project.source.name}"
        field = f"images[{i}].alt" if from_content else f"images[{i}] ({spec.file})"
        source = f"{shown}:{line} {field}" if line else f"{shown} {field}"
        hint = (
            "write in alt what the picture shows, not its file name"
            if from_content
            else "a template writes the file name as alt text; use the image's alt instead"
        )
        return source, hint
    return None


def _editorial(workspace: Workspace, project: Project, d: Document) -> list[Issue]:
    """The editorial rules of one audience's deck: its cap, and every goal and tip of
    audiences.yaml (in any language) that must not be on a slide."""
    from generator.checks.editorial import deck_editorial
    from generator.compose.selection import MAIN_SLIDE_CAP

    focus = workspace.audience(project, d.audience).focus
    return deck_editorial(d.data, MAIN_SLIDE_CAP[focus], _playbook(workspace))


def _playbook(workspace: Workspace) -> list[str]:
    """Every goal and tip of audiences.yaml and its translations (the project lead's)."""
    groups = [*workspace.audiences.values()]
    groups += [a for t in workspace.translations.values() for a in t.values()]
    return [t for a in groups for plan in a.stages.values() for t in [plan.goal, *plan.tips]]


def _example_text_left(workspace: Workspace) -> list[Problem]:
    """Example text of pitchkit init still in the workspace's projects and smart-city.yaml."""
    from generator.checks.editorial import example_text_left
    from generator.resources import default_content_dir

    files = [p.folder / "project.yaml" for p in workspace.projects]
    files.append(workspace.content_dir / "smart-city.yaml")
    return example_text_left(default_content_dir(), files)


def _from_problem(problem: Problem, root: Path, rule: str = "content") -> Finding:
    return Finding(
        "warning",
        rule,
        problem.message,
        field=problem.field,
        hint=problem.hint,
        source=problem.location(root) or None,
    )


def _colour_names(project: Project | None) -> dict[str, str]:
    """Theme colours as set in theme.yaml, so a contrast error names the setting to change."""
    if project is None:
        return {}
    colors = project.theme.spec.colors
    where = f"theme '{project.theme.name}' colors"
    names: dict[str, str] = {}
    for name in ("text", "background", "primary", "accent"):
        names.setdefault(getattr(colors, name).upper(), f"{where}.{name}")
    return names


# -- handout pages ----------------------------------------------------------------------------


def _count_pages(
    workspace: Workspace, documents: Iterable[Document], say: Progress
) -> dict[Path, int] | None:
    """Handout page counts from a LibreOffice PDF export in a temporary folder; None without it."""
    from generator.compose.formats import LANGUAGE_TAGS
    from generator.export.pdf import export_pdfs, find_soffice, pdf_page_count
    from generator.pipeline.processes import work_folder

    handouts = [d for d in documents if d.kind == "handout" and d.pages is None]
    if not handouts:
        return {}
    if find_soffice() is None:
        return None
    languages = {p.slug: LANGUAGE_TAGS[p.content.language] for p in workspace.projects}
    say(f"counting the pages of {len(handouts)} handout(s) with LibreOffice")
    with work_folder("pitchkit-check-") as work:
        copies: dict[Path, Document] = {}
        for d in handouts:
            copy = work / d.project / d.path.name
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(d.data)
            copies[copy] = d
        pdfs = export_pdfs(
            list(copies),
            language_tag={c: languages.get(d.project, "nl-NL") for c, d in copies.items()},
        )
        return {copies[c].path: pdf_page_count(pdf) for c, pdf in pdfs.items()}
