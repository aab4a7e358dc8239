"""Issue 6, generated content: whatever a project.yaml holds, ``pitchkit build`` either writes
documents that open and parse, or stops with exit status 1 and a message; never a crash.

Hypothesis writes project.yaml files from the content model's shape (valid ones, and ones with
wrong types, unknown or missing fields, odd values) and odd text: control characters, lone
surrogates, right-to-left marks, emoji sequences, template and Markdown syntax, long words. The
handout's page fit (LibreOffice) is switched off here: it is measured by its own tests, and with
it each example would take seconds.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from docx import Document
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image
from pptx import Presentation

from generator.app.cli import cli

ODD = [
    "",
    " ",
    "\x00",
    "Slim\x1blicht",
    "regel\x0bregel",
    "\ud800",
    "a\udfffb",
    "\ufeffBOM",
    "\u202erechts-naar-links\u202c",
    "עברית العربية",
    "👩‍👩‍👧‍👦🚲",
    "e\u0301\u0301\u0301",
    "zero\u200bwidth",
    "line\u2028separator",
    "para\u2029graph",
    "next\x85line",
    "{{ project.title }}",
    "{% for x in y %}",
    "{# comment",
    "**vet** _schuin_ [link](javascript:alert(1))",
    "<b>html</b> &amp; ]]> <!--",
    "- lijst\n- items",
    "# kop",
    "tab\there",
    "Lorem" * 60,
    "null",
    "~",
    "yes",
    "2027-02-30",
    "€ 250.000,-",
]

text = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=40),
    st.text(st.characters(categories=["Cc", "Cs", "Cf", "Zl", "Zp", "Co"]), max_size=8),
    st.text(st.characters(codec="latin-1"), min_size=1, max_size=60),
)
short = st.one_of(st.sampled_from(["Gemeente Klein", "T", "Slimme verlichting"]), text)
number = st.one_of(
    st.integers(-(10**6), 10**9),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 0.5, 1e15, 1e16, -1, 10**40]),
)
anything = st.one_of(text, number, st.booleans(), st.none(), st.lists(text, max_size=2))


def some(keys: dict[str, st.SearchStrategy[Any]], required: tuple[str, ...] = ()) -> Any:
    """A mapping with the required keys and any subset of the others."""
    optional = [k for k in keys if k not in required]
    return st.fixed_dictionaries(
        {k: keys[k] for k in required}, optional={k: keys[k] for k in optional}
    )


def items(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    return st.lists(strategy, max_size=3)


project_file = some(
    {
        "language": st.sampled_from(["nl", "en"]),
        "stage": st.sampled_from(["start", "pilot", "scale-up", "operation"]),
        "audiences": st.lists(st.sampled_from(["supporters", "doubters"]), min_size=1, unique=True),
        "project": some(
            {
                "title": short,
                "municipality": short,
                "subtitle": text,
                "department": text,
                "portfolio_holder": text,
                "occasion": text,
                "date": st.dates(),
                "url": st.sampled_from(["https://example.org/p", "https://x.nl/" + "a" * 300]),
                "contact": some({"name": text, "role": text, "email": text, "phone": text}),
            },
            ("title", "municipality"),
        ),
        "pitch": some(
            {"key_message": short, "hook": text, "problem": text, "solution": text, "ask": text},
            ("key_message",),
        ),
        "benefits": items(
            some(
                {"title": short, "text": text, "themes": items(st.sampled_from(["money", "x"]))},
                ("title",),
            )
        ),
        "kpis": items(
            some(
                {"name": short, "baseline": number, "target": number, "unit": text, "by": text},
                ("name",),
            )
        ),
        "costs": some(
            {
                "investment": number,
                "yearly": number,
                "savings_yearly": number,
                "currency": st.sampled_from(["EUR", "USD", "XXX", "€"]),
                "funding": items(some({"source": short, "amount": number}, ("source",))),
            }
        ),
        "policy": some(
            {
                "coalition_agreement": items(text),
                "programmes": items(text),
                "initiatives": items(text),
            }
        ),
        "timeline": items(
            some({"when": short, "milestone": short, "done": st.booleans()}, ("when", "milestone"))
        ),
        "results": items(some({"when": text, "text": short}, ("text",))),
        "risks": items(some({"risk": short, "mitigation": text}, ("risk",))),
        "alternatives": items(some({"option": short, "why_not": text}, ("option",))),
        "values": some(
            {
                "gains": items(some({"value": short, "how": text}, ("value",))),
                "tensions": items(some({"value": short, "how_addressed": text}, ("value",))),
            }
        ),
        "privacy": some(
            {
                "personal_data": st.booleans(),
                "dpia": st.sampled_from(["not-needed", "planned", "done"]),
                "notes": text,
            }
        ),
        "collaboration": items(some({"department": short, "opportunity": text}, ("department",))),
        "objections": items(some({"objection": short, "answer": text}, ("objection",))),
        "visit": some({"title": short, "where": text, "when": text}, ("title",)),
        "images": st.just([{"file": "images/foto.png", "alt": "Een straat bij avond"}]),
    },
    ("project", "pitch"),
)


@st.composite
def broken(draw: st.DrawFn, data: st.SearchStrategy[Any]) -> Any:
    """``data`` with one thing wrong: a value replaced, a key added, or a key removed."""
    value = draw(data)
    node = value
    while isinstance(node, dict) and node:
        key = draw(st.sampled_from(sorted(node)))
        action = draw(st.sampled_from(["replace", "add", "remove", "descend"]))
        if action == "replace" or not isinstance(node[key], dict | list):
            node[key] = draw(anything)
            break
        if action == "add":
            node[draw(st.sampled_from(["titel", "benifits", "extra", "1"]))] = draw(anything)
            break
        if action == "remove":
            del node[key]
            break
        child = node[key]
        node = child[0] if isinstance(child, list) and child else child
    return value


def as_yaml(data: Any) -> str:
    # PyYAML writes control characters and lone surrogates as escapes ("\x1b", "\uD800").
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


project_yaml = st.one_of(
    project_file.map(as_yaml),
    broken(project_file).map(as_yaml),
    st.text(max_size=200),  # anything at all
)


def check_document(path: Path) -> None:
    """The file re-opens with python-pptx or python-docx and every XML part parses."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(z.read(name))
                assert b"_x001" not in z.read(name).lower(), name
    if path.suffix == ".pptx":
        prs = Presentation(str(path))
        assert len(prs.slides) >= 1
    else:
        doc = Document(str(path))
        assert doc.paragraphs


@pytest.fixture(autouse=True)
def _no_page_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.export.pdf

    monkeypatch.setattr(generator.export.pdf, "find_soffice", lambda: None)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(content=project_yaml)
def test_any_content_builds_or_gets_a_message(content: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "content" / "p"
        (folder / "images").mkdir(parents=True)
        Image.new("RGB", (64, 48), (200, 120, 0)).save(folder / "images" / "foto.png")
        (folder / "project.yaml").write_text(content, encoding="utf-8", errors="surrogatepass")
        result = CliRunner().invoke(cli, ["build", str(root), "--jobs", "1"])
        out = result.output
        event(f"exit status {result.exit_code}")
        assert result.exit_code in (0, 1), out
        assert "Traceback" not in out and "unexpected problem" not in out, out
        if result.exception is not None:
            assert isinstance(result.exception, SystemExit), repr(result.exception)
        written = sorted((root / "output").rglob("*.*x")) if (root / "output").exists() else []
        if result.exit_code == 1:
            assert "Error: " in out, out
            assert written == []
            return
        assert [p.name for p in written if p.suffix == ".pptx"], out
        for path in written:
            check_document(path)
