"""Make the two corpus templates that reproduce a feature of a template we may not redistribute.

    python make_fixtures.py        (in this folder; writes the two files next to it)

google-slides-export.pptx, from rstudio.potx (Apache-2.0): what Google Slides' export
(File > Download > Microsoft PowerPoint) writes, as in a government template whose licence
does not allow redistribution: a 25.4 x 14.29 cm slide, shapes named "Google Shape;N;pN",
layouts named TITLE, SECTION_HEADER, TITLE_AND_BODY, ..., Arial as the theme's fonts, text
boxes without insets, and
"Title and Content"-style layouts whose title and body placeholders are 0.8 cm high (the
author drew them small and let them grow with their text).

uic-source-placeholder.pptx, from uic-ccts.pptx (MIT): a PowerPoint template whose "Title
and Content" and "Two Content" layouts carry one extra small "Source" placeholder under the
body, and whose master logo picture reuses the id of the master's title placeholder (both as
in a PowerPoint-16 corporate template whose licence does not allow redistribution).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
}
P = "{" + NS["p"] + "}"
A = "{" + NS["a"] + "}"
CM = 360000


def _rewrite(src: Path, dst: Path, edit) -> None:  # type: ignore[no-untyped-def]
    """Copy a package part by part, letting `edit(name, bytes)` change each part."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info))
            if data is None:
                continue
            out = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            out.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(out, data)


def _xml(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --------------------------------------------------------------------------- Google Slides

_GS_NAMES = {
    "Title Slide": "TITLE",
    "Section Header": "SECTION_HEADER",
    "Title and Content": "TITLE_AND_BODY",
    "Two Content": "TITLE_AND_TWO_COLUMNS",
}
_SCALE = 9144000 / 12192000  # 16:9 in PowerPoint (33.87 cm) to Google Slides (25.4 cm)


def _google(name: str, data: bytes) -> bytes | None:
    if name == "[Content_Types].xml":
        return data.replace(
            b"presentationml.template.main+xml", b"presentationml.presentation.main+xml"
        )
    if not name.endswith(".xml") or not name.startswith("ppt/"):
        return data
    if name.startswith("ppt/theme/"):
        # Google Slides' themes set their fonts by name (Arial in "Simple Light")
        return re.sub(
            rb'(<a:(?:major|minor)Font><a:latin typeface=")[^"]*"[^/]*', rb'\1Arial"', data
        )
    root = _xml(data)
    if name == "ppt/presentation.xml":
        sz = root.find("p:sldSz", NS)
        sz.set("cx", "9144000")
        sz.set("cy", "5143500")
        sz.attrib.pop("type", None)
        return _bytes(root)
    if not re.match(
        r"ppt/(slideMasters/slideMaster|slideLayouts/slideLayout|slides/slide)\d+\.xml$", name
    ):
        return data
    page = re.findall(r"\d+", name.rsplit("/", 1)[1])[0]
    for el in root.iter(f"{A}off", f"{A}ext", f"{A}chOff", f"{A}chExt"):
        for attr in ("x", "y", "cx", "cy"):
            if el.get(attr) is not None:
                el.set(attr, str(round(int(el.get(attr)) * _SCALE)))
    for c in root.iter(f"{P}cNvPr"):
        c.set(
            "name", f"Google Shape;{c.get('id')};p{page}" if c.get("id") != "1" else f"Shape {page}"
        )
    for body_pr in root.iter(f"{A}bodyPr"):
        for inset in ("lIns", "tIns", "rIns", "bIns"):
            body_pr.set(inset, "0")
    if name.startswith("ppt/slideLayouts/"):
        c_sld = root.find("p:cSld", NS)
        gs_name = _GS_NAMES.get(c_sld.get("name"), c_sld.get("name"))
        root.set("matchingName", c_sld.get("name"))
        c_sld.set("name", gs_name)
        if gs_name != "TITLE":
            root.attrib.pop("type", None)
        if gs_name in ("TITLE_AND_BODY", "TITLE_AND_TWO_COLUMNS"):
            _squash(root, columns=2 if gs_name == "TITLE_AND_TWO_COLUMNS" else 1)
    return _bytes(root)


def _squash(layout: etree._Element, columns: int) -> None:
    """Title and body placeholders 0.8 cm high, as the author drew them."""
    left, width, gap = round(1.27 * CM), round(22.86 * CM), round(0.5 * CM)
    col = (width - gap * (columns - 1)) // columns
    bodies = 0
    for sp in layout.iter(f"{P}sp"):
        ph = sp.find("p:nvSpPr/p:nvPr/p:ph", NS)
        if ph is None or ph.get("type") in ("dt", "ftr", "sldNum"):
            continue
        if ph.get("type") == "title":
            box = (left, round(0.6 * CM), width)
        else:
            box = (left + bodies * (col + gap), round(3.3 * CM), col)
            bodies += 1
        sp_pr = sp.find("p:spPr", NS)
        xfrm = sp_pr.find("a:xfrm", NS)
        if xfrm is None:
            xfrm = etree.SubElement(sp_pr, f"{A}xfrm")
            sp_pr.insert(0, xfrm)
            etree.SubElement(xfrm, f"{A}off")
            etree.SubElement(xfrm, f"{A}ext")
        xfrm.find("a:off", NS).attrib.update({"x": str(box[0]), "y": str(box[1])})
        xfrm.find("a:ext", NS).attrib.update({"cx": str(box[2]), "cy": str(round(0.8 * CM))})


# --------------------------------------------------------------------------- extra placeholder

_SOURCE_SP = """<p:sp xmlns:p="{p}" xmlns:a="{a}"><p:nvSpPr><p:cNvPr id="{id}" name="Source"/>
<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr><p:ph type="body" sz="quarter" idx="13"/>
</p:nvPr></p:nvSpPr><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>
</p:spPr><p:txBody><a:bodyPr><a:normAutofit/></a:bodyPr><a:lstStyle><a:lvl1pPr marL="0" indent="0">
<a:buNone/><a:defRPr sz="1000" i="1"/></a:lvl1pPr></a:lstStyle><a:p><a:r><a:rPr lang="en-US"/>
<a:t>Source</a:t></a:r></a:p></p:txBody></p:sp>"""


def _source(name: str, data: bytes) -> bytes | None:
    if name == "ppt/slideMasters/slideMaster1.xml":
        root = _xml(data)
        title_id = None
        for sp in root.iter(f"{P}sp"):
            ph = sp.find("p:nvSpPr/p:nvPr/p:ph", NS)
            if ph is not None and ph.get("type") == "title":
                title_id = sp.find("p:nvSpPr/p:cNvPr", NS).get("id")
        for pic in root.iter(f"{P}pic"):
            pic.find("p:nvPicPr/p:cNvPr", NS).set("id", title_id)
        return _bytes(root)
    if name not in ("ppt/slideLayouts/slideLayout2.xml", "ppt/slideLayouts/slideLayout4.xml"):
        return data
    root = _xml(data)
    tree = root.find("p:cSld/p:spTree", NS)
    ids = [int(c.get("id")) for c in root.iter(f"{P}cNvPr")]
    for sp in tree.findall("p:sp", NS):
        ph = sp.find("p:nvSpPr/p:nvPr/p:ph", NS)
        if ph is not None and ph.get("type") is None and ph.get("idx") in ("1", "2"):
            # the body(ies) end above the source line
            sp_pr = sp.find("p:spPr", NS)
            xfrm = sp_pr.find("a:xfrm", NS)
            if xfrm is None:
                xfrm = etree.Element(f"{A}xfrm")
                sp_pr.insert(0, xfrm)
                etree.SubElement(xfrm, f"{A}off", x=str(round(1.27 * CM)), y=str(round(6.1 * CM)))
                etree.SubElement(xfrm, f"{A}ext", cx=str(round(22.86 * CM)), cy="0")
            ext = xfrm.find("a:ext", NS)
            top = int(xfrm.find("a:off", NS).get("y"))
            ext.set("cy", str(round(16.2 * CM) - top))
    source = _SOURCE_SP.format(
        p=NS["p"],
        a=NS["a"],
        id=max(ids) + 1,
        x=round(1.27 * CM),
        y=round(16.4 * CM),
        cx=round(22.86 * CM),
        cy=round(0.7 * CM),
    ).replace("\n", "")
    tree.append(etree.fromstring(source))
    return _bytes(root)


if __name__ == "__main__":
    _rewrite(HERE / "rstudio.potx", HERE / "google-slides-export.pptx", _google)
    _rewrite(HERE / "uic-ccts.pptx", HERE / "uic-source-placeholder.pptx", _source)
