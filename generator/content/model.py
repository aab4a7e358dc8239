"""The content model: content format version 1 (DESIGN.md), one documented attribute per field.

These classes are the public content interface: keys are English, values are in the project's
language. Only ``project.title``, ``project.municipality`` and ``pitch.key_message`` are required;
the documents adapt when anything else is absent. New optional fields may be added; existing ones
are never renamed. ``pitchkit schema`` prints the JSON Schema generated from these classes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic.fields import FieldInfo

from generator.compose.inline import SAFE_SCHEMES, links, safe_link

Language = Literal["nl", "en"]
StageKey = Literal["start", "pilot", "scale-up", "operation"]
ToolKey = Literal[
    "project-pitch", "smart-city-presentation", "kvs", "thinking-hats", "values-balance", "idea-box"
]
STAGES: tuple[str, ...] = ("start", "pilot", "scale-up", "operation")
TOOLS: tuple[str, ...] = (
    "project-pitch",
    "smart-city-presentation",
    "kvs",
    "thinking-hats",
    "values-balance",
    "idea-box",
)


def _as_text(value: object) -> object:
    """Dates and numbers written where text is meant (``when: 2027``) become text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


def _safe_links(value: str) -> str:
    """A Markdown link may only point at a web, mail or phone address (inline.SAFE_SCHEMES)."""
    for href in links(value):
        if not safe_link(href.strip()):
            allowed = ", ".join(SAFE_SCHEMES)
            raise ValueError(
                f"the link to '{href}' is not allowed: a link must start with {allowed} "
                "(a link to a file, a network share or a program would open it on the reader's "
                "computer); link to a web page instead, or write the text without a link"
            )
    return value


Text = Annotated[str, BeforeValidator(_as_text)]
"""Text shown exactly as written: a name, title, label, date or address (no Markdown)."""

Markdown = Annotated[str, BeforeValidator(_as_text), AfterValidator(_safe_links)]
"""Prose that may use inline Markdown: bold, italic, links to https, http, mailto and tel."""


def allows_markdown(info: FieldInfo) -> bool:
    """Whether a field (``Markdown``, or a list or optional of it) is inline Markdown; every
    other text field is shown exactly as written."""
    return "_safe_links" in repr((info.annotation, info.metadata))


MAX_NUMBER = 1e15
"""Amounts and KPI values beyond this are typing errors, and number formatting cannot show them."""

Amount = Annotated[float, Field(ge=0, le=MAX_NUMBER, allow_inf_nan=False)]
"""An amount of money: not negative, finite (not .nan or .inf), at most MAX_NUMBER."""

Year = Annotated[int, Field(ge=1900, le=2200)]
"""A calendar year, e.g. 2029."""
Measure = Annotated[float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER, allow_inf_nan=False)]
"""A measured value (a KPI's baseline or target): finite, at most MAX_NUMBER either way."""

PROPERTY_CHARS = 255
"""Office files hold the title, subject and author in fields of at most 255 characters."""

TITLE_CHARS = 200
"""A title longer than this cannot be a slide's title."""


class Strict(BaseModel):
    """Base: unknown keys are errors (typos must not vanish silently)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


class Contact(Strict):
    """Who to contact about the project."""

    name: Text | None = None
    """Full name of the contact person."""
    role: Text | None = None
    """Role, e.g. 'projectleider'."""
    email: Text | None = None
    """E-mail address, printed on the handout and the closing slide."""
    phone: Text | None = None
    """Phone number, printed as written."""


class ProjectInfo(Strict):
    """The project's identity: what it is called, whose it is, when it is presented."""

    title: Annotated[Text, Field(max_length=TITLE_CHARS)]
    """Required. The project's name, the title of every document."""
    subtitle: Text | None = None
    """One line under the title."""
    municipality: Annotated[Text, Field(max_length=TITLE_CHARS)]
    """Required. The municipality, e.g. 'Gemeente Voorbeeldstad'."""
    department: Text | None = None
    """The department that runs the project."""
    portfolio_holder: Text | None = None
    """The alderman (wethouder) responsible."""
    presenter: Text | None = None
    """Who presents the deck, e.g. 'Lotte de Vries, projectleider'; on the title slide
    (default: the contact's name and role)."""
    contact: Contact | None = None
    """Contact person, on the handout and the closing slide."""
    url: Text | None = None
    """Web page of the project: printed, and as a QR code on the handout."""
    date: dt.date | None = None
    """Date of the meeting (YYYY-MM-DD); also the documents' date."""
    occasion: Text | None = None
    """The meeting, e.g. 'Beeldvormende sessie gemeenteraad'."""
    version: Text | None = None
    """Which version of the documents this is, in words, e.g. 'tweede versie, na de
    commissie'; the handout's footer shows it after the date and the occasion."""

    @field_validator("url")
    @classmethod
    def _url_is_web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be a web address starting with https://")
        return value


class Pitch(Strict):
    """The story: one key message and what leads up to it."""

    key_message: Annotated[Markdown, Field(max_length=PROPERTY_CHARS)]
    """Required. The key message (kernboodschap) in one sentence."""
    hook: Markdown | None = None
    """A striking fact or short story to open with."""
    problem: Markdown | None = None
    """Why now: the reason for the project (aanleiding)."""
    solution: Markdown | None = None
    """What we will do."""
    ask: Markdown | None = None
    """What we ask of this audience: a decision, a budget, an ambassador, a visit."""


class Benefit(Strict):
    """One benefit (meerwaarde) of the project."""

    title: Text
    """Short name of the benefit."""
    text: Markdown | None = None
    """One or two sentences explaining it."""
    themes: list[Text] = []
    """Themes such as sustainability or money, matched against the audience's drivers."""


class Kpi(Strict):
    """A measurable goal: from a baseline to a target by a year."""

    name: Text
    """What is measured, e.g. 'Energieverbruik'."""
    baseline: Measure | None = None
    """The value today."""
    target: Measure | None = None
    """The value aimed for."""
    unit: Text | None = None
    """Unit, e.g. 'kWh/jaar'."""
    by: Text | None = None
    """When the target is to be met, e.g. 2028."""
    result: Measure | None = None
    """The latest measured value, in the same unit (e.g. from the pilot, scaled up)."""
    short: Text | None = None
    """A short name for titles, e.g. 'stroom' (default: the name)."""


class Funding(Strict):
    """One source of money for the investment."""

    source: Text
    """Where the money comes from, e.g. a subsidy or a budget line."""
    amount: Amount | None = None
    """The amount, in the costs' currency."""


class Costs(Strict):
    """Investment, running costs, savings and cover."""

    currency: Text = "EUR"
    """ISO currency code."""
    investment: Amount | None = None
    """One-off investment."""
    yearly: Amount | None = None
    """Yearly running costs."""
    savings_yearly: Amount | None = None
    """Yearly savings."""
    funding: list[Funding] = []
    """How the investment is covered (dekking)."""
    investment_year: Year | None = None
    """The year the investment is made; default: the year of the timeline's last milestone."""
    savings_from: Year | None = None
    """The first full year of savings; default: the year after the investment year. The
    cumulative savings in the charts count from this year."""


class Contribution(Strict):
    """What the project adds to one policy programme (or coalition item)."""

    programme: Text
    """The programme, written as in ``programmes`` (or a coalition agreement item)."""
    contribution: Markdown
    """What this project contributes to it, e.g. '240 ton minder CO₂ per jaar'."""


class Policy(Strict):
    """The bigger picture: what the project serves."""

    coalition_agreement: list[Text] = []
    """Items of the coalition agreement the project serves."""
    programmes: list[Text] = []
    """Policy programmes the project is part of."""
    initiatives: list[Text] = []
    """Citizen initiatives the project connects to."""
    contributions: list[Contribution] = []
    """Per programme what this project contributes to it; the bigger-picture slide says it
    beside the programme."""


class Milestone(Strict):
    """A milestone on the timeline."""

    when: Text
    """When, e.g. 2027-Q2 or 2027-06-01."""
    milestone: Text
    """What happens."""
    done: bool = False
    """Whether it has been reached."""


class Result(Strict):
    """An interim result to show."""

    when: Text | None = None
    """When it was reached."""
    text: Markdown
    """The result."""


class Risk(Strict):
    """A risk (kanttekening) and the measure against it."""

    risk: Text
    """The risk."""
    mitigation: Markdown | None = None
    """What is done about it."""


class Alternative(Strict):
    """An alternative that was considered."""

    option: Text
    """The alternative."""
    why_not: Markdown | None = None
    """Why it was not chosen."""


class ValueGain(Strict):
    """A value the project serves (values balance)."""

    value: Text
    """The value, e.g. 'Duurzaamheid'."""
    how: Markdown | None = None
    """How the project serves it."""


class ValueTension(Strict):
    """A value that may clash with the project, and how that is addressed."""

    value: Text
    """The value, e.g. 'Privacy'."""
    how_addressed: Markdown | None = None
    """How the tension is addressed."""


class Values(Strict):
    """The values balance (waardenweegschaal)."""

    gains: list[ValueGain] = []
    """Values the project serves."""
    tensions: list[ValueTension] = []
    """Values that may clash."""


class Privacy(Strict):
    """Personal data and the data protection impact assessment (DPIA)."""

    personal_data: bool | None = None
    """Whether personal data is processed."""
    dpia: Literal["not-needed", "planned", "done"] | None = None
    """State of the DPIA: not-needed, planned or done."""
    notes: Markdown | None = None
    """Explanation."""


class Collaboration(Strict):
    """An opportunity to work with another department (KVS)."""

    department: Text
    """The department."""
    opportunity: Markdown | None = None
    """What could be done together."""
    when: Text | None = None
    """By when we ask the department to join, e.g. 2027-Q2 (the KVS slide's request)."""


class Objection(Strict):
    """An objection heard, with the answer (for doubters)."""

    objection: Text
    """The objection."""
    answer: Markdown | None = None
    """The answer."""


class Visit(Strict):
    """A (digital) site visit to invite the audience to."""

    title: Text
    """What the visit is, e.g. 'Fietstocht langs de nieuwe verlichting'."""
    where: Text | None = None
    """Where."""
    when: Text | None = None
    """When."""


class Image(Strict):
    """An image beside project.yaml: an artist impression, a map, a photo."""

    file: Text
    """Path relative to the project folder, e.g. images/impressie.png (PNG, JPEG or GIF)."""
    alt: Text = Field(min_length=1)
    """Required. What the image shows, for people who cannot see it (not the file name)."""
    caption: Text | None = None
    """Caption shown under the image."""
    role: Text | None = None
    """What it is, e.g. artist-impression or map."""


class ProjectFile(Strict):
    """``content/<project>/project.yaml``: one project."""

    language: Language = "nl"
    """nl or en: labels, number, money and date formats, language tags."""
    theme: Text = "default"
    """A theme name, or a path to a theme folder or a .pptx/.potx."""
    stage: StageKey = "start"
    """start, pilot, scale-up or operation."""
    audiences: list[Text] | None = None
    """Which audience groups get documents; default: every group in audiences.yaml."""
    project: ProjectInfo
    """Required. The project's identity."""
    pitch: Pitch
    """Required. The story."""
    benefits: list[Benefit] = []
    """The benefits (meerwaarde); their themes are matched against audience drivers."""
    kpis: list[Kpi] = []
    """Measurable goals."""
    costs: Costs | None = None
    """Investment, running costs, savings, funding."""
    policy: Policy | None = None
    """The bigger picture: coalition agreement, programmes, initiatives."""
    timeline: list[Milestone] = []
    """Milestones."""
    results: list[Result] = []
    """Interim results."""
    risks: list[Risk] = []
    """Risks with mitigations."""
    alternatives: list[Alternative] = []
    """Alternatives considered."""
    values: Values | None = None
    """The values balance."""
    privacy: Privacy | None = None
    """Personal data and DPIA."""
    collaboration: list[Collaboration] = []
    """Collaboration opportunities with other departments (KVS)."""
    objections: list[Objection] = []
    """Objections with answers."""
    visit: Visit | None = None
    """A site visit."""
    images: list[Image] = []
    """Images beside project.yaml."""


class StagePlan(Strict):
    """What an audience needs at one project stage."""

    goal: Text
    """The goal of the communication at this stage."""
    tools: list[ToolKey] = ["project-pitch"]
    """Toolkit tools to use: project-pitch, smart-city-presentation, kvs, thinking-hats,
    values-balance, idea-box."""
    tips: list[Text] = []
    """Tips for the project lead at this stage."""


class Audience(Strict):
    """An audience group, or one named person."""

    name: Text
    """Shown name, e.g. 'Voorstanders & aanhangers' or 'Wethouder De Vries'."""
    who: Text | None = None
    """Who belongs to it."""
    focus: Literal["main-lines", "added-value"] = "main-lines"
    """main-lines: inform and enthuse on the main lines (supporters); added-value: the added
    value in the bigger picture, with risks, alternatives and objections (doubters)."""
    drivers: list[Text] = []
    """What drives them, matched against benefit themes, e.g. [money, sustainability]."""
    stages: dict[StageKey, StagePlan] = Field(min_length=1)
    """Goal, tools and tips per project stage (start, pilot, scale-up, operation)."""


class SmartCity(Strict):
    """``content/smart-city.yaml``: the workspace's own introduction to 'smart city'."""

    language: Language = "nl"
    """The language this text is in; projects in another language get pitchkit's default text."""
    definition: Markdown
    """What a smart city is, in one or two sentences."""
    why: list[Markdown] = []
    """Why it matters for this municipality."""
    examples: list[Markdown] = []
    """Examples."""
