"""The project lead's playbook: goals and tips never reach the audience; the engagement plan
(.docx) and its calendar (.ics) carry them, per audience, dated where the content allows."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import icalendar
import pytest
import yaml
from docx import Document
from pptx import Presentation

from generator.compose.engagement import steering_dates, when_date
from generator.pipeline.build import build
from tests.conftest import EXAMPLE_CONTENT, MINIMAL_PROJECT, write

NEWS = Path(__file__).resolve().parent.parent / "data" / "workspaces" / "news"
NL = "slimme-verlichting"
EN = "smart-bins"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def playbook(content: Path) -> list[str]:
    """Every goal and tip of the workspace's audiences files (every language)."""
    texts = []
    for path in sorted(content.glob("audiences*.yaml")):
        groups = yaml.safe_load(path.read_text(encoding="utf-8"))
        for group in groups.values():
            for plan in group["stages"].values():
                texts += [plan["goal"], *plan.get("tips", [])]
    return texts


def shown_text(path: Path) -> str:
    """What a reader of a deck (slides, not notes) or a handout (body, headers, footers) sees."""
    if path.suffix == ".pptx":
        parts = []
        for slide in Presentation(str(path)).slides:
            for shape in slide.shapes:
                if shape.has_text_frame:
                    parts.append(shape.text_frame.text)
                if shape.has_table:
                    parts += [c.text for row in shape.table.rows for c in row.cells]
        return _norm(" ".join(parts))
    with zipfile.ZipFile(path) as z:
        xml = " ".join(
            z.read(n).decode("utf-8")
            for n in z.namelist()
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)
        )
    return _norm(" ".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)))


def plan_text(path: Path) -> list[str]:
    """The plan's lines in reading order: a paragraph each, a table row as ``cell | cell``."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = Document(str(path))
    lines = []
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines += [" | ".join(c.text for c in row.cells) for row in block.rows]
    return lines


@pytest.fixture(scope="module")
def news_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("news")
    shutil.copytree(NEWS / "content", root / "content")
    build(root, jobs=1)
    return root / "output"


@pytest.mark.parametrize("workspace_name", ["example", "news"])
def test_goals_and_tips_never_reach_the_audience(
    workspace_name: str, built: Path, news_out: Path
) -> None:
    out, content = (
        (built, EXAMPLE_CONTENT) if workspace_name == "example" else (news_out, NEWS / "content")
    )
    texts = playbook(content)
    assert len(texts) > 20
    audience_files = sorted(out.glob("*/*-pitch.pptx")) + sorted(out.glob("*/*-handout.docx"))
    assert len(audience_files) == 8  # two projects, two audiences, a deck and a handout each
    for path in audience_files:
        seen = shown_text(path)
        leaked = [t for t in texts if _norm(t)[:40] in seen]
        assert not leaked, (path.name, leaked)
    # ... and the project lead finds each goal of the project's stage in the engagement plan.
    for plan in sorted(out.glob("*/*-engagement-plan.docx")):
        text = _norm(" ".join(plan_text(plan)))
        assert sum(_norm(t) in text for t in texts) >= 2, plan.name  # a goal per audience


def test_the_plan_per_audience_in_dutch(built: Path) -> None:
    lines = plan_text(built / NL / f"{NL}-engagement-plan.docx")
    text = "\n".join(lines)
    assert lines[0] == "Draagvlakplan: Slimme openbare verlichting"
    assert "voor de projectleider, niet om uit te delen" in lines[1]
    # per audience: its heading, its goal at the pilot stage, its tools, its actions
    supporters = text.index("\nVoorstanders & aanhangers\n")
    doubters = text.index("\nTwijfelaars & tegenstanders\n")
    assert supporters < doubters
    mine, theirs = text[supporters:doubters], text[doubters:]
    assert (
        "Doel in deze fase: Draagvlak borgen door op hoofdlijnen te informeren over de pilot"
        in mine
    )
    assert "Doel in deze fase: Informeren over de meerwaarde die de pilot laat zien" in theirs
    assert "Denkhoeden" in theirs and "Denkhoeden" not in mine
    # tips as dated actions: the visit, interim results at the open milestones, the steering group
    assert "25 maart 2027 | Nodig hen uit voor het werkbezoek: Avondwandeling" in mine
    assert "Q3 2027 | Laat tussentijdse resultaten zien rond: Evaluatie pilot" in mine
    assert re.search(
        r"\d+ mei 2027 – \d+ november 2028 \| Stuurgroep \(voorstel: elk kwartaal", mine
    )
    assert "Q4 2027 | Bereid voor het besluit de bezwaren en antwoorden voor" in theirs
    assert "Q2 2027 | Vraag Duurzaamheid en Milieu om mee te doen" in theirs  # KVS
    # the objections to prepare, with their answers: for the doubters only
    assert "Bezwaar: Donkere straten zijn onveiliger." in theirs
    assert "Antwoord: We dimmen alleen na middernacht" in theirs
    assert "Bezwaar:" not in mine
    # the calendar at the top: every dated action once, whoever it is for
    assert (
        "11 maart 2027 | Beeldvormende sessie gemeenteraad: Slimme openbare verlichting"
        " | alle doelgroepen" in text
    )


def test_the_plan_in_english(built: Path) -> None:
    lines = plan_text(built / EN / f"{EN}-engagement-plan.docx")
    text = "\n".join(lines)
    assert lines[0].startswith("Engagement plan: ")
    assert "Goal at this stage: " in text and "Objections to prepare" in text
    assert "Doel" not in text and "Bezwaar" not in text
    # the decision milestone of the English content is found and dated to its quarter
    assert "Q4 2026 | Prepare the decision: Council decision on scale-up" in text
    # checking support again comes after the milestone it names: the quarter after it
    assert "Q1 2027 | After Council decision on scale-up, check again where this group" in text


def read_calendar(path: Path) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return list(calendar.walk("VEVENT"))


def test_the_calendar_opens_as_all_day_events_with_stable_uids(built: Path, tmp_path: Path) -> None:
    ics = built / NL / f"{NL}-engagement-plan.ics"
    events = read_calendar(ics)
    by_summary = {str(e["SUMMARY"]): e for e in events}
    visit = by_summary["Werkbezoek: Avondwandeling langs de nieuwe verlichting"]
    assert visit.decoded("DTSTART") == dt.date(2027, 3, 25)  # a date: an all-day event
    assert visit.decoded("DTEND") == dt.date(2027, 3, 26)
    assert "Stationskwartier" in str(visit["DESCRIPTION"])
    meeting = by_summary["Beeldvormende sessie gemeenteraad: Slimme openbare verlichting"]
    assert meeting.decoded("DTSTART") == dt.date(2027, 3, 11)
    decision = by_summary["Besluit voorbereiden: Raadsvoorstel opschaling naar de hele binnenstad"]
    assert decision.decoded("DTSTART") == dt.date(2027, 10, 1)  # 2027-Q4: its first working day
    steering = sorted(e.decoded("DTSTART") for e in events if "Stuurgroep" in str(e["SUMMARY"]))
    assert 4 <= len(steering) <= 8 and steering[0] > dt.date(2027, 3, 11)
    per_year = [sum(d.year == y for d in steering) for y in {d.year for d in steering}]
    assert max(per_year) <= 4
    assert all(not isinstance(e.decoded("DTSTART"), dt.datetime) for e in events)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert "slimme-verlichting-visit@gemeente-voorbeeldstad.pitchkit" in uids
    # Rebuilt elsewhere, with the visit moved: the same UIDs (an import updates the events),
    # the visit's event on its new day.
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE_CONTENT, root / "content")
    project = root / "content" / NL / "project.yaml"
    project.write_text(
        project.read_text(encoding="utf-8").replace("when: 2027-03-25", "when: 2027-04-08"),
        encoding="utf-8",
    )
    build(root, jobs=1)
    again = read_calendar(root / "output" / NL / f"{NL}-engagement-plan.ics")
    assert sorted(str(e["UID"]) for e in again) == sorted(uids)
    moved = next(e for e in again if str(e["UID"]).startswith("slimme-verlichting-visit@"))
    assert moved.decoded("DTSTART") == dt.date(2027, 4, 8)


def test_plan_and_calendar_are_the_same_bytes_when_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    outputs = []
    for n in (1, 2):
        root = tmp_path / f"ws{n}"
        shutil.copytree(EXAMPLE_CONTENT, root / "content")
        build(root, jobs=1)
        outputs.append(root / "output" / NL)
    for name in (f"{NL}-engagement-plan.docx", f"{NL}-engagement-plan.ics"):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name
    (event, *_) = read_calendar(outputs[0] / f"{NL}-engagement-plan.ics")
    assert event.decoded("DTSTAMP") == dt.datetime(2026, 9, 21, 14, 13, 20, tzinfo=dt.UTC)


def test_a_project_without_dates_gets_a_plan_of_ongoing_actions(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write(root / "content" / "audiences.yaml", (EXAMPLE_CONTENT / "audiences.yaml").read_text())
    write(root / "content" / "klein" / "project.yaml", MINIMAL_PROJECT)
    report = build(root, jobs=1)
    kinds = [d.kind for d in report.documents]
    assert kinds.count("engagement-plan") == 1
    out = root / "output" / "klein"
    assert "engagement-calendar" not in kinds  # nothing dated: no calendar (it needs an event)
    assert not (out / "klein-engagement-plan.ics").exists()
    text = "\n".join(plan_text(out / "klein-engagement-plan.docx"))
    # the start stage's tips, kept as written where the content has nothing to make them concrete
    assert "doorlopend | Stel een stuurgroep samen" in text  # no dates: the tip as written
    assert "Sluit aan bij de drijfveren van bestuurders" in text


def test_one_audience_builds_no_plan(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE_CONTENT, root / "content")
    report = build(root, jobs=1, audiences=["doubters"])
    assert not [d for d in report.documents if d.kind.startswith("engagement")]


def test_dates_from_content() -> None:
    assert when_date("2027-Q3") == dt.date(2027, 7, 1)
    assert when_date("Q1 2028") == dt.date(2028, 1, 3)  # 1 January 2028 is a Saturday
    assert when_date("2027-06") == dt.date(2027, 6, 1)
    assert when_date("2027-03-25") == dt.date(2027, 3, 25)
    assert when_date("voorjaar 2027") is None and when_date(None) is None
    quarterly = steering_dates(dt.date(2027, 3, 11), dt.date(2028, 10, 2))
    assert len(quarterly) == 7 and all(d.weekday() < 5 for d in quarterly)
    assert steering_dates(dt.date(2027, 3, 11), None)[-1] < dt.date(2028, 3, 1)  # a year ahead


def test_check_finds_a_tip_on_a_handout(tmp_path: Path) -> None:
    """``pitchkit check`` warns when a goal or tip of audiences.yaml is on a handout (here in
    the project's ask), as it does for a slide."""
    from generator.checks.check import check_workspace

    tip = "Neem twijfelaars mee op een (digitaal) werkbezoek naar de projectlocatie."
    root = tmp_path / "ws"
    write(root / "content" / "audiences.yaml", (EXAMPLE_CONTENT / "audiences.yaml").read_text())
    write(
        root / "content" / "p" / "project.yaml",
        MINIMAL_PROJECT.replace("pitch:\n", f"pitch:\n  ask: {tip}\n") + "stage: pilot\n",
    )
    found = [
        f.document
        for f in check_workspace(root, pages=False).findings
        if f.rule == "playbook" and f.document and f.document.endswith("-handout.docx")
    ]
    assert sorted(found) == ["p-doubters-handout.docx", "p-supporters-handout.docx"]


def test_supporters_get_what_they_can_do_on_the_handout(built: Path) -> None:
    """The handout's block for supporters says what they can do, as the deck's slide does: pass
    the message on, join the visit (its date and place once, in the ask), name the project."""
    text = shown_text(built / NL / f"{NL}-supporters-handout.docx")
    block = text[text.index("wat u kunt doen") : text.index("planning")]
    assert "vertel het door:" in block and "kom mee:" in block and "noem het project:" in block
    assert "helft minder stroom" in block  # what to name the project for
    assert text.count("25 maart 2027") == 1  # the visit's date once
    assert "zo bent u ambassadeur" not in text
    english = shown_text(built / EN / f"{EN}-supporters-handout.docx")
    assert "what you can do" in english and "pass it on:" in english
    assert "join us:" not in english  # the English example has no visit
    doubters = shown_text(built / NL / f"{NL}-doubters-handout.docx")
    assert "wat u kunt doen" not in doubters
