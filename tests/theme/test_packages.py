"""Theme packages from elsewhere: every package kind opens, and nothing that can reach the machine,
the network or the reader gets into a document (generator/theme/packages.py).

The hostile templates are made here from the default theme's own files: macros, ActiveX, OLE,
custom XML, linked pictures on the master (to a local web server and to local files), an attached
template and a mail-merge source, and zip bombs. Each test builds real documents and reads them
back."""

from __future__ import annotations

import http.server
import io
import re
import shutil
import threading
import tracemalloc
import zipfile
import zlib
from pathlib import Path
from typing import ClassVar

import pytest
from docx import Document
from pptx import Presentation

from generator.app.cli import cli
from generator.content.loader import load_workspace
from generator.deck.layouts import open_template
from generator.errors import ContentError, PackageError, PdfExportError, TemplateError
from generator.export.pdf import export_pdfs, find_soffice
from generator.resources import default_templates_dir
from generator.theme.packages import MAX_ENTRIES, external_references, load_package
from tests.conftest import MINIMAL_PROJECT, ooxml_errors, require_shared_tools, write

DEFAULT = default_templates_dir() / "themes" / "default"

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MS_RT = "http://schemas.microsoft.com/office/2006/relationships"
POTM = "application/vnd.ms-powerpoint.template.macroEnabled.main+xml"
PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
DOTM = "application/vnd.ms-word.template.macroEnabledTemplate.main+xml"
DOTX = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


# --------------------------------------------------------------------------- making packages


def _rewrite(source: Path, target: Path, edits: dict[str, object]) -> Path:
    """Copy the package ``source`` to ``target`` with parts replaced (bytes), edited (a function
    of the old text) or added."""
    with zipfile.ZipFile(source) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}
    for name, edit in edits.items():
        if callable(edit):
            parts[name] = edit(parts[name].decode()).encode()
        else:
            assert isinstance(edit, bytes)
            parts[name] = edit
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, blob in parts.items():
            zout.writestr(name, blob)
    return target


def _add_rels(text: str, *rels: str) -> str:
    return text.replace("</Relationships>", "".join(rels) + "</Relationships>")


def _types(text: str, main_from: str, main_to: str, *extra: str) -> str:
    return text.replace(main_from, main_to).replace("</Types>", "".join(extra) + "</Types>")


def _linked_picture(shape_id: int, rid: str) -> str:
    return (
        f'<p:pic xmlns:p="{P}" xmlns:a="{A}" xmlns:r="{R}"><p:nvPicPr>'
        f'<p:cNvPr id="{shape_id}" name="Linked {shape_id}"/><p:cNvPicPr/><p:nvPr/></p:nvPicPr>'
        f'<p:blipFill><a:blip r:link="{rid}"/><a:stretch><a:fillRect/></a:stretch></p:blipFill>'
        f'<p:spPr><a:xfrm><a:off x="{shape_id * 1000}" y="0"/><a:ext cx="914400" cy="914400"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>'
    )


def hostile_deck(folder: Path, urls: list[str], name: str = "deck.potm") -> Path:
    """The default deck as a macro template whose master links pictures at ``urls`` and holds
    macros, an ActiveX control, custom XML and a link that runs a program."""
    master = "ppt/slideMasters/slideMaster1.xml"
    pictures = "".join(_linked_picture(900 + i, f"rIdLink{i}") for i in range(len(urls)))
    program = (
        f'<p:sp xmlns:p="{P}" xmlns:a="{A}" xmlns:r="{R}"><p:nvSpPr><p:cNvPr id="950" name="Run">'
        '<a:hlinkClick r:id="rIdRun" action="ppaction://program"/></p:cNvPr><p:cNvSpPr/><p:nvPr/>'
        "</p:nvSpPr><p:spPr/></p:sp>"
    )
    control = '<p:controls><p:control name="Knop" spid="951" r:id="rIdCtl"/></p:controls>'

    def edit_master(text: str) -> str:
        text = text.replace("</p:spTree>", pictures + program + "</p:spTree>" + control, 1)
        if 'xmlns:r="' not in text[:2000]:
            text = text.replace("<p:sldMaster ", f'<p:sldMaster xmlns:r="{R}" ', 1)
        return text

    rels = [
        f'<Relationship Id="rIdLink{i}" Type="{RT}/image" Target="{url}" TargetMode="External"/>'
        for i, url in enumerate(urls)
    ]
    rels.append(
        f'<Relationship Id="rIdRun" Type="{RT}/hyperlink" '
        'Target="file:///C:/Windows/System32/calc.exe" TargetMode="External"/>'
    )
    rels.append(f'<Relationship Id="rIdCtl" Type="{RT}/control" Target="../activeX/activeX1.xml"/>')
    return _rewrite(
        DEFAULT / "deck.pptx",
        folder / name,
        {
            master: edit_master,
            "ppt/slideMasters/_rels/slideMaster1.xml.rels": lambda t: _add_rels(t, *rels),
            "ppt/_rels/presentation.xml.rels": lambda t: _add_rels(
                t,
                f'<Relationship Id="rIdVba" Type="{MS_RT}/vbaProject" Target="vbaProject.bin"/>',
                f'<Relationship Id="rIdCx" Type="{RT}/customXml" Target="../customXml/item1.xml"/>',
            ),
            "[Content_Types].xml": lambda t: _types(
                t,
                PPTX_MAIN,
                POTM,
                '<Override PartName="/ppt/vbaProject.bin" '
                'ContentType="application/vnd.ms-office.vbaProject"/>',
                '<Override PartName="/ppt/activeX/activeX1.xml" '
                'ContentType="application/vnd.ms-office.activeX+xml"/>',
                '<Override PartName="/ppt/activeX/activeX1.bin" '
                'ContentType="application/vnd.ms-office.activeX"/>',
            ),
            "ppt/vbaProject.bin": b"\xd0\xcf\x11\xe0 Attribute VB_Name = AutoOpen Shell calc",
            "ppt/activeX/activeX1.xml": (
                b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
                b'<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" '
                b'xmlns:r="' + R.encode() + b'" ax:classid="{8BD21D40-EC42-11CE-9E0D-00AA006002F3}"'
                b' ax:persistence="persistStreamInit" r:id="rId1"/>'
            ),
            "ppt/activeX/_rels/activeX1.xml.rels": (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="'
                b'http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
                b'Id="rId1" Type="' + MS_RT.encode() + b'/activeXControlBinary" '
                b'Target="activeX1.bin"/></Relationships>'
            ),
            "ppt/activeX/activeX1.bin": b"\xd0\xcf\x11\xe0 control",
            "customXml/item1.xml": b'<?xml version="1.0"?><secret>tracking id 4711</secret>',
        },
    )


def hostile_handout(folder: Path, name: str = "handout.dotm", main: str = DOTM) -> Path:
    """The default handout as a macro template with macros, a remote attached template, a
    mail-merge data source, custom XML and a linked header picture."""

    def settings(text: str) -> str:
        merge = (
            '<w:attachedTemplate r:id="rIdTpl"/>'
            '<w:mailMerge><w:mainDocumentType w:val="formLetters"/>'
            '<w:dataType w:val="textFile"/><w:query w:val="SELECT * FROM leden"/>'
            '<w:dataSource r:id="rIdData"/></w:mailMerge>'
        )
        text = re.sub(r"(<w:settings[^>]*>)", r"\1", text, count=1)
        if 'xmlns:r="' not in text[:3000]:
            text = text.replace("<w:settings ", f'<w:settings xmlns:r="{R}" ', 1)
        # attachedTemplate and mailMerge come early in CT_Settings (after w:view/zoom ...).
        anchor = re.search(r"<w:(defaultTabStop|characterSpacingControl|compat)\b", text)
        assert anchor is not None
        return text[: anchor.start()] + merge + text[anchor.start() :]

    settings_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="'
        'http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rIdTpl" Type="{RT}/attachedTemplate" '
        'Target="http://127.0.0.1:9/Normal.dotm" TargetMode="External"/>'
        f'<Relationship Id="rIdData" Type="{RT}/mailMergeSource" '
        'Target="file:///C:/leden.txt" TargetMode="External"/></Relationships>'
    )
    with zipfile.ZipFile(DEFAULT / "handout.docx") as zin:
        assert "word/_rels/settings.xml.rels" not in zin.namelist()
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    # A letterhead whose logo is a field Word fetches on update (a tracking picture), and a
    # complex INCLUDETEXT field split over two instruction runs.
    header = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr xmlns:w="{w}"><w:p>'
        "<w:fldSimple w:instr=' INCLUDEPICTURE \"http://127.0.0.1:9/track.png\" \\d '>"
        "<w:r><w:t>Gemeente logo</w:t></w:r></w:fldSimple></w:p><w:p>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> INCLUDE</w:instrText></w:r>'
        '<w:r><w:instrText xml:space="preserve">TEXT "\\\\server\\share\\x.docx" '
        "</w:instrText></w:r>"
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Briefhoofd</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>'
    )
    return _rewrite(
        DEFAULT / "handout.docx",
        folder / name,
        {
            "word/settings.xml": settings,
            "word/header9.xml": header.encode(),
            "word/document.xml": lambda t: re.sub(
                r"(<w:sectPr[^>]*>)",
                r'\1<w:headerReference w:type="default" r:id="rIdHdr"/>',
                t,
            ),
            "word/_rels/settings.xml.rels": settings_rels.encode(),
            "word/_rels/document.xml.rels": lambda t: _add_rels(
                t,
                f'<Relationship Id="rIdVba" Type="{MS_RT}/vbaProject" Target="vbaProject.bin"/>',
                f'<Relationship Id="rIdCx" Type="{RT}/customXml" Target="../customXml/item1.xml"/>',
                f'<Relationship Id="rIdHdr" Type="{RT}/header" Target="header9.xml"/>',
            ),
            "word/_rels/vbaProject.bin.rels": (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="'
                b'http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
                b'Id="rId1" Type="' + MS_RT.encode() + b'/wordVbaData" Target="vbaData.xml"/>'
                b"</Relationships>"
            ),
            "[Content_Types].xml": lambda t: _types(
                t,
                DOCX_MAIN,
                main,
                '<Override PartName="/word/vbaProject.bin" '
                'ContentType="application/vnd.ms-office.vbaProject"/>',
                '<Override PartName="/word/vbaData.xml" '
                'ContentType="application/vnd.ms-word.vbaData+xml"/>',
                '<Override PartName="/word/header9.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>',
            ),
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0 Sub AutoOpen() Shell calc",
            "word/vbaData.xml": b'<?xml version="1.0"?><wne:vbaSuppData xmlns:wne="x"/>',
            "customXml/item1.xml": b'<?xml version="1.0"?><secret>tracking id 4711</secret>',
        },
    )


def zip_bomb(target: Path, part_mb: int = 1600) -> Path:
    """The default deck plus a part that unpacks to ``part_mb`` MB of zeros from ~1 KB per MB
    (its checksum is not computed: a bomb must be refused before any part is read)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\0" * (1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = block * part_mb + compressor.flush()
    shutil.copy(DEFAULT / "deck.pptx", target)
    with zipfile.ZipFile(target, "a") as zout:
        info = zipfile.ZipInfo("ppt/media/image99.png")
        zout.writestr(info, stream)  # stored as written, then declared as deflated below
        entry = zout.filelist[-1]
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.file_size = part_mb << 20
    return target


def _rels_of(data: bytes) -> list[tuple[str, str, str, str]]:
    """(part, type, target, mode) of every relationship in a package."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".rels"):
                for m in re.finditer(rb"<Relationship [^>]*>", z.read(name)):
                    attrs = dict(re.findall(rb'(\w+)="([^"]*)"', m.group(0)))
                    found.append(
                        (
                            name,
                            attrs[b"Type"].decode().rsplit("/", 1)[-1],
                            attrs[b"Target"].decode(),
                            attrs.get(b"TargetMode", b"").decode(),
                        )
                    )
    return found


def _office_tools(files: list[Path]) -> None:
    """The shared ECMA-376 schema check and Office repair-trigger check (the test skips at this
    point when they are missing, after everything else was asserted)."""
    assert ooxml_errors(require_shared_tools(), files) == []


def _workspace(root: Path, theme: str) -> Path:
    write(root / "content" / "p" / "project.yaml", MINIMAL_PROJECT + f"theme: {theme}\n")
    return root


# --------------------------------------------------------------------------- tests


def test_a_macro_template_deck_is_cleaned(tmp_path):
    deck = hostile_deck(tmp_path, ["http://127.0.0.1:9/pixel.png", "file:///etc/hostname"])
    package = load_package(deck, "pptx")
    assert package.kind == "pptx"
    text = "\n".join(package.removed)
    for expected in (
        "linked pictures (file:///etc/hostname, http://127.0.0.1:9/pixel.png)",
        "macros (ppt/vbaProject.bin)",
        "ActiveX controls",
        "custom XML data",
        "calc.exe",
    ):
        assert expected in text, text
    assert len(package.removed) == len(set(package.removed))
    with zipfile.ZipFile(io.BytesIO(package.data)) as z:
        names = z.namelist()
        types = z.read("[Content_Types].xml").decode()
        master = z.read("ppt/slideMasters/slideMaster1.xml").decode()
    assert not [n for n in names if "vba" in n or "activeX" in n or n.startswith("customXml")]
    assert PPTX_MAIN in types and "macroEnabled" not in types and "activeX" not in types
    assert "r:link" not in master and "p:controls" not in master and "ppaction" not in master
    assert external_references(package.data) == []
    # The master keeps its pictures' frames (now empty) and opens as a presentation.
    assert 'name="Linked 900"' in master
    prs = open_template(deck)
    assert len(prs.slide_layouts) > 5


def test_every_package_kind_opens(tmp_path):
    """.pptx/.potx/.pptm/.potm and .docx/.dotx/.docm/.dotm, and a renamed one, by content."""
    kinds = {
        "deck.potx": (
            DEFAULT / "deck.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
        ),
        "deck.pptm": (
            DEFAULT / "deck.pptx",
            "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
        ),
        "handout.dotx": (DEFAULT / "handout.docx", DOTX),
        "handout.docm": (
            DEFAULT / "handout.docx",
            "application/vnd.ms-word.document.macroEnabled.main+xml",
        ),
        "renamed.docx": (DEFAULT / "handout.docx", DOTM),  # a .dotm saved under a .docx name
    }
    for name, (source, main) in kinds.items():
        plain = PPTX_MAIN if source.suffix == ".pptx" else DOCX_MAIN
        path = _rewrite(
            source,
            tmp_path / name,
            {"[Content_Types].xml": lambda t, plain=plain, main=main: t.replace(plain, main)},
        )
        package = load_package(path)
        with zipfile.ZipFile(io.BytesIO(package.data)) as z:
            types = z.read("[Content_Types].xml").decode()
        assert plain in types and main not in types, name
        if package.kind == "pptx":
            assert len(Presentation(io.BytesIO(package.data)).slide_layouts) > 5
        else:
            assert Document(io.BytesIO(package.data)).sections[0].page_width > 0
    with pytest.raises(PackageError, match="this is a Word file"):
        load_package(tmp_path / "handout.dotx", "pptx")


def test_a_dotm_handout_builds_checks_and_lists_its_removals(tmp_path):
    """A real Word template (.dotm, macros, remote attached template, mail merge) as handout:
    build, check and templates work; the handout is a plain .docx without any of it."""
    from click.testing import CliRunner

    theme = tmp_path / "ws" / "templates" / "themes" / "gemeente"
    theme.mkdir(parents=True)
    hostile_handout(theme)
    hostile_deck(theme, ["http://127.0.0.1:9/pixel.png"], name="deck.potm")
    root = _workspace(tmp_path / "ws", "gemeente")

    workspace = load_workspace(root)
    said = [w.render(root) for w in workspace.warnings]
    assert any("handout.dotm" in w and "macros (" in w and "vbaProject.bin" in w for w in said)
    assert any("attached templates (http://127.0.0.1:9/Normal.dotm)" in w for w in said), said
    assert any("mail-merge data sources (file:///C:/leden.txt)" in w for w in said), said
    assert any("deck.potm" in w and "linked pictures" in w for w in said), said
    assert any("fields that fetch" in w and "track.png" in w and "INCLUDETEXT" in w for w in said)

    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(root), "-o", str(out)])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if "removed" in line]
    # Each removal said once per theme file, though the theme is used by every audience.
    assert len(warned) == len(set(warned)) and len(warned) >= 5, result.output
    documents = sorted(out.glob("*/*.docx")) + sorted(out.glob("*/*.pptx"))
    assert len(documents) >= 2
    # The letterhead stays, showing what its fields showed.
    header = Document(str(documents[0])).sections[0].header._element.xml
    assert "Gemeente logo" in header and "Briefhoofd" in header
    for doc in documents:
        data = doc.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            everything = b"".join(z.read(n) for n in names)
        assert not [n for n in names if "vba" in n.lower() or n.startswith("customXml")], doc
        assert b"macroEnabled" not in everything and b".template.main" not in everything
        assert b"attachedTemplate" not in everything and b"mailMerge" not in everything
        assert b"4711" not in everything and b"127.0.0.1" not in everything
        assert b"INCLUDE" not in everything and b"server" not in everything
        assert [r for r in _rels_of(data) if r[3] == "External" and r[1] != "hyperlink"] == []
    _office_tools(documents)

    result = runner.invoke(cli, ["check", str(root)])
    assert "unexpected" not in result.output, result.output
    result = runner.invoke(cli, ["templates", str(theme / "handout.dotm")])
    assert result.exit_code == 0, result.output
    assert "removed when pitchkit uses this template" in result.output
    assert "macros" in result.output and "Normal.dotm" in result.output
    assert "paragraph styles" in result.output
    result = runner.invoke(cli, ["templates", str(theme / "deck.potm")])
    assert result.exit_code == 0 and "linked pictures" in result.output, result.output


def test_a_theme_path_may_name_a_word_template(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    hostile_handout(root, name="huisstijl.dotx", main=DOTX)
    _workspace(root, "huisstijl.dotx")
    (project,) = load_workspace(root).projects
    assert project.theme.handout_template == (root / "huisstijl.dotx").resolve()
    assert project.theme.deck_template == DEFAULT / "deck.pptx"


def test_a_zip_bomb_is_refused_before_it_is_read(tmp_path):
    bomb = zip_bomb(tmp_path / "deck.pptx")
    assert bomb.stat().st_size < 3_000_000
    tracemalloc.start()
    try:
        with pytest.raises(PackageError) as err:
            load_package(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(bomb) in str(err.value) and "out of proportion" in str(err.value)
    assert "ppt/media/image99.png" in str(err.value)
    assert peak < 40_000_000  # the package is read once (~2 MB), no part is unpacked

    theme = tmp_path / "ws" / "templates" / "themes" / "bom"
    theme.mkdir(parents=True)
    shutil.move(bomb, theme / "deck.pptx")
    root = _workspace(tmp_path / "ws", "bom")
    with pytest.raises(ContentError) as problems:
        load_workspace(root)
    assert "deck.pptx" in str(problems.value) and "zip bomb" in str(problems.value)


def test_too_many_entries_are_refused(tmp_path):
    path = shutil.copy(DEFAULT / "deck.pptx", tmp_path / "deck.pptx")
    with zipfile.ZipFile(path, "a") as z:
        for i in range(MAX_ENTRIES):
            z.writestr(f"ppt/junk/{i}.xml", b"")
    with pytest.raises(TemplateError, match=f"more than the {MAX_ENTRIES}"):
        open_template(Path(path))


def test_a_dtd_is_refused(tmp_path):
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
        "<secret>&e;</secret>"
    )
    path = _rewrite(
        DEFAULT / "handout.docx", tmp_path / "h.docx", {"customXml/x.xml": xxe.encode()}
    )
    with pytest.raises(PackageError, match=r"customXml/x\.xml declares a DTD"):
        load_package(path)


def test_libreoffice_is_never_given_an_external_reference(tmp_path):
    deck = hostile_deck(tmp_path, ["file:///etc/hostname"], name="deck.pptx")
    # A deck that still links the picture (as python-pptx alone would have written it).
    _rewrite(
        deck, tmp_path / "raw.pptx", {"[Content_Types].xml": lambda t: t.replace(POTM, PPTX_MAIN)}
    )
    with pytest.raises(PdfExportError, match="outside itself"):
        export_pdfs([tmp_path / "raw.pptx"])
    assert not (tmp_path / "raw.pdf").exists()


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(_png(37, 23))

    def log_message(self, *args: object) -> None:
        pass


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
def test_build_pdf_neither_fetches_nor_embeds_linked_pictures(tmp_path):
    """A theme deck whose master links pictures on a local web server and on this machine:
    build --pdf asks the server nothing and puts neither picture into the PDFs."""
    from pypdf import PdfReader

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.requests = []
    try:
        local = tmp_path / "geheim.png"
        local.write_bytes(_png(41, 19))
        port = server.server_address[1]
        theme = tmp_path / "ws" / "templates" / "themes" / "extern"
        theme.mkdir(parents=True)
        hostile_deck(
            theme,
            [f"http://127.0.0.1:{port}/pixel.png", local.as_uri(), "file:///etc/hostname"],
            name="deck.pptx",
        )
        root = _workspace(tmp_path / "ws", "extern")
        out = tmp_path / "out"
        from click.testing import CliRunner

        result = CliRunner().invoke(
            cli, ["build", str(root), "-o", str(out), "--pdf", "--audience", "supporters"]
        )
        assert result.exit_code == 0, result.output
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.requests == []
    pdfs = sorted(out.glob("*/*.pdf"))
    assert pdfs
    for pdf in pdfs:
        sizes = {
            (image.image.width, image.image.height)
            for page in PdfReader(pdf).pages
            for image in page.images
        }
        assert (41, 19) not in sizes and (37, 23) not in sizes, pdf


CORPUS = Path(__file__).resolve().parent.parent / "data" / "templates"


def test_every_corpus_template_opens_clean():
    """The real templates of tests/data/templates: each opens as a plain package with nothing
    that reaches outside it; the DFO template's attached template (a path on its author's PC)
    is removed and said."""
    files = sorted(
        p for p in CORPUS.glob("*/*") if p.suffix.lower() in (".pptx", ".potx", ".docx", ".dotx")
    )
    assert len(files) >= 10
    for path in files:
        package = load_package(path)
        assert package.kind == ("pptx" if path.parent.name == "pptx" else "docx"), path
        assert external_references(package.data) == [], path
    dfo = load_package(CORPUS / "docx" / "dfo-csas-fsar.docx")
    assert any("attached templates (file:///C:" in line for line in dfo.removed), dfo.removed


def test_a_real_dotx_builds_checks_and_explains(tmp_path):
    """A real Word .dotx (Harrisburg University) named by `theme:` (today: 'not a Word file')."""
    from click.testing import CliRunner

    root = tmp_path / "ws"
    root.mkdir()
    shutil.copy(CORPUS / "docx" / "harrisburg-dissertation.dotx", root / "huisstijl.dotx")
    _workspace(root, "huisstijl.dotx")
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(root), "-o", str(out), "--audience", "supporters"])
    assert result.exit_code == 0, result.output
    (handout,) = out.glob("*/*handout.docx")
    with zipfile.ZipFile(handout) as z:
        types = z.read("[Content_Types].xml").decode()
    assert DOCX_MAIN in types and "template.main" not in types
    assert "Minimaal project" in "\n".join(p.text for p in Document(str(handout)).paragraphs)
    _office_tools([handout])
    result = runner.invoke(cli, ["templates", str(root / "huisstijl.dotx")])
    assert result.exit_code == 0 and "paragraph styles" in result.output, result.output


def test_a_document_with_an_external_reference_is_never_written(tmp_path, monkeypatch):
    """The last line: should a builder ever write a linked picture, the build stops before
    writing anything (templates are cleaned on the way in, so this is not the first)."""
    from generator.errors import BuildError
    from generator.handout import builder as docx_builder
    from generator.pipeline.build import build

    linked = hostile_handout(tmp_path, name="linked.docx", main=DOCX_MAIN)
    raw = _rewrite(
        linked,
        tmp_path / "raw.docx",
        {
            "word/_rels/document.xml.rels": lambda t: _add_rels(
                t,
                f'<Relationship Id="rIdPic" Type="{RT}/image" Target="file:///etc/hostname" '
                'TargetMode="External"/>',
            )
        },
    ).read_bytes()
    monkeypatch.setattr(docx_builder, "build_handout", lambda *args, **kwargs: raw)
    root = _workspace(tmp_path / "ws", "default")
    with pytest.raises(BuildError, match="outside itself"):
        build(root, jobs=1)
    assert not (root / "output").exists() or not list((root / "output").rglob("*.docx"))


def test_a_picture_of_billions_of_pixels_is_refused(tmp_path):
    """A few kB of PNG that declares 100000 x 100000 pixels on the master: LibreOffice would
    unpack it for the PDF. Only its header is read."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0" * 12_501))
        + chunk(b"IEND", b"")
    )
    deck = shutil.copy(DEFAULT / "deck.pptx", tmp_path / "deck.pptx")
    with zipfile.ZipFile(deck, "a") as z:
        z.writestr("ppt/media/image50.png", png)
    with pytest.raises(PackageError, match=r"ppt/media/image50\.png is 100000x100000 pixels"):
        load_package(Path(deck))
