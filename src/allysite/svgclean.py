"""SVG logos made safe: parsed without entities or network, and cleaned on an allow-list.

A logo comes from a partner's folder and is shown on every page of the partner, so nothing in
it may run or load: scripts, event handlers, `<foreignObject>`, elements of other namespaces
(XHTML's), external references (in `href`, `url()`, `image-set()` or `@import`, CSS escapes
decoded) and processing instructions
are removed, each with a warning naming its line; a DOCTYPE or an entity refuses the file.
What stays is what an SVG editor writes for a drawing (shapes, text, gradients, filters,
styles).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from allysite.errors import Diagnostic, SourcePos, error, warning

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
MAX_ATTRIBUTES = 1000
"""Attributes an element of an SVG logo may have (a real one has a few; lxml lists them in
time in their square: 200,000 took four minutes)."""
SVG_ELEMENTS = frozenset(
    (
        "svg",
        "g",
        "defs",
        "symbol",
        "use",
        "title",
        "desc",
        "metadata",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "pattern",
        "marker",
        "image",
        "style",
        "filter",
        "feGaussianBlur",
        "feOffset",
        "feBlend",
        "feColorMatrix",
        "feFlood",
        "feComposite",
        "feMerge",
        "feMergeNode",
        "switch",
        "",
    )
)
EDITOR_NAMESPACES = frozenset(
    (
        "http://www.inkscape.org/namespaces/inkscape",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://purl.org/dc/elements/1.1/",
        "http://creativecommons.org/ns#",
        "http://ns.adobe.com/AdobeIllustrator/10.0/",
        "http://ns.adobe.com/AdobeSVGViewerExtensions/3.0/",
        "http://ns.adobe.com/Extensibility/1.0/",
        "http://ns.adobe.com/Graphs/1.0/",
        "http://ns.adobe.com/SaveForWeb/1.0/",
        "http://ns.adobe.com/Variables/1.0/",
        "http://www.bohemiancoding.com/sketch/ns",
        "http://www.serif.com/",
    )
)
"""Where SVG editors keep their own data (Inkscape, Sodipodi, RDF metadata, Illustrator,
Sketch, Affinity): its elements are dropped without a warning. An element of any other
namespace other than SVG's is dropped with one: XHTML's run scripts in an SVG opened alone."""
_SAFE_DATA_URI = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z")
_URL_REFERENCE = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SafeSvg:
    size: tuple[float | None, float | None] | None
    """The logo's own width and height (None where it states none); None: refused."""
    cleaned: bytes | None
    """The logo without what was removed; None when nothing was (its own file is shown)."""
    problems: tuple[Diagnostic, ...]


def clean_svg(data: bytes, shown: str) -> SafeSvg:
    """`shown`: the file's name in messages."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        problem = error(
            "bad-logo",
            f"the SVG logo is not well-formed XML: {exc.msg}",
            SourcePos(shown, line, column),
            "open it in an SVG editor and save it again",
        )
        return SafeSvg(None, None, (problem,))
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or b"<!ENTITY" in data:
        problem = error(
            "bad-logo",
            "the SVG logo declares a DOCTYPE or entities, which allysite refuses",
            SourcePos(shown, 1),
            "remove the <!DOCTYPE ...> block; an SVG logo needs none",
        )
        return SafeSvg(None, None, (problem,))
    if etree.QName(root).localname != "svg" or etree.QName(root).namespace != SVG_NS:
        problem = error(
            "bad-logo",
            "the logo's root element is not an SVG <svg> element",
            SourcePos(shown, root.sourceline),
            "check that the file is an SVG image",
        )
        return SafeSvg(None, None, (problem,))
    crowded = next((e for e in root.iter() if len(e.attrib) > MAX_ATTRIBUTES), None)
    if crowded is not None:  # (lxml lists an element's attributes in time in their square)
        problem = error(
            "bad-logo",
            f"an element of the SVG logo has {len(crowded.attrib):,} attributes: allysite "
            f"reads at most {MAX_ATTRIBUTES:,}",
            SourcePos(shown, crowded.sourceline),
            "open it in an SVG editor and save it again",
        )
        return SafeSvg(None, None, (problem,))
    removed = _clean(root)
    problems = tuple(
        warning(
            "unsafe-logo",
            f"removed {what} from the SVG logo",
            SourcePos(shown, line),
            "logos may not run scripts or load other files; remove it from the source",
        )
        for line, what in removed
        if what is not None
    )
    cleaned = etree.tostring(root, encoding="utf-8", xml_declaration=True) if removed else None
    return SafeSvg(_svg_size(root), cleaned, problems)


Removal = tuple[int | None, str | None]
"""The line of what was removed, and what it was (None: editor data, removed unsaid)."""


def _clean(root: etree._Element) -> list[Removal]:
    """Drop what is not on the allow-list; return (line, what) for each removal."""
    removed = [
        (node.sourceline, "a processing instruction")
        for node in root.itersiblings(preceding=True)
        if isinstance(node, etree._ProcessingInstruction)
    ]
    return removed + _clean_attributes(root) + _clean_children(root)


def _clean_children(element: etree._Element) -> list[Removal]:
    removed: list[Removal] = []
    for child in list(element):
        if not isinstance(child.tag, str):  # comments stay; processing instructions go
            if isinstance(child, etree._ProcessingInstruction):
                removed.append((child.sourceline, "a processing instruction"))
                _drop(child)
            continue
        name = etree.QName(child)
        if name.namespace == SVG_NS and name.localname in SVG_ELEMENTS:
            # (its CSS is all its text: a comment or an element inside it hid what followed)
            if name.localname == "style" and _unsafe_style("".join(child.itertext())):
                removed.append((child.sourceline, "a <style> that loads other files"))
                _drop(child)
                continue
            removed += _clean_attributes(child)
            removed += _clean_children(child)
        elif name.namespace in EDITOR_NAMESPACES:  # harmless, unused: dropped unsaid (but the
            removed.append((child.sourceline, None))  # cleaned file is the one published)
            _drop(child)
        else:  # (HTML's <img onerror>, <iframe>, <meta refresh> run in an SVG opened alone)
            removed.append((child.sourceline, f"the <{name.localname}> element"))
            _drop(child)
    return removed


def _clean_attributes(element: etree._Element) -> list[Removal]:
    removed: list[Removal] = []
    for key, value in list(element.attrib.items()):
        name = etree.QName(key)
        local = name.localname.lower()
        unsafe = local.startswith("on")
        if local == "href" and name.namespace in (None, XLINK_NS):
            unsafe = not (value.startswith("#") or _SAFE_DATA_URI.match(value))
        elif local == "style" or "(" in value:  # (a CSS function: url(), image-set())
            unsafe = unsafe or _unsafe_style(value)
        if unsafe:
            removed.append((element.sourceline, f"the {name.localname}= attribute"))
            del element.attrib[key]
    return removed


def _unsafe_style(text: str) -> bool:
    """Whether CSS text loads another file or runs script, read as a browser reads it: with
    its escapes decoded (`u\\72l(`, `@\\69mport` are url( and @import to a browser) and with
    the images that image-set() names as plain strings."""
    decoded = _CSS_ESCAPE.sub(_unescaped, text) if "\\" in text else text
    lowered = decoded.lower()
    if "@import" in lowered or "expression(" in lowered or "javascript:" in lowered:
        return True
    targets = _URL_REFERENCE.findall(decoded)
    if "image-set(" in lowered or "src(" in lowered:  # (their images may be bare strings)
        targets += [double or single for double, single in _CSS_STRING.findall(decoded)]
    return any(
        target and not (target.startswith("#") or _SAFE_DATA_URI.match(target))
        for target in targets
    )


# A CSS escape (CSS Syntax 3, 4.3.7): up to six hex digits and one blank after them, a
# backslash before a line break (a string's line continuation), or any other character.
_CSS_ESCAPE = re.compile(
    r"\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\n\r\f])?|(\r\n|[\n\r\f])|(.))", re.DOTALL
)
_CSS_STRING = re.compile(r"""(?:"\s*([^"]*)"|'\s*([^']*)')""")


def _unescaped(escape: re.Match[str]) -> str:
    if escape[1] is not None:
        code = int(escape[1], 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return "" if escape[2] is not None else escape[3]


def _drop(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:  # keep the text that followed the element
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _svg_size(root: etree._Element) -> tuple[float | None, float | None]:
    """Its width= and height= in pixels, else its viewBox's."""

    width, height = _length(root.get("width")), _length(root.get("height"))
    if width and height:
        return width, height
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        width, height = _length(box[2]), _length(box[3])
        if width and height:
            return width, height
    return None, None


def _length(value: str | None) -> float | None:
    """A length in pixels, written as SVG writes numbers (`12`, `12.5px`, `1e3`); None for
    anything else, for `nan` and `inf` (which float() reads, and a logo's box cannot be)
    and for a length that is not above zero."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(px)?\s*", value or "")
    if match is None:
        return None
    number = float(match.group(1))
    return number if 0 < number < 1e9 else None
