"""Theme packages on the way in: every template a theme may hold, opened as a clean document.

Contract: :func:`load_package` reads a PowerPoint (.pptx/.potx/.pptm/.potm/.ppsx) or Word
(.docx/.dotx/.docm/.dotm) file, whatever its name says, and returns a :class:`CleanPackage`: the
bytes of a plain .pptx or .docx package in memory (a template's or macro file's main content
type rewritten to the document's) from which everything that can reach the machine, the network
or the people who open the output is gone, plus one line per kind of thing removed:

- external relationships other than web and mail links (linked pictures and media, OLE links,
  attached templates, mail-merge data sources, frames, sub-documents, remote fonts) and links
  with any other scheme (``file:``, ``smb:``, UNC paths, ``ms-*:``, programs);
- macros (``vbaProject.bin`` and its data), ActiveX controls, OLE objects, imported chunks,
  custom XML and the elements that point at any of them, so that the package stays valid;
- parts nothing refers to any more.

A package whose number of entries, uncompressed size or compression ratio is out of proportion
(a zip bomb), or whose XML carries a DTD, is refused before any part is decompressed. Every
refusal is a :class:`PackageError` naming the file. :func:`external_references` checks a package
pitchkit wrote before LibreOffice is given it.
"""

from __future__ import annotations

import functools
import hashlib
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from generator.errors import PackageError

Kind = Literal["pptx", "docx"]

#: Refusal limits. Real templates hold a few hundred parts and at most tens of MB (pictures are
#: stored, XML compresses 5-20 times); a zip bomb is far past every one of them.
MAX_ENTRIES = 5000
MAX_UNCOMPRESSED = 256 * 1024 * 1024
MAX_RATIO = 100  # uncompressed size / file size, checked once the package is past RATIO_FLOOR
RATIO_FLOOR = 32 * 1024 * 1024

_CT = "[Content_Types].xml"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_R_NAMESPACES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_O = "urn:schemas-microsoft-com:office:office"
_NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
    "o": _O,
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}

#: The main part's content type of every package kind, and what it becomes.
_MAIN_TYPES: dict[str, Kind] = {
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml": "pptx",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml": "pptx",
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml": "pptx",
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "docx",
    "application/vnd.ms-word.document.macroEnabled.main+xml": "docx",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "docx",
}
_PLAIN_MAIN: dict[Kind, str] = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
}
_KIND_NAME: dict[Kind, str] = {"pptx": "PowerPoint", "docx": "Word"}

#: Links that stay clickable: the web, mail and phone (the same schemes content may use).
_SAFE_LINK = re.compile(r"^(https?://|mailto:|tel:)", re.IGNORECASE)
#: Relationship types (last path segment) removed wherever they are, internal or external.
_REMOVED_TYPES = {
    "vbaproject": "macros",
    "wordvbadata": "macros",
    "keymapcustomizations": "macros",
    "attachedtoolbars": "macros",
    "vbaprojectsignature": "macros",
    "vbaprojectsignatureagile": "macros",
    "vbaprojectsignaturev3": "macros",
    "control": "ActiveX controls",
    "activexcontrolbinary": "ActiveX controls",
    "oleobject": "OLE objects",
    "customxml": "custom XML data",
    "afchunk": "imported documents (altChunk)",
    "subdocument": "sub-documents",
    "attachedtemplate": "attached templates",
    "mailmergesource": "mail-merge data sources",
    "mailmergeheadersource": "mail-merge data sources",
    "recipientdata": "mail-merge data sources",
    "frame": "frames",
}
#: External relationships, by type, and how the report names them.
_EXTERNAL_NAMES = {
    "image": "linked pictures",
    "video": "linked media",
    "audio": "linked media",
    "media": "linked media",
    "font": "remote fonts",
}

#: Elements removed wherever they are (with the wrapper below), whatever they point at.
_ALWAYS_DROPPED = {
    f"{{{_NS['p']}}}oleObj": "OLE objects",
    f"{{{_NS['o']}}}OLEObject": "OLE objects",
    f"{{{_NS['p']}}}control": "ActiveX controls",
    f"{{{_NS['w']}}}control": "ActiveX controls",
    f"{{{_NS['w']}}}subDoc": "sub-documents",
    f"{{{_NS['w']}}}altChunk": "imported documents (altChunk)",
    f"{{{_NS['w']}}}attachedTemplate": "attached templates",
    f"{{{_NS['w']}}}mailMerge": "mail-merge data sources",
    f"{{{_NS['w']}}}frameset": "frames",
}
#: The element that goes with a dropped one: an OLE object's or control's whole frame.
_DROP_UP_TO = {
    f"{{{_NS['p']}}}oleObj": (f"{{{_NS['p']}}}graphicFrame",),
    f"{{{_NS['o']}}}OLEObject": (f"{{{_NS['w']}}}object", f"{{{_NS['w']}}}pict"),
    f"{{{_NS['w']}}}control": (f"{{{_NS['w']}}}object", f"{{{_NS['w']}}}pict"),
}
#: Elements whose reference is optional: a removed target loses the attribute, not the element.
_ATTRIBUTE_ONLY = {
    f"{{{_NS['a']}}}blip",
    f"{{{_NS['w']}}}hyperlink",
    f"{{{_NS['v']}}}imagedata",
    f"{{{_NS['v']}}}fill",
    f"{{{_NS['v']}}}stroke",
}
#: Containers that are invalid or meaningless once empty, removed with their last child.
_EMPTY_CONTAINERS = {
    f"{{{_NS['p']}}}controls",
    f"{{{_NS['p']}}}custDataLst",
    f"{{{_NS['p']}}}embeddedFontLst",
    f"{{{_NS['mc']}}}Choice",
    f"{{{_NS['mc']}}}Fallback",
    f"{{{_NS['mc']}}}AlternateContent",
}
_MC_ALTERNATE = f"{{{_NS['mc']}}}AlternateContent"
_FLD_SIMPLE = f"{{{_NS['w']}}}fldSimple"
_INSTR = f"{{{_NS['w']}}}instr"
_FLD_CHAR = f"{{{_NS['w']}}}fldChar"
_FLD_CHAR_TYPE = f"{{{_NS['w']}}}fldCharType"
_INSTR_TEXT = f"{{{_NS['w']}}}instrText"
_FETCHING_FIELD = re.compile(r"\s*(INCLUDEPICTURE|INCLUDETEXT|LINK|DDE|DDEAUTO|IMPORT)\b", re.I)
_FIELDS = "Word fields that fetch files or addresses"
_HLINK_CLICK = (f"{{{_NS['a']}}}hlinkClick", f"{{{_NS['a']}}}hlinkHover")
#: PowerPoint actions that run a program, a macro or an OLE verb.
_UNSAFE_ACTION = re.compile(r"^ppaction://(program|macro|ole)", re.IGNORECASE)

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
)


@dataclass(frozen=True)
class CleanPackage:
    """A template as a plain, clean document package in memory (see the module contract)."""

    source: Path
    kind: Kind
    data: bytes
    removed: tuple[str, ...]
    #: The source's main content type (a template's, a macro file's), before it was rewritten.
    main_type: str
    #: sha256 of the source file's bytes: the same file always gives the same package.
    fingerprint: str

    def warnings(self) -> list[str]:
        """One line per kind of thing removed, naming the file."""
        return [f"{self.source.name}: removed {line}" for line in self.removed]


def load_package(path: Path, kind: Kind | None = None) -> CleanPackage:
    """Read and clean ``path`` (see the module contract); ``kind`` is what the caller needs.

    Cached per process for as long as the file is unchanged. Raises :class:`PackageError`.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise PackageError(
            f"{path}: file not found; check the file name in theme.yaml or project.yaml"
        ) from None
    except OSError as exc:
        raise PackageError(f"{path}: cannot read the file ({exc.strerror})") from None
    package = _load(str(path), stat.st_mtime_ns, stat.st_size)
    if kind is not None and package.kind != kind:
        found, wanted = _KIND_NAME[package.kind], _KIND_NAME[kind]
        what = "presentation or template" if kind == "pptx" else "document or template"
        raise PackageError(
            f"{path}: this is a {found} file ({package.main_type}), not a {wanted} {what}"
        )
    return package


@functools.lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int, size: int) -> CleanPackage:
    source = Path(path)
    try:
        data = source.read_bytes() if size <= 4 * MAX_UNCOMPRESSED else b""
    except OSError as exc:
        raise PackageError(f"{source}: cannot read the file ({exc.strerror})") from None
    if not data:
        raise PackageError(f"{source}: the file is empty or far too large for a template")
    try:
        kind, main_type, clean, removed = _clean(data)
    except _Refused as exc:
        raise PackageError(f"{source}: {exc}") from None
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, ValueError, EOFError) as exc:
        raise PackageError(
            f"{source}: not a readable Office file ({type(exc).__name__}: {exc}); save it "
            "again from PowerPoint, Word or LibreOffice"
        ) from None
    fingerprint = hashlib.sha256(data).hexdigest()
    return CleanPackage(source, kind, clean, removed, main_type, fingerprint)


class _Refused(Exception):
    """A package is refused; the message says why (the file name is added by the caller)."""


# --------------------------------------------------------------------------- the zip


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """The zip, refused when its entries, sizes or ratio are out of proportion (before reading)."""
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _Refused("not an Office file (it is not a zip package)") from None
    infos = zin.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _Refused(
            f"the package holds {len(infos)} files, more than the {MAX_ENTRIES} a template may "
            "have; it is refused (a zip bomb or not a template)"
        )
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _Refused("the package holds the same file twice; it is refused")
    total = sum(i.file_size for i in infos)
    biggest = max(infos, key=lambda i: i.file_size, default=None)
    if total > MAX_UNCOMPRESSED or (total > RATIO_FLOOR and total > MAX_RATIO * len(data)):
        part = f" ({biggest.filename}: {biggest.file_size / 1e6:.0f} MB)" if biggest else ""
        raise _Refused(
            f"the package unpacks to {total / 1e6:.0f} MB from {len(data) / 1e6:.1f} MB{part}, "
            "out of proportion for a template; it is refused (a zip bomb, or media that "
            "belong in the content, not in the template)"
        )
    return zin


def _read_part(zin: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One part, never more than its declared size (zipfile stops there and checks the CRC)."""
    with zin.open(info) as stream:
        data = stream.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise _Refused(f"{info.filename} is not the size the package declares; it is refused")
    return data


_PICTURE = re.compile(r".*\.(png|jpe?g|gif|bmp|tiff?|webp)", re.IGNORECASE)


def _refuse_pixel_bomb(name: str, data: bytes) -> None:
    """Refuse a picture of more pixels than a content image may have (a few kB of PNG can
    declare billions, which LibreOffice would unpack making a PDF); only its header is read."""
    if not _PICTURE.fullmatch(name):
        return
    from PIL import Image, UnidentifiedImageError

    from generator.content.images import MAX_PIXELS

    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # the size is read to be refused here, not decoded
    try:
        with Image.open(io.BytesIO(data)) as picture:
            width, height = picture.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return  # not a picture Pillow knows: LibreOffice draws it as it can, or not at all
    finally:
        Image.MAX_IMAGE_PIXELS = saved
    if width * height > MAX_PIXELS:
        raise _Refused(
            f"the picture {name} is {width}x{height} pixels, more than the "
            f"{MAX_PIXELS // 1_000_000} megapixels a template may hold; it is refused"
        )


def _no_dtd(name: str, data: bytes) -> None:
    """Refuse an XML part that declares a DTD: its entities could reach files or the network in
    a program that resolves them (LibreOffice reads every part), and Office files never have one."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16", errors="replace").encode()
    first = _FIRST_ELEMENT.search(data)
    if b"<!doctype" in data[: first.start() if first else len(data)].lower():
        raise _Refused(f"{name} declares a DTD, which Office files never do; it is refused")


def _parse(name: str, data: bytes) -> Any:
    _no_dtd(name, data)
    return etree.fromstring(data, _PARSER)


_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
#: Bytes that make a part worth parsing even without relationships to remove.
_SUSPECT = re.compile(
    rb"oleObj|OLEObject|:control\b|subDoc|altChunk|attachedTemplate|mailMerge|frameset|ppaction://"
    rb"|:instrText|:fldSimple"
)


def _serialize(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


# --------------------------------------------------------------------------- cleaning


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _source_of(rels: str) -> str:
    folder = posixpath.dirname(posixpath.dirname(rels))
    return posixpath.join(folder, posixpath.basename(rels)[: -len(".rels")])


def _target_part(source: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _rel_type(rel: Any) -> str:
    return rel.get("Type", "").rsplit("/", 1)[-1].lower()


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _removal(rel: Any) -> str | None:
    """Why a relationship goes (the report's wording), or None when it stays."""
    kind = _rel_type(rel)
    if kind in _REMOVED_TYPES:
        return _REMOVED_TYPES[kind]
    if rel.get("TargetMode", "").lower() != "external":
        return None
    target = rel.get("Target", "")
    if kind == "hyperlink":
        return (
            None if _SAFE_LINK.match(target.strip()) else "links that are not web or mail addresses"
        )
    return _EXTERNAL_NAMES.get(kind, "external references")


def _clean(data: bytes) -> tuple[Kind, str, bytes, tuple[str, ...]]:
    zin = _open_zip(data)
    infos = {i.filename: i for i in zin.infolist() if not i.is_dir()}
    if _CT not in infos or "_rels/.rels" not in infos:
        raise _Refused("not an Office Open XML package (no [Content_Types].xml or _rels/.rels)")
    blobs = {name: _read_part(zin, info) for name, info in infos.items()}
    for name, blob in blobs.items():
        _refuse_pixel_bomb(name, blob)
    for name, blob in blobs.items():
        if _is_xml(name):
            _no_dtd(name, blob)
    types = _parse(_CT, blobs[_CT])
    root_rels = _parse("_rels/.rels", blobs["_rels/.rels"])
    main = next(
        (
            _target_part("", r.get("Target", ""))
            for r in root_rels
            if _rel_type(r) == "officedocument" and r.get("TargetMode", "") != "External"
        ),
        None,
    )
    overrides = {o.get("PartName", "").lstrip("/"): o for o in types.iter(f"{{{_CT_NS}}}Override")}
    main_type = overrides[main].get("ContentType", "") if main in overrides else "unknown"
    kind = _MAIN_TYPES.get(main_type)
    if main is None or kind is None:
        raise _Refused(
            "not a PowerPoint or Word document or template "
            f"(its main part's content type is '{main_type}')"
        )
    overrides[main].set("ContentType", _PLAIN_MAIN[kind])

    removed: dict[str, list[str]] = {}
    changed: dict[str, bytes] = {}

    def note(what: str, detail: str) -> None:
        details = removed.setdefault(what, [])
        if detail and detail not in details:
            details.append(detail)

    # Every part: drop the relationships that go, fix or remove the elements that point at them
    # and the elements that go wherever they are (OLE objects, controls, attached templates).
    kept_rels: dict[str, list[str]] = {}
    sources = {_source_of(n) for n in blobs if n.endswith(".rels")}
    for source in sorted(sources | {n for n in blobs if _is_xml(n) and not n.endswith(".rels")}):
        rels_name = _rels_name(source) if source else "_rels/.rels"
        rels = None
        if rels_name in blobs:
            rels = root_rels if source == "" else _parse(rels_name, blobs[rels_name])
        gone: dict[str, Any] = {}
        for rel in rels if rels is not None else ():
            why = _removal(rel)
            if why is not None:
                gone[rel.get("Id", "")] = rel
                detail = rel.get("Target", "")
                if rel.get("TargetMode", "").lower() != "external":
                    detail = _target_part(source, detail)
                if not _EMPTY_SOURCES.fullmatch(blobs.get(detail, b"-")):
                    note(why, detail)
        part = blobs.get(source)
        if part is not None and _is_xml(source) and (gone or _SUSPECT.search(part)):
            tree = _parse(source, part)
            dropped, modified = _fix_references(tree, set(gone), note)
            modified |= _neutralise_fields(tree, note)
            if rels is not None:
                for rid in dropped - _referenced_ids(tree):
                    rel = next((r for r in rels if r.get("Id") == rid), None)
                    if rel is not None:
                        gone[rid] = rel
            if modified:
                changed[source] = _serialize(tree)
        if rels is None:
            continue
        for rel in list(rels):
            if rel.get("Id", "") in gone:
                rels.remove(rel)
        if gone:
            changed[rels_name] = _serialize(rels)
        kept_rels[source] = [
            _target_part(source, r.get("Target", ""))
            for r in rels
            if r.get("TargetMode", "").lower() != "external"
        ]

    # Parts nothing refers to any more (macros, controls, OLE data, custom XML) are left out.
    reachable = _reachable(kept_rels)
    kept = [
        n
        for n in blobs
        if n == _CT
        or n in reachable
        or (n.endswith(".rels") and (n == "_rels/.rels" or _source_of(n) in reachable))
    ]
    for name in sorted(set(blobs) - set(kept)):
        what = _orphan_name(name, blobs[name])
        if what is not None:
            note(what, name)
    for part, override in overrides.items():
        if part not in kept:
            types.remove(override)
    # A Default entry stays only while a kept part without an Override of its own uses it.
    extensions = {posixpath.splitext(n)[1].lstrip(".").lower() for n in kept if n not in overrides}
    for default in list(types.iter(f"{{{_CT_NS}}}Default")):
        if default.get("Extension", "").lower() not in extensions:
            types.remove(default)
    changed[_CT] = _serialize(types)

    out = io.BytesIO()
    # Stored, not deflated: this copy lives only in memory and the builders compress on save.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        for name in kept:
            blob = changed.get(name, blobs[name])
            zout.writestr(zipfile.ZipInfo(name, date_time=infos[name].date_time), blob)
    lines = tuple(_report(what, details) for what, details in removed.items())
    return kind, main_type, out.getvalue(), lines


def _orphan_name(name: str, data: bytes) -> str | None:
    """How the report names a part left out because nothing refers to it (None: not worth it:
    relationships and item properties go with their part, and Word's empty list of sources for
    a bibliography, in nearly every Word template, holds nothing)."""
    lower = name.lower()
    if lower.endswith(".rels") or "itemprops" in lower or _EMPTY_SOURCES.fullmatch(data):
        return None
    if "vbaproject" in lower or "vbadata" in lower or lower.endswith("customizations.xml"):
        return "macros"
    if "/activex/" in lower:
        return "ActiveX controls"
    if lower.startswith("customxml/"):
        return "custom XML data"
    if "/embeddings/" in lower:
        return "OLE objects"
    return None


_EMPTY_SOURCES = re.compile(rb"(<\?xml[^>]*\?>)?\s*<b:Sources\b[^>]*/>\s*", re.DOTALL)


def _report(what: str, details: list[str]) -> str:
    details = sorted(
        details, key=lambda d: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", d)]
    )
    shown = ", ".join(details[:4]) + (f" and {len(details) - 4} more" if len(details) > 4 else "")
    return f"{what} ({shown}); they never reach the documents" if shown else what


def _reachable(rels: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(rels.get("", []))
    while todo:
        part = todo.pop()
        if part in seen:
            continue
        seen.add(part)
        todo += rels.get(part, [])
    return seen


def _r_attributes(element: Any) -> Iterator[tuple[str, str]]:
    for name, value in element.attrib.items():
        if name.startswith("{") and (
            name[1:].split("}")[0] in _R_NAMESPACES or name == f"{{{_O}}}relid"
        ):
            yield name, value


def _referenced_ids(tree: Any) -> set[str]:
    return {value for element in tree.iter() for _, value in _r_attributes(element)}


def _fix_references(tree: Any, gone: set[str], note: Any) -> tuple[set[str], bool]:
    """Remove the elements that must go and fix those pointing at ``gone`` relationships;
    return the relationship ids the removed elements referred to, and whether anything changed."""
    doomed: list[Any] = []
    modified = False
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _ALWAYS_DROPPED:
            note(_ALWAYS_DROPPED[element.tag], "")
            doomed.append(_wrapper(element))
        elif element.tag in _HLINK_CLICK and _UNSAFE_ACTION.match(element.get("action", "")):
            note("actions that run a program, macro or OLE object", element.get("action", ""))
            doomed.append(element)
        else:
            for name, value in list(_r_attributes(element)):
                if value in gone:
                    if element.tag in _ATTRIBUTE_ONLY:
                        del element.attrib[name]
                        modified = True
                    else:
                        doomed.append(_wrapper(element))
    dropped: set[str] = set()
    for element in doomed:
        parent = element.getparent()
        if parent is None:
            continue
        dropped |= {value for e in element.iter() for _, value in _r_attributes(e)}
        parent.remove(element)
        modified = True
        while parent.tag in _EMPTY_CONTAINERS and len(parent) == 0:
            grand = parent.getparent()
            if grand is None:
                break
            grand.remove(parent)
            parent = grand
    return dropped, modified


def _neutralise_fields(tree: Any, note: Any) -> bool:
    """Empty the instruction of every Word field that fetches a file or address when Word updates
    it (INCLUDEPICTURE, INCLUDETEXT, LINK, DDE, IMPORT): the field keeps showing its last result.
    Simple fields and complex ones (begin, instruction runs, separate, end; nested) alike."""
    modified = False
    for simple in tree.iter(_FLD_SIMPLE):
        instruction = simple.get(_INSTR, "")
        if _FETCHING_FIELD.match(instruction):
            note(_FIELDS, instruction.strip()[:80])
            simple.set(_INSTR, "")
            modified = True
    open_fields: list[list[Any]] = []  # per field being read: its instruction runs, or None after
    in_instruction: list[bool] = []
    for element in tree.iter(_FLD_CHAR, _INSTR_TEXT):
        if element.tag == _INSTR_TEXT:
            if open_fields and in_instruction[-1]:
                open_fields[-1].append(element)
            continue
        kind = element.get(_FLD_CHAR_TYPE)
        if kind == "begin":
            open_fields.append([])
            in_instruction.append(True)
        elif kind == "separate" and in_instruction:
            in_instruction[-1] = False
        elif kind == "end" and open_fields:
            runs = open_fields.pop()
            in_instruction.pop()
            instruction = "".join(r.text or "" for r in runs)
            if _FETCHING_FIELD.match(instruction):
                note(_FIELDS, instruction.strip()[:80])
                for run in runs:
                    run.text = ""
                modified = True
    return modified


def _wrapper(element: Any) -> Any:
    """What goes with ``element``: its frame, and the alternate content holding it."""
    target = element
    wanted = _DROP_UP_TO.get(element.tag, ())
    if wanted:
        found = next((a for a in element.iterancestors() if a.tag in wanted), None)
        target = found if found is not None else element
    alternate = next((a for a in target.iterancestors() if a.tag == _MC_ALTERNATE), None)
    return alternate if alternate is not None else target


# --------------------------------------------------------------------------- outputs


def external_references(data: bytes) -> list[str]:
    """Every relationship in a package that reaches outside it, other than a web or mail link
    (``part -> target``); empty for a package that is safe to give LibreOffice."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        for info in zin.infolist():
            if not info.filename.endswith(".rels"):
                continue
            for rel in _parse(info.filename, _read_part(zin, info)):
                if rel.get("TargetMode", "").lower() != "external":
                    continue
                target = rel.get("Target", "")
                if _rel_type(rel) == "hyperlink" and _SAFE_LINK.match(target.strip()):
                    continue
                found.append(f"{_source_of(info.filename)} -> {target}")
    return found
