"""One page: choose each handout's density and what it leaves out, predicted, else measured.

A build first predicts (:func:`predicted_fit`, in the worker that builds the handout): the search
below runs on :func:`generator.handout.layout.predict`, which lays the page out with real font
metrics, and a variant counts as fitting only up to :func:`~generator.handout.layout.safe_share`
of the page (calibrated against LibreOffice, which it overestimates by ~2 %). Where no variant is
predicted to fit with that margin, the handout is measured: converted to PDF with LibreOffice and
counted, in batches (:func:`fit_handouts`: every round one LibreOffice process per core for all
handouts still open, with all their candidate variants at once; a variant costs ~0.1 s). The
PDFs of ``--pdf`` and ``check`` count the pages of every handout again, so a prediction that was
wrong is found and measured (see :mod:`generator.pipeline.build`).

Contract of the search, per handout (each step a round, all handouts batched):

1. the roomiest step of :data:`~generator.handout.builder.DENSITIES` and the one at 10 pt; the
   roomiest fits: done; the 10 pt one fits: the steps between decide;
2. neither fits: at 10 pt, sections are left out, the lowest ``priority`` first (the
   later one on a tie); sections of priority 90 and up (:data:`ESSENTIAL`) always stay. How much
   text ran onto page 2 predicts how many must go; the fewest that fit is found by probing;
3. each section left out is tried back in on its own, and the highest-ranked that fits stays
   (a short section often fits where a long one did not); then the roomier steps once more;
4. a warning names what was left out ("handout for doubters: left out 'alternatives' to fit one
   page", and the page itself names them where to find them: "Meer: ... op <url>"); only
   when everything optional left out at 10 pt is still too long, the same at the last resort,
   9.5 pt; when that is too long too: a
   :class:`~generator.errors.ContentError` naming the longest texts on the page (file, line,
   field).

A result is cached (:mod:`generator.handout.fit_cache`), so an unchanged handout is not rendered
again; the variants are measured by :mod:`generator.handout.measure`.
Without LibreOffice nothing is measured: the roomiest density is used and the result says so.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.compose.doctree import Handout, Section
from generator.compose.inline import plain
from generator.content.model import ProjectFile
from generator.errors import BuildError, ContentError, Problem
from generator.handout.builder import DENSITIES, Density, build_handout
from generator.handout.fit_cache import CACHE_FOLDER, FitCache, cache_key
from generator.handout.layout import predict, safe_share
from generator.handout.measure import Measured, measure_variants
from generator.pipeline.processes import work_folder
from generator.theme.themes import Theme

if TYPE_CHECKING:
    from generator.pipeline.jobs import Document, Rendered
    from generator.pipeline.processes import work_folder

#: Sections with at least this priority are never left out (the ask, the contact, the benefits).
ESSENTIAL = 90

Progress = Callable[[str], None]


@dataclass(frozen=True)
class FitJob:
    """One handout to fit; ``content`` and ``source`` let a failure name the longest fields."""

    name: str  # in messages: "handout for doubters"
    handout: Handout
    theme: Theme
    created: dt.datetime
    content: ProjectFile | None = None
    source: Path | None = None
    root: Path | None = None  # file names in messages are relative to this (the workspace)


@dataclass
class Fitted:
    """The fitted handout: the .docx bytes to write and how they were chosen."""

    data: bytes
    density: Density
    left_out: tuple[str, ...]
    pages: int | None  # None: not measured (no LibreOffice)
    pdf: bytes | None  # the PDF of exactly ``data``, when one was made (tagged, like --pdf's)
    warnings: list[str] = field(default_factory=list)
    cached: bool = False


@dataclass(frozen=True)
class Round:
    """One LibreOffice conversion: how many variants, how long it took."""

    variants: int
    seconds: float


@dataclass
class FitRun:
    """The results in job order, the rounds it took, and what the build should report."""

    fitted: list[Fitted]
    rounds: list[Round]
    measured: bool


# -- the fit ----------------------------------------------------------------------------------


def build_variant(job: FitJob, density: int, left_out: Iterable[str]) -> bytes:
    """The handout's normalized .docx bytes at ``DENSITIES[density]`` without ``left_out``."""
    return build_handout(job.handout, job.theme, job.created, DENSITIES[density], left_out)


def drop_order(handout: Handout) -> list[str]:
    """Section keys in the order they are left out: lowest priority first, later first on a tie."""
    candidates = [
        (s.priority, -i, s.key) for i, s in enumerate(handout.sections) if s.priority < ESSENTIAL
    ]
    return [key for _, _, key in sorted(candidates)]


def predicted_fit(handout: Handout, theme: Theme) -> Variant | None:
    """The variant the search picks on predicted heights; None when none is predicted to fit."""
    search = _Search(handout)
    trusted = safe_share(theme)
    while probes := search.probes():
        for variant in probes:
            share = predict(handout, theme, *variant)
            fits = share <= trusted
            search.record(variant, Measured(b"", 1 if fits else 2, b"", 1 - trusted / share))
        search.advance()
        if search.failed:
            return None
    return search.result()[0]


def left_out_warning(name: str, left_out: Sequence[str]) -> list[str]:
    """The build warning for a handout that leaves sections out to fit ("" when none)."""
    if not left_out:
        return []
    names = ", ".join(f"'{k}'" for k in left_out)
    return [f"{name}: left out {names} to fit one page"]


def fit_handouts(
    jobs: Sequence[FitJob],
    cache: FitCache | None = None,
    soffice: str | None = None,
    timeout: float = 300,
    progress: Progress | None = None,
) -> FitRun:
    """Fit every handout to one A4 page (see the module contract); results in job order.

    ``soffice`` is LibreOffice's executable; ``None`` means not installed: nothing is measured
    (cached results still count, as they were measured before).
    """
    say = progress or (lambda _message: None)
    cache = cache or FitCache(None)
    keys = [cache_key(job) for job in jobs]
    results: list[Fitted | None] = [None] * len(jobs)
    for i, (job, key) in enumerate(zip(jobs, keys, strict=True)):
        hit = cache.get(key)
        if hit is not None:
            entry, pdf = hit
            left_out = tuple(entry["left_out"])
            results[i] = Fitted(
                build_variant(job, entry["density"], left_out),
                DENSITIES[entry["density"]],
                left_out,
                entry.get("pages"),
                pdf,
                left_out_warning(job.name, left_out),
                cached=True,
            )
    todo = [i for i, r in enumerate(results) if r is None]
    rounds: list[Round] = []
    if soffice is None:
        for i in todo:
            results[i] = Fitted(build_variant(jobs[i], 0, ()), DENSITIES[0], (), None, None)
        return FitRun([r for r in results if r is not None], rounds, measured=False)

    searches = {i: _Search(jobs[i].handout) for i in todo}
    with work_folder("pitchkit-fit-") as tmp:
        while True:
            variants = [(i, v) for i, search in searches.items() for v in search.probes()]
            if not variants:
                break
            started = time.monotonic()
            measured = measure_variants(
                [build_variant(jobs[i], d, drop) for i, (d, drop) in variants],
                Path(tmp) / f"round{len(rounds) + 1}",
                timeout,
            )
            rounds.append(Round(len(variants), time.monotonic() - started))
            say(
                f"one-page check, round {len(rounds)}: {len(variants)} variant(s) of "
                f"{len({i for i, _ in variants})} handout(s) in {rounds[-1].seconds:.1f} s"
            )
            for (i, variant), m in zip(variants, measured, strict=True):
                searches[i].record(variant, m)
            for i, search in searches.items():
                search.advance()
                if search.failed:
                    raise _too_long(jobs[i], search.order)
    for i, search in searches.items():
        (d, drop), m = search.result()
        results[i] = Fitted(
            m.data, DENSITIES[d], drop, m.pages, m.pdf, left_out_warning(jobs[i].name, drop)
        )
        cache.put(keys[i], {"density": d, "left_out": list(drop), "pages": m.pages}, m.pdf)
    return FitRun([r for r in results if r is not None], rounds, measured=True)


Variant = tuple[int, tuple[str, ...]]  # (index into DENSITIES, section keys left out)
#: The last resort: the densest step, used only when nothing fits at :data:`_DROP_AT`.
_LAST_RESORT = len(DENSITIES) - 1
#: Sections are left out at this step (10 pt), before the last resort is tried.
_DROP_AT = next(i for i, d in enumerate(DENSITIES) if d.body_pt <= 10.0)


class _Search:
    """The search for one handout's roomiest one-page variant, a few probes per round.

    1. the roomiest and the densest density: the roomiest fits, done; the densest fits, try the
       ones between; neither fits: leave sections out;
    2. leaving out: how much text ran onto the next page (a share of all characters) predicts
       how many sections must go; probe that number and one either side, then at most three more
       per round between what did not fit and what did (or above, when none did) until the
       fewest that fit is known;
    3. putting back: each of those sections is tried back in on its own, then all that fit on
       their own at once; if that is too much, the highest-ranked one (lower-priority but short
       sections often fit where a long one did not);
    4. with the sections finally left out, the roomier densities once more.

    All of this at 10 pt (:data:`_DROP_AT`); only when even every optional section left out
    does not fit there, the same again at the last resort (9.5 pt).
    """

    def __init__(self, handout: Handout) -> None:
        self.order = drop_order(handout)
        weights = {s.key: _weight(s) for s in handout.sections}
        self.total = sum(weights.values()) + len(
            plain(handout.title + handout.key_message + handout.headline)
        )
        self.gains = [sum(weights[k] for k in self.order[:n]) for n in range(len(self.order) + 1)]
        self.seen: dict[Variant, Measured] = {}
        self.stage = "densities"
        self.densest = _DROP_AT
        self.pending: list[Variant] = [(0, ()), (self.densest, ())]
        self.failed = False
        self.done = False
        self.left_out: tuple[str, ...] = ()
        self.singles: list[Variant] = []

    def probes(self) -> list[Variant]:
        """The variants to measure in the next round."""
        return [] if self.done else [v for v in dict.fromkeys(self.pending) if v not in self.seen]

    def record(self, variant: Variant, measured: Measured) -> None:
        self.seen[variant] = measured

    def fits(self, variant: Variant) -> bool:
        m = self.seen.get(variant)
        return m is not None and m.pages == 1

    def drops(self, n: int) -> Variant:
        return (self.densest, tuple(self.order[:n]))

    def advance(self) -> None:
        """Decide the next probes from what the last round measured."""
        self._advance()
        if self.failed and self.densest < _LAST_RESORT:
            # Nothing fits at 10 pt, even with every optional section left out: 9.5 pt.
            self.failed = False
            self.densest = _LAST_RESORT
            self.stage = "densities"
            self.pending = [(self.densest, ())]

    def _advance(self) -> None:
        if self.done:
            return
        if self.stage == "densities":
            if self.fits((0, ())):
                self.done = True
            elif self.fits((self.densest, ())):
                self.stage = "between"
                self.pending = [(d, ()) for d in range(1, self.densest)]
                if not self.probes():
                    self.done = True
            else:
                self.stage = "drop"
                share = self.seen[(self.densest, ())].overflow
                need = next(
                    (n for n, g in enumerate(self.gains) if n and g >= share * self.total),
                    len(self.order),
                )
                counts = [n for n in (need - 1, need, need + 1) if 1 <= n <= len(self.order)]
                self.pending = [self.drops(n) for n in counts]
                self.failed = not self.pending
        elif self.stage == "drop":
            counts = [n for n in range(1, len(self.order) + 1) if self.drops(n) in self.seen]
            fitting = [n for n in counts if self.fits(self.drops(n))]
            if fitting:
                # Leaving out more never makes a page longer: the fewest that fit lies between
                # the most that did not (or none) and the fewest that did.
                best = min(fitting)
                floor = max([n for n in counts if n < best], default=0)
                if best - floor > 1:
                    self.pending = [self.drops(n) for n in _spread(floor + 1, best - 1)]
                    return
                self._restore(self.drops(best)[1])
                return
            higher = range(max(counts) + 1, len(self.order) + 1)
            self.pending = [self.drops(n) for n in _spread(higher.start, higher.stop - 1)]
            self.failed = not self.pending
        elif self.stage == "restore":
            back = [v for v in self.pending if self.fits(v)]
            if len(back) > 1:
                # Several go back in on their own: try them all back at once.
                self.singles = back
                self.stage = "restore-all"
                returned = {k for v in back for k in set(self.left_out) - set(v[1])}
                self.pending = [
                    (self.densest, tuple(k for k in self.left_out if k not in returned))
                ]
                return
            self._regrow(back[0][1] if back else self.left_out)
        elif self.stage == "restore-all":
            if self.fits(self.pending[0]):
                self._regrow(self.pending[0][1])
            else:  # not all at once: the highest-ranked one
                kept = max(self.singles, key=lambda v: self._rank(set(self.left_out) - set(v[1])))
                self._regrow(kept[1])
        else:  # "between" and "regrow" are one round each
            self.done = True

    def _rank(self, keys: set[str]) -> int:
        return max(self.order.index(k) for k in keys)

    def _restore(self, left_out: tuple[str, ...]) -> None:
        """Try putting back each section left out (without the last it did not fit: known)."""
        self.left_out = left_out
        self.stage = "restore"
        self.pending = [
            (self.densest, tuple(k for k in left_out if k != back)) for back in left_out
        ]
        if not self.probes():
            self._regrow(left_out)

    def _regrow(self, left_out: tuple[str, ...]) -> None:
        self.left_out = left_out
        self.stage = "regrow"
        self.pending = [(d, left_out) for d in range(self.densest)]

    def result(self) -> tuple[Variant, Measured]:
        """The winner: the fewest sections left out (the lowest-ranked), the roomiest density."""
        fitting = [v for v in self.seen if self.fits(v)]
        best = min(
            fitting,
            key=lambda v: (
                len(v[1]),
                sorted((self.order.index(k) for k in v[1]), reverse=True),
                v[0],
            ),
        )
        return best, self.seen[best]


def _spread(low: int, high: int, most: int = 3) -> list[int]:
    """At most ``most`` numbers from low..high, evenly spread and always including ``low``."""
    if high < low:
        return []
    if high - low + 1 <= most:
        return list(range(low, high + 1))
    step = (high - low) / (most - 1)
    return sorted({low + round(step * k) for k in range(most)})


def _weight(section: Section) -> int:
    """A section's share of the page, in characters (a line end counts as 40)."""
    texts = [section.heading or "", *section.paragraphs, *(i.text for i in section.items)]
    if section.table is not None:
        texts += [" ".join(row) for row in [section.table.header, *section.table.rows]]
    texts += [f"{st.when} {st.text}" for st in section.steps]
    return sum(len(plain(t)) + 40 for t in texts if t)


# -- when it cannot fit -----------------------------------------------------------------------


def _too_long(job: FitJob, dropped: list[str]) -> Exception:
    """The error for a handout that does not fit even at its densest without every optional part."""
    kept = [s for s in job.handout.sections if s.key not in dropped]
    texts = [job.handout.title, job.handout.subtitle or "", job.handout.key_message]
    for s in kept:
        texts += [s.heading or "", *s.paragraphs, *(i.text for i in s.items)]
        if s.table is not None:
            texts += [c for row in s.table.rows for c in row]
        texts += [st.text for st in s.steps]
    shown = "\n".join(plain(t) for t in texts)
    smallest = DENSITIES[-1].body_pt
    without = f" and without {', '.join(repr(k) for k in dropped)}" if dropped else ""
    why = f"the {job.name} does not fit on one A4 page, even at {smallest:g} pt{without}"
    fields = _longest_fields(job, shown)
    if not fields:
        longest = sorted((plain(t) for t in texts if t), key=len, reverse=True)[:3]
        listed = "; ".join(f"'{t[:60]}...' ({len(t)} characters)" for t in longest)
        return BuildError(f"{why}; shorten the longest texts: {listed}")
    problems = [
        Problem(
            job.source,
            line,
            name,
            f"{length} characters; {why}",
            "shorten this text (the longest on the page)",
        )
        for name, line, length in fields
    ]
    return ContentError(problems, job.root)


def _longest_fields(job: FitJob, shown: str) -> list[tuple[str, int | None, int]]:
    """The three longest content fields whose text is on the page: (field, line, characters)."""
    if job.content is None:
        return []
    from generator.content.reader import dotted, read_yaml

    found: list[tuple[int, tuple[str | int, ...]]] = []

    def walk(value: Any, loc: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*loc, k))
        elif isinstance(value, list):
            for n, v in enumerate(value):
                walk(v, (*loc, n))
        elif isinstance(value, str) and len(value) >= 20 and plain(value) in shown:
            found.append((len(plain(value)), loc))

    walk(job.content.model_dump(mode="python", exclude_none=True), ())
    found.sort(key=lambda f: -f[0])
    lines: Any = None
    if job.source is not None:
        try:
            lines = read_yaml(job.source)
        except ContentError:
            lines = None
    return [
        (dotted(loc), lines.line_of(loc) if lines is not None else None, length)
        for length, loc in found[:3]
    ]


# -- in the build -----------------------------------------------------------------------------


SKIPPED_WARNING = (
    "the one-page check of the handouts was skipped: LibreOffice is not installed, so the "
    "handouts could not be measured and may run onto a second page. Install LibreOffice "
    "(Debian/Ubuntu: 'sudo apt-get install libreoffice-writer'; Windows/macOS: "
    "https://www.libreoffice.org/download/) and build again."
)


@dataclass
class BuildFit:
    """What :func:`fit_build` did: PDFs to reuse, warnings for the report, the cache to save."""

    pdfs: dict[Path, bytes]
    problems: list[Problem]
    cache: FitCache
    run: FitRun


def fit_build(
    rendered: Sequence[Rendered],
    documents: list[Document],
    out: Path,
    progress: Progress | None = None,
    soffice: str | bool | None = True,
    root: Path | None = None,
    cache: FitCache | None = None,
) -> BuildFit:
    """Fit every handout of a build whose fit was not predicted, in place: each such Document
    gets the measured bytes, its page count and any warning.

    ``soffice=True`` looks LibreOffice up; when it is not installed, every handout and the
    returned problems say the one-page check was skipped and how to install it. ``None`` skips
    measuring on request (``pitchkit check --no-pages``): cached results still apply, no warning.
    ``root`` (the workspace) makes file names in a too-long error relative, like other errors.
    ``cache`` is the cache of an earlier fit in the same build (default: the output folder's).
    """
    by_path = {d.path: d for d in documents if d.kind == "handout" and not d.predicted}
    if not by_path:  # every handout predicted: nothing to measure (nor LibreOffice to find)
        return BuildFit({}, [], cache or FitCache(None), FitRun([], [], measured=False))
    from generator.export.pdf import find_soffice
    from generator.ooxml.package import document_time

    executable = find_soffice() if soffice is True else (soffice or None)
    jobs: list[FitJob] = []
    targets: list[Document] = []
    for item in rendered:
        job = item.job
        path = job.path(out, "handout", "docx")
        if path not in by_path:
            continue
        project = job.project
        jobs.append(
            FitJob(
                f"handout for {job.audience_key}",
                item.handout,
                project.theme,
                document_time(project.content.project.date),
                project.content,
                project.source,
                root,
            )
        )
        targets.append(by_path[path])
    cache = cache or FitCache(out / CACHE_FOLDER)
    run = fit_handouts(jobs, cache, executable, progress=progress)
    pdfs: dict[Path, bytes] = {}
    missing = soffice is True and executable is None
    for document, fitted in zip(targets, run.fitted, strict=True):
        document.data = fitted.data
        document.pages = fitted.pages
        document.warnings += fitted.warnings
        if fitted.pages is None and missing:
            document.warnings.append(SKIPPED_WARNING)
        if fitted.pdf is not None:
            pdfs[document.path] = fitted.pdf
    problems = []
    if missing and any(f.pages is None for f in run.fitted):
        problems.append(Problem(None, None, None, SKIPPED_WARNING))
    return BuildFit(pdfs, problems, cache, run)
