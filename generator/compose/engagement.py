"""The engagement plan: the project lead's playbook per project (DESIGN.md, Outputs).

Contract: :func:`engagement_plan` turns one project and its audiences' stage plans (goal, tools,
tips) into an :class:`EngagementPlan`: per audience its goal at this stage, its tools, the tips
turned into concrete actions (dated where the content gives a date: the meeting, the site visit,
the decision milestone, the open timeline milestones, collaboration requests, a steering group
every quarter) and, for audiences with doubts, the objections to prepare with their answers.
Pure: it reads nothing but what it is given. :func:`plan_docx` writes it as a Word document on
the theme's Word template; :func:`plan_ics` writes its dated actions as an iCalendar file of
all-day events whose UIDs come from the project and the action (never random), so importing a
rebuilt file updates the events instead of adding them twice. Both give the same bytes for the
same input: the only time in them is ``created`` (SOURCE_DATE_EPOCH, else the project date).
:func:`engagement_documents` makes both as build documents; the audience never gets them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.compose.formats import MONTH, QUARTER, Formatter
from generator.compose.inline import escape, plain

if TYPE_CHECKING:
    from generator.content.loader import Project, Workspace
    from generator.content.model import Audience, Milestone, ProjectFile
    from generator.pipeline.jobs import Document
    from generator.theme.themes import Theme

KIND = "engagement-plan"
CALENDAR_KIND = "engagement-calendar"
#: A steering group meets 2 to 4 times a year (the toolkit): proposed every quarter, at most this
#: many meetings ahead.
MAX_STEERING = 8


@dataclass(frozen=True)
class Action:
    """One thing the project lead does for one audience."""

    key: str
    """Stable within the project (the calendar event's UID is made of it and the project)."""
    text: str
    date: dt.date | None = None
    """The day of the calendar event; None: an ongoing action, not in the calendar."""
    when: str = ""
    """When, as the plan writes it (a quarter stays a quarter)."""
    event: str = ""
    """The calendar event's title."""


@dataclass(frozen=True)
class AudiencePlan:
    """What the project lead does for one audience at this stage."""

    key: str
    name: str
    who: str
    goal: str
    tools: tuple[str, ...]
    actions: tuple[Action, ...]
    objections: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Event:
    """A calendar event: the same action key for one or more audiences."""

    key: str
    date: dt.date
    when: str
    title: str
    lines: tuple[tuple[str, str], ...]
    """(audience name, action) per audience that has this action."""


@dataclass(frozen=True)
class EngagementPlan:
    """One project's engagement plan, in the project's language."""

    slug: str
    title: str
    municipality: str
    language: str
    labels: dict[str, Any]
    """The labels' ``engagement_plan`` texts."""
    stage: str
    audiences: tuple[AudiencePlan, ...]

    def events(self) -> list[Event]:
        """Every dated action as one event per key (audiences merged), by date then key."""
        found: dict[str, list[tuple[str, Action]]] = {}
        for audience in self.audiences:
            for action in audience.actions:
                if action.date is not None:
                    found.setdefault(action.key, []).append((audience.name, action))
        events = []
        for key, pairs in found.items():
            first = pairs[0][1]
            assert first.date is not None
            events.append(
                Event(
                    key, first.date, first.when, first.event, tuple((n, a.text) for n, a in pairs)
                )
            )
        return sorted(events, key=lambda e: (e.date, e.key))


# -- dates ------------------------------------------------------------------------------------


def _workday(day: dt.date) -> dt.date:
    """The day, or the Monday after it when it falls in a weekend."""
    return day + dt.timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def when_date(text: str | None) -> dt.date | None:
    """The day a content date stands for: a date itself; a quarter or a month, its first
    working day (when to act on it); anything else (``voorjaar 2027``) none."""
    if not text:
        return None
    quarter = QUARTER.match(text)
    if quarter:
        year = int(quarter.group(1) or quarter.group(4))
        number = int(quarter.group(2) or quarter.group(3))
        return _workday(dt.date(year, 3 * number - 2, 1))
    month = MONTH.match(text)
    if month and 1 <= int(month.group(2)) <= 12:
        return _workday(dt.date(int(month.group(1)), int(month.group(2)), 1))
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def steering_dates(start: dt.date, end: dt.date | None) -> list[dt.date]:
    """A steering group every quarter after ``start`` up to the quarter of ``end`` (at least a
    year, at most :data:`MAX_STEERING` meetings), mid-quarter on a working day."""
    year, q = _quarter(start)
    last = _quarter(end) if end is not None else (year, q)
    dates: list[dt.date] = []
    while len(dates) < MAX_STEERING:
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
        if (year, q) > last and len(dates) >= 4:
            break
        dates.append(_workday(dt.date(year, 3 * q - 1, 15)))
    return dates


def _next_quarter(day: dt.date) -> dt.date:
    """The first working day of the quarter after ``day``'s."""
    year, q = _quarter(day)
    year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return _workday(dt.date(year, 3 * q - 2, 1))


def _slug(text: str) -> str:
    """A stable key for a text: its words, lower case, joined by hyphens (at most 40)."""
    words = re.findall(r"\w+", plain(text).casefold())
    return "-".join(words)[:40].strip("-") or hashlib.sha256(text.encode()).hexdigest()[:8]


# -- the plan ---------------------------------------------------------------------------------


def _fill(template: str, **values: str) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _items(values: Sequence[str], limit: int = 3) -> str:
    return "; ".join(v.rstrip(".") for v in values[:limit])


class _Planner:
    """The actions of one project, per audience (shared content looked up once)."""

    def __init__(self, content: ProjectFile, labels: dict[str, Any], fmt: Formatter) -> None:
        self.c = content
        self.t = labels["engagement_plan"]
        self.fmt = fmt
        self.project_title = content.project.title
        self.meeting = content.project.date
        self.open = [m for m in content.timeline if not m.done]
        words = [w.casefold() for w in self.t.get("decision_keywords", [])]
        self.decision: Milestone | None = next(
            (m for m in self.open if any(w in m.milestone.casefold() for w in words)), None
        )
        self.decision_date = when_date(self.decision.when) if self.decision else None
        dated = [d for d in (when_date(m.when) for m in content.timeline) if d is not None]
        start = self.meeting or (min(dated) if dated else None)
        self.steering = steering_dates(start, max(dated, default=None)) if start else []

    def when(self, text: str | None, day: dt.date | None) -> str:
        """How the plan writes a date: a quarter as a quarter, else the day."""
        if text and QUARTER.match(text):
            return self.fmt.date(text, short=True)
        return self.fmt.date(day) if day else self.fmt.date(text) if text else ""

    def milestone(self, m: Milestone, key: str, text: str, event: str) -> Action:
        day = when_date(m.when)
        return Action(
            f"{key}-{_slug(m.milestone)}",
            text,
            day,
            self.when(m.when, day),
            _fill(event, milestone=m.milestone),
        )

    def actions(
        self, audience: Audience, tools: Sequence[str], tips: Sequence[str]
    ) -> list[Action]:
        t, a, ev = self.t, self.t["actions"], self.t["events"]
        name = audience.name.casefold() if audience.name.isupper() else audience.name
        who = name[:1].lower() + name[1:] if name[1:2].islower() else name
        occasion = self.c.project.occasion or self.project_title
        out: list[Action] = []
        if self.meeting is not None:
            out.append(
                Action(
                    "meeting",
                    _fill(a["meeting"], occasion=occasion),
                    self.meeting,
                    self.fmt.date(self.meeting),
                    _fill(ev["meeting"], occasion=occasion, title=self.project_title),
                )
            )
            if "thinking-hats" in tools:
                out.append(
                    Action(
                        "meeting",
                        _fill(a["hats"], occasion=occasion),
                        self.meeting,
                        self.fmt.date(self.meeting),
                        _fill(ev["meeting"], occasion=occasion, title=self.project_title),
                    )
                )
        if self.decision is not None:
            text = a.get(f"decision_{audience.focus}", a["decision_added-value"])
            out.append(
                self.milestone(
                    self.decision,
                    "decision",
                    _fill(text, milestone=self.decision.milestone),
                    ev["decision"],
                )
            )
        if "kvs" in tools:
            for x in self.c.collaboration:
                day = when_date(x.when)
                out.append(
                    Action(
                        f"kvs-{_slug(x.department)}",
                        _fill(
                            a["kvs"],
                            department=x.department,
                            opportunity=plain(x.opportunity or ""),
                        ).rstrip(": "),
                        day,
                        self.when(x.when, day),
                        _fill(ev["kvs"], department=x.department),
                    )
                )
        kinds: dict[str, list[str]] = t.get("tip_kinds", {})
        for tip in tips:
            low = tip.casefold()
            kind = next((k for k, words in kinds.items() if any(w in low for w in words)), None)
            made = self.tip_actions(kind, who, audience) if kind else []
            out += made or [Action(f"tip-{_slug(tip)}", tip)]
        dated = sorted((x for x in out if x.date is not None), key=lambda x: x.date or dt.date.min)
        return dated + [x for x in out if x.date is None]

    def tip_actions(self, kind: str, who: str, audience: Audience) -> list[Action]:
        """The concrete actions of a tip of ``kind`` for this project; [] when the content has
        nothing to make it concrete (the tip is then kept as written)."""
        a, ev, c = self.t["actions"], self.t["events"], self.c
        if kind == "visit":
            visit = c.visit
            if visit is None:
                return [Action("visit-undated", _fill(a["visit_undated"], audience=who))]
            day = when_date(visit.when)
            what = ", ".join(x for x in (visit.title, visit.where, self.when(visit.when, day)) if x)
            return [
                Action(
                    "visit",
                    _fill(a["visit"], audience=who, visit=what),
                    day,
                    self.when(visit.when, day),
                    _fill(ev["visit"], visit=visit.title),
                )
            ]
        if kind == "steering":
            return [
                Action(
                    f"steering-{d.year}-q{_quarter(d)[1]}",
                    a["steering"],
                    d,
                    self.fmt.date(d),
                    _fill(ev["steering"], title=self.project_title),
                )
                for d in self.steering
            ]
        if kind == "early" and self.decision is not None and self.decision_date is not None:
            day = _workday(self.decision_date - dt.timedelta(days=28))
            return [
                Action(
                    "early",
                    _fill(a["early"], milestone=self.decision.milestone),
                    day,
                    self.fmt.date(day),
                    _fill(ev["early"], title=self.project_title),
                )
            ]
        if kind == "results":
            out = [
                self.milestone(
                    m,
                    "results",
                    _fill(a["results"], audience=who, milestone=m.milestone),
                    ev["results"],
                )
                for m in self.open
                if m is not self.decision
            ]
            if c.results:
                out.append(
                    Action(
                        "results-latest",
                        _fill(a["results_latest"], result=plain(c.results[-1].text)),
                    )
                )
            return out
        if kind == "celebrate" and self.open:
            last = self.open[-1]
            holder = c.project.portfolio_holder or self.t["holder_default"]
            return [
                self.milestone(
                    last,
                    "celebrate",
                    _fill(a["celebrate"], holder=holder, milestone=last.milestone),
                    ev["celebrate"],
                )
            ]
        if kind == "drivers" and c.policy and c.policy.coalition_agreement:
            names = [self.t.get("drivers", {}).get(d, d) for d in audience.drivers]
            text = _fill(
                a["drivers"], drivers=", ".join(names), items=_items(c.policy.coalition_agreement)
            )
            return [Action("drivers", text)]
        if kind == "programmes" and c.policy:
            out = []
            if c.policy.contributions:
                items = [f"{x.programme}: {plain(x.contribution)}" for x in c.policy.contributions]
                out.append(Action("programmes", _fill(a["programmes"], items=_items(items))))
            elif c.policy.programmes:
                out.append(
                    Action("programmes", _fill(a["programmes"], items=_items(c.policy.programmes)))
                )
            if c.policy.initiatives:
                out.append(
                    Action(
                        "initiatives", _fill(a["initiatives"], items=_items(c.policy.initiatives))
                    )
                )
            return out
        if kind == "common" and (c.collaboration or c.values):
            departments = _items([x.department for x in c.collaboration]) or "…"
            gains = _items([g.value for g in c.values.gains]) if c.values else ""
            return [Action("common", _fill(a["common"], departments=departments, gains=gains))]
        if kind == "image" and c.images:
            image = next((i for i in c.images if i.role == "artist-impression"), c.images[0])
            return [Action("image", _fill(a["image"], caption=image.caption or image.alt))]
        if kind == "attention" and self.open:
            # After the next milestone: at the start of the quarter that follows it.
            m = self.open[0]
            day = when_date(m.when)
            after = _next_quarter(day) if day else None
            return [
                Action(
                    f"attention-{_slug(m.milestone)}",
                    _fill(a["attention"], audience=who, milestone=m.milestone),
                    after,
                    self.fmt.date(f"{after.year}-Q{_quarter(after)[1]}", short=True)
                    if after
                    else "",
                    _fill(ev["attention"], title=self.project_title),
                )
            ]
        return []


def engagement_plan(
    project: Project, audiences: Sequence[tuple[str, Audience]], labels: dict[str, Any]
) -> EngagementPlan:
    """The plan of ``project`` for its ``audiences`` (key, audience) in the project's language
    (``labels``: the labels of that language)."""
    from generator.compose.selection import stage_plan

    content = project.content
    fmt = Formatter(content.language)
    t = labels["engagement_plan"]
    planner = _Planner(content, labels, fmt)
    plans = []
    for key, audience in audiences:
        _, stage = stage_plan(audience, content.stage)
        actions = planner.actions(audience, stage.tools, stage.tips)
        objections = (
            tuple(
                (o.objection, plain(o.answer) if o.answer else t["no_answer"])
                for o in content.objections
            )
            if audience.focus == "added-value"
            else ()
        )
        plans.append(
            AudiencePlan(
                key,
                audience.name,
                audience.who or "",
                stage.goal,
                tuple(t["tool_names"].get(tool, tool) for tool in stage.tools),
                tuple(_unique(actions)),
                objections,
            )
        )
    return EngagementPlan(
        project.slug,
        content.project.title,
        content.project.municipality,
        content.language,
        t,
        labels["stage_names"].get(content.stage, content.stage),
        tuple(plans),
    )


def _unique(actions: Sequence[Action]) -> list[Action]:
    """Each action once (two tips may ask for the same thing)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for a in actions:
        if (a.key, a.text) not in seen:
            seen.add((a.key, a.text))
            out.append(a)
    return out


# -- the Word document ------------------------------------------------------------------------

_TABLE_LOOK = {
    "val": "0420",
    "firstRow": "1",
    "lastRow": "0",
    "firstColumn": "0",
    "lastColumn": "0",
    "noHBand": "1",
    "noVBand": "1",
}


def plan_docx(plan: EngagementPlan, theme: Theme, created: dt.datetime) -> bytes:
    """The plan as a .docx on the theme's Word template (its styles, header and footer): a
    calendar of the dated actions, then per audience its goal, tools, actions and objections."""
    from docx.shared import Pt

    from generator.compose.formats import LANGUAGE_TAGS
    from generator.handout import builder as w

    doc = w._open_template(theme.handout_template)
    w.neutralise_template(doc)
    w._clear_body(doc)
    found = w._style_index(doc)
    title = w.find_style(doc, "title", found) or w._add_style(doc, "Title", None, False)
    subtitle = w.find_style(doc, "subtitle", found) or w._add_style(doc, "Subtitle", None, False)
    h1 = w.find_style(doc, "heading1", found) or w._add_style(doc, "Heading 1", 0)
    h2 = w.find_style(doc, "heading2", found) or w._add_style(doc, "Heading 2", 1)
    for style in (h1, h2):
        style.paragraph_format.keep_with_next = True
    normal = w._default_paragraph_style(doc) or doc.styles["Normal"]
    if normal.font.size is None or normal.font.size < Pt(10):
        normal.font.size = Pt(10.5)  # a working document, read on screen and printed
    if title.font.size is None or title.font.size < Pt(18):
        title.font.size = Pt(22)  # a report's Title style may be body-sized (its cover sets it)
    if theme.spec.fonts.body:
        w._set_font(normal, theme.spec.fonts.body)
    if theme.spec.fonts.heading:
        for style in (title, h1, h2):
            w._set_font(style, theme.spec.fonts.heading)
    own = w._heading_colour(doc)
    colour = w._readable(f"#{own}" if own else theme.spec.colors.primary, on="F2F2F2")
    t = plan.labels
    body = doc.element.body
    sect = body.find(w._W_SECT_PR)
    section: Any = w.DocxSection(sect, doc.part)
    w._page_setup(section, sect)  # A4 portrait, the template's own margins
    width = w.Emu(section.page_width - section.left_margin - section.right_margin).twips

    def paragraph(text: str = "", style: Any = None, bold_lead: str = "") -> Any:
        p = body.makeelement(w._W_P)
        sect.addprevious(p)
        w._set_style(p, _style_id(style, normal))
        # The plan's texts are plain text (Markdown fields were made plain when planning):
        # escaped, they are shown exactly as written.
        if bold_lead:
            w._add_runs(p, doc.part, escape(bold_lead), bold=True)
        if text:
            w._add_runs(p, doc.part, escape(text))
        return p

    def table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]) -> None:
        tbl = body.makeelement(w._W + "tbl")
        sect.addprevious(tbl)
        tblpr = w._sub(tbl, "tblPr")
        w._sub(tblpr, "tblW", w=str(sum(widths)), type="dxa")
        w._sub(tblpr, "tblInd", w="0", type="dxa")
        borders = w._sub(tblpr, "tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):  # schema order
            if side in ("left", "right", "insideV"):
                w._border(borders, side, "nil", 0, "auto")
            else:
                w._border(borders, side, "single", 4, "BFBFBF")
        w._sub(tblpr, "tblLayout", type="fixed")
        margins = w._sub(tblpr, "tblCellMar")
        for side, value in (("top", "40"), ("left", "85"), ("bottom", "40"), ("right", "85")):
            w._sub(margins, side, w=value, type="dxa")
        w._sub(tblpr, "tblLook", **_TABLE_LOOK)
        grid = w._sub(tbl, "tblGrid")
        for cw in widths:
            w._sub(grid, "gridCol", w=str(cw))
        for r, row in enumerate([header, *rows]):
            tr = w._sub(tbl, "tr")
            trpr = w._sub(tr, "trPr")
            w._sub(trpr, "cantSplit")
            if r == 0:
                w._sub(trpr, "tblHeader")  # repeats on every page; TH in a tagged PDF
            for cw, text in zip(widths, row, strict=True):
                tc = w._sub(tr, "tc")
                tcpr = w._sub(tc, "tcPr")
                w._sub(tcpr, "tcW", type="dxa", w=str(cw))
                if r == 0:
                    w._cell_fill(tcpr, "F2F2F2")
                p = w._sub(tc, "p")
                w._spacing(p, before="0", after="0")
                w._add_runs(
                    p, doc.part, escape(text), bold=r == 0 or None, color=colour if r == 0 else None
                )
        paragraph()  # a table is never the body's last element before its section properties

    paragraph(_fill(t["title"], title=plan.title), title)
    paragraph(_fill(t["subtitle"], municipality=plan.municipality, stage=plan.stage), subtitle)
    paragraph(_fill(t["intro"], calendar=f"{plan.slug}-engagement-plan.ics"))
    events = plan.events()
    if events:
        paragraph(t["calendar_heading"], h1)
        everyone = len(plan.audiences) > 1
        names = {a.name for a in plan.audiences}
        rows = []
        for e in events:
            who = {n for n, _ in e.lines}
            rows.append(
                (
                    e.when,
                    e.title,
                    t["everyone"]
                    if everyone and who == names
                    else ", ".join(dict.fromkeys(n for n, _ in e.lines)),
                )
            )
        table(
            [t["calendar_when"], t["calendar_what"], t["calendar_who"]],
            rows,
            _split(width, (0.22, 0.5, 0.28)),
        )
    for a in plan.audiences:
        paragraph(a.name, h1)
        if a.who:
            paragraph(a.who, bold_lead=f"{t['who']}: ")
        paragraph(a.goal, bold_lead=f"{t['goal']}: ")
        paragraph(t["tools"], h2)
        for tool in a.tools:
            paragraph(f"• {tool}")
        if a.actions:
            paragraph(t["actions_heading"], h2)
            table(
                [t["action_when"], t["action_what"]],
                _action_rows(a.actions, t["no_date"]),
                _split(width, (0.22, 0.78)),
            )
        if a.objections:
            paragraph(t["objections"], h2)
            for objection, answer in a.objections:
                paragraph(objection, bold_lead=f"{t['objection']}: ")
                paragraph(answer, bold_lead=f"{t['answer']}: ")
    return w.finish_document(
        doc,
        language=LANGUAGE_TAGS[plan.language],
        title=_fill(t["title"], title=plan.title),
        subject="",
        author=plan.municipality,
        created=created,
    )


def _action_rows(actions: Sequence[Action], ongoing: str) -> list[tuple[str, str]]:
    """(when, what) per action; a repeated action (the steering group each quarter) is one row
    from its first to its last date (the calendar has each)."""
    rows: dict[str, list[str]] = {}
    for x in actions:
        rows.setdefault(x.text, []).append(x.when or ongoing)
    return [
        (whens[0] if len(whens) == 1 else f"{whens[0]} – {whens[-1]}", text)
        for text, whens in rows.items()
    ]


def _style_id(style: Any, normal: Any) -> str | None:
    if style is None or style.element is normal.element:
        return None
    return str(style.style_id)


def _split(width: int, shares: Sequence[float]) -> list[int]:
    """Column widths (twips) of ``width`` by ``shares``; the last takes what rounding leaves."""
    widths = [int(width * s) for s in shares[:-1]]
    return [*widths, width - sum(widths)]


# -- the calendar -----------------------------------------------------------------------------


def plan_ics(plan: EngagementPlan, created: dt.datetime) -> bytes:
    """The plan's dated actions as an iCalendar file: one all-day event per action key (its
    audiences' actions in the description), UID from the project and the key, DTSTAMP
    ``created``: the same plan gives the same bytes, and a rebuilt file updates its events."""
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    calendar = Calendar()
    calendar.add("prodid", "-//pitchkit//engagement plan//" + plan.language.upper())
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _fill(plan.labels["title"], title=plan.title))
    stamp = created.replace(tzinfo=dt.UTC)
    domain = _slug(plan.municipality) or "pitchkit"
    for e in plan.events():
        event = IcsEvent()
        event.add("uid", f"{plan.slug}-{e.key}@{domain}.pitchkit")
        event.add("dtstamp", stamp)
        event.add("dtstart", e.date)
        event.add("dtend", e.date + dt.timedelta(days=1))
        event.add("summary", e.title)
        event.add("description", "\n".join(f"{n}: {text}" for n, text in e.lines))
        event.add("transp", "TRANSPARENT")  # a reminder to act, not time taken
        calendar.add_component(event)
    return calendar.to_ical()


# -- as build documents -----------------------------------------------------------------------


def engagement_documents(
    workspace: Workspace, project: Project, out: Path, audience_keys: Sequence[str]
) -> list[Document]:
    """``P/P-engagement-plan.docx`` and, when it has dated actions, ``P/P-engagement-plan.ics``
    for ``project`` (every audience it has, in ``audience_keys`` order), in memory."""
    from generator.compose.templating import TemplateLibrary
    from generator.ooxml.package import document_time
    from generator.pipeline.jobs import Document

    library = TemplateLibrary.for_project(project.folder, workspace.root)
    labels = library.labels(project.content.language)
    audiences = [(key, workspace.audience(project, key)) for key in audience_keys]
    plan = engagement_plan(project, audiences, labels)
    created = document_time(project.content.project.date)
    folder = out / project.slug
    name = f"{project.slug}-engagement-plan"
    documents = [
        Document(
            project.slug, "", KIND, folder / f"{name}.docx", plan_docx(plan, project.theme, created)
        )
    ]
    if plan.events():  # a calendar holds at least one event (RFC 5545)
        calendar = plan_ics(plan, created)
        documents.append(
            Document(project.slug, "", CALENDAR_KIND, folder / f"{name}.ics", calendar)
        )
    return documents
