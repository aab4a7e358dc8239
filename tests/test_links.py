"""Issue 15 item 9: only web, mail and phone links reach the documents.

A link in content to anything else (a network share, a file, a program, a relative path) is a
content error with file, line and field; a template or label that writes one gets text, not a
link. The .pptx and .docx are read back for their hyperlink relationships, and the PDF that
LibreOffice makes for its link annotations (a relative link would become file:/// there).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from generator.app.cli import cli
from generator.export.pdf import find_soffice

PROJECT = "content/slimme-verlichting/project.yaml"

BAD = [
    "smb://fileserver/share/plan.docx",
    "<ms-msdt:/id PCWDiagnostic /skip force>",
    "ms-word:ofe|u|https://example.org/a.docx",
    "search-ms:query=plan&crumb=location:\\\\host\\share",
    "cmd:calc",
    "javascript:alert(1)",
    "file:///C:/Windows/System32/calc.exe",
    "\\\\host\\share\\plan.docx",
    "plannen/raadsvoorstel.docx",
    "//host/share",
    "vbscript:msgbox",
]


def _replace_line(path: Path, prefix: str, new: str) -> int:
    """Replace the first line starting with ``prefix`` by ``new``; its 1-based line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    lines[number] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number + 1


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _link_targets(document: Path) -> list[str]:
    """Every external hyperlink target in an Office file's relationship parts."""
    targets = []
    with zipfile.ZipFile(document) as z:
        for name in z.namelist():
            if name.endswith(".rels"):
                xml = z.read(name).decode("utf-8")
                for rel in re.findall(r"<Relationship [^>]*>", xml):
                    if "/hyperlink" in rel:
                        found = re.search(r'Target="([^"]*)"', rel)
                        targets.append(found.group(1) if found else "")
    return targets


@pytest.mark.parametrize("href", BAD)
def test_a_link_that_is_not_web_mail_or_phone_is_a_content_error(
    workspace: Path, href: str
) -> None:
    project = workspace / PROJECT
    line = _replace_line(project, "  problem:", "  problem: " + _quoted(f"Zie [het plan]({href})."))
    result = CliRunner().invoke(cli, ["build", str(workspace)])
    assert result.exit_code == 1, result.output
    assert f"project.yaml:{line}: pitch.problem: the link to" in result.output
    assert "https://" in result.output  # says what is allowed
    assert not (workspace / "output").exists() or not any((workspace / "output").rglob("*.pptx"))


def test_every_bad_link_is_reported_at_once(workspace: Path) -> None:
    project = workspace / PROJECT
    hook = _replace_line(project, "  hook:", "  hook: '[a](smb://x/y)'")
    ask = _replace_line(project, "  ask:", "  ask: '[b](cmd:calc) en [c](https://ok.nl)'")
    result = CliRunner().invoke(cli, ["check", str(workspace)])
    assert result.exit_code == 1, result.output
    assert f"project.yaml:{hook}: pitch.hook: the link to 'smb://x/y'" in result.output
    assert f"project.yaml:{ask}: pitch.ask: the link to 'cmd:calc'" in result.output
    assert "https://ok.nl" not in result.output


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
def test_web_mail_and_phone_links_stay_and_nothing_else_becomes_one(workspace: Path) -> None:
    project = workspace / PROJECT
    _replace_line(
        project,
        "  problem:",
        "  problem: 'Lees [het plan](https://www.voorbeeldstad.nl/plan), mail "
        "[de wethouder](mailto:wethouder@voorbeeldstad.nl) of bel [ons](tel:+31123456789).'",
    )
    # A workspace's own labels (untrusted, like a template) write links of every kind: the
    # safe ones are links, the others plain text.
    labels = workspace / "templates" / "labels" / "nl.yaml"
    labels.parent.mkdir(parents=True)
    labels.write_text(
        "visit: 'Bezoek [de share](\\\\host\\share) of [het plan](plannen/plan.docx)'\n"
        "contact: 'Contact [server](smb://server/x)'\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["build", str(workspace / "content" / "slimme-verlichting"), "--pdf", "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    out = workspace / "output" / "slimme-verlichting"
    documents = sorted(out.glob("*.pptx")) + sorted(out.glob("*.docx"))
    assert documents
    for document in documents:
        targets = _link_targets(document)
        assert all(re.match(r"(https?://|mailto:|tel:)", t) for t in targets), (document, targets)
        if document.suffix == ".pptx" and "supporters" in document.name:
            assert "https://www.voorbeeldstad.nl/plan" in targets
            assert "mailto:wethouder@voorbeeldstad.nl" in targets
            assert "tel:+31123456789" in targets
        if document.name.endswith("-handout.docx"):  # the handout links the contact's address
            assert "mailto:lotte.devries@voorbeeldstad.nl" in targets
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 4  # two decks, two handouts
    for pdf in pdfs:
        uris = [
            str(annot.get_object().get("/A", {}).get("/URI", ""))
            for page in PdfReader(pdf).pages
            for annot in page.get("/Annots") or []
        ]
        if pdf.stem.endswith("pitch"):  # (LibreOffice 7.4 exports no links from a .docx)
            assert "mailto:wethouder@voorbeeldstad.nl" in uris, (pdf, uris)
        assert all(re.match(r"(https?://|mailto:|tel:)", u) for u in uris), (pdf, uris)
        assert b"file:" not in pdf.read_bytes()
