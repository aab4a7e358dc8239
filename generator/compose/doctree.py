"""The document tree: what templates produce and builders consume.

Contract: a :class:`Deck` is an ordered list of :class:`Slide` (each with a ``kind``, a title,
kind-specific body fields and speaker notes); a :class:`Handout` is a header plus prioritised
:class:`Section` rows. Text fields hold inline Markdown; templates write content into it through
the ``text``, ``bold``, ``italic`` and ``link`` filters, so that it shows as written. Builders read
only this tree, never the content, so adding a slide kind is one template block and one builder
function.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from generator.compose.inline import SAFE_SCHEMES, safe_link

SlideKind = Literal[
    "title",
    "agenda",
    "section",
    "statement",
    "bullets",
    "two-columns",
    "image",
    "table",
    "numbers",
    "timeline",
    "chart",
    "closing",
    "balance",
    "hats",
    "matrix",
]


class Node(BaseModel):
    """Base: templates may not invent fields (a typo in a template is an error, not a gap)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_absent(cls, data: Any) -> Any:
        # A template block whose loop produced nothing emits `items:` (null): same as absent.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


class Item(Node):
    """A bullet: text (inline Markdown) at level 0 or 1."""

    text: str
    level: int = Field(default=0, ge=0, le=1)


class Column(Node):
    """One column of a two-column slide."""

    heading: str | None = None
    items: list[Item] = []
    key: str | None = None  # what the column stands for, e.g. a hat colour ("white") or "gains"


class Picture(Node):
    """A picture: resolved file path, alt text and caption."""

    path: str
    alt: str = Field(min_length=1)
    caption: str | None = None


class Table(Node):
    """A table with one header row; ``numeric`` marks right-aligned columns."""

    header: list[str]
    rows: list[list[str]]
    numeric: list[int] = []


class BigNumber(Node):
    """A figure shown large: value, what it measures, and a detail line."""

    value: str
    label: str
    detail: str | None = None


class Step(Node):
    """A milestone on a timeline."""

    when: str
    text: str
    done: bool = False


class Series(Node):
    """One data series of a chart."""

    name: str
    values: list[float | None]  # None: no bar or point in that category


class Chart(Node):
    """A native, editable chart; ``alt`` is written from the data."""

    type: Literal["bar", "line"] = "bar"
    title: str | None = None  # what it shows, with its unit: "Besparing in euro"
    categories: list[str]
    series: list[Series]
    number_format: str = "#,##0"
    alt: str
    # A category to point out (the break-even year): its bars carry ``mark_label``.
    mark: int | None = None
    mark_label: str | None = None
    # Every bar carries its value (few bars whose values matter more than the axis).
    value_labels: bool = False


class Slide(Node):
    """One slide; which body fields a kind uses is up to its builder function."""

    kind: SlideKind
    title: str
    subtitle: str | None = None
    items: list[Item] = []
    columns: list[Column] = []
    picture: Picture | None = None
    table: Table | None = None
    numbers: list[BigNumber] = []
    steps: list[Step] = []
    chart: Chart | None = None
    charts: list[Chart] = []  # further charts, shown beside ``chart``
    notes: str = Field(min_length=1)
    backup: bool = False


class Deck(Node):
    """A pitch deck: metadata and slides."""

    title: str
    subject: str | None = None
    author: str
    language: str
    slides: list[Slide] = Field(min_length=1)
    main_slides: int | None = None
    """At most this many main slides (the audience's cap): pages of a slide that runs over
    continue in the back-up instead."""


class Section(Node):
    """A handout section; a lower ``priority`` is dropped first when the page is full."""

    key: str
    heading: str | None = None
    topic: str | None = None  # what "Meer: ..." calls it when left out; default: the heading
    priority: int = 50
    paragraphs: list[str] = []
    items: list[Item] = []
    table: Table | None = None
    steps: list[Step] = []


class Handout(Node):
    """A one-page handout: header, headline, key message, sections, footer."""

    title: str
    subtitle: str | None = None
    municipality: str
    headline: str
    key_message: str
    language: str
    sections: list[Section] = []
    qr_url: str | None = None
    footer: str | None = None
    # Where what the fit left out can be found, "{topics}" naming it ("Meer: {topics} op ...");
    # ``more_and`` joins the last two topics.
    more: str | None = None
    more_and: str = "and"

    @field_validator("qr_url")
    @classmethod
    def _qr_is_web_address(cls, value: str | None) -> str | None:
        # A QR code is a link the reader follows with a phone: the same schemes as any link.
        if value is not None and not safe_link(value):
            raise ValueError(f"must start with one of {', '.join(SAFE_SCHEMES)}")
        return value
