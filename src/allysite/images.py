"""Partner logos made safe and light: SVG cleaned on an allow-list, rasters resized to WebP.

A logo is shown at most LOGO_BOX CSS pixels wide, so a raster logo is resized with Pillow to
that width and twice it (never up), each as WebP and in its own format for browsers without
WebP; an SVG logo loses scripts, event handlers and external references. Derived files are
cached by a hash of their source, so a rebuild does no image work for unchanged logos.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from lxml import etree
from PIL import Image, UnidentifiedImageError

from allysite import urls
from allysite.config import SiteConfig
from allysite.errors import Diagnostic, SourcePos, error, warning
from allysite.model import Content, Partner

if TYPE_CHECKING:
    from allysite.cache import ParseCache

LOGO_BOX = 96
"""The CSS pixels of the largest place a logo is shown (the profile header)."""
CACHE_VERSION = "1"
"""Part of every cache key: bump it when the processing changes."""
RASTER_FORMATS = MappingProxyType({"PNG": "png", "JPEG": "jpg", "WEBP": "webp"})

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
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
_SAFE_DATA_URI = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z")
_URL_REFERENCE = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Picture:
    """What a template needs to show a logo: its size, and for rasters every candidate."""

    width: int
    height: int
    """At the largest display size, keeping the logo's proportions (width= and height=)."""
    src: str | None
    """The fallback image's href; None for an SVG, shown from the partner's own folder."""
    srcset: str | None
    webp_srcset: str | None
    share_src: str | None
    """The largest raster, for link previews (Open Graph wants a raster)."""


@dataclass(frozen=True, slots=True)
class DerivedFile:
    out_path: str
    source: Path


@dataclass(frozen=True, slots=True)
class Logos:
    pictures: Mapping[str, Picture]
    """By partner slug."""
    files: tuple[DerivedFile, ...]
    """Resized rasters, for /assets/logos/."""
    cleaned: Mapping[str, Path]
    """Cleaned SVG logos that replace the partner's own file in the output, by slug."""


def prepare_logos(
    config: SiteConfig, content: Content, cache: Path, kept: ParseCache | None = None
) -> tuple[Logos, list[Diagnostic]]:
    """`kept`: the build cache's store, where each partner's result is kept by the hash of
    its folder's files (a rebuild neither parses nor cleans an unchanged SVG again; a first
    build prepares them while it parses the content: see `prepare_logo`)."""
    pictures: dict[str, Picture] = {}
    files: list[DerivedFile] = []
    cleaned: dict[str, Path] = {}
    problems: list[Diagnostic] = []
    for partner in content.partners:
        if partner.facts.logo is None:
            continue

        def make(partner: Partner = partner) -> Prepared:
            return prepare_logo(config, partner, cache)

        if kept is None:
            picture, clean, derived, found = make()
        else:
            name, key = logo_slot(config, partner, kept)
            picture, clean, derived, found = kept.kept(name, key, make, _files_there)
        problems += found
        if picture is not None:
            pictures[partner.slug] = picture
            files += derived
            if clean is not None:
                cleaned[partner.slug] = clean
    return Logos(MappingProxyType(pictures), tuple(files), MappingProxyType(cleaned)), problems


Prepared = tuple[Picture | None, Path | None, list[DerivedFile], list[Diagnostic]]
"""A partner's logo as shown, its cleaned SVG, its resized rasters and the problems."""


def logo_slot(config: SiteConfig, partner: Partner, kept: ParseCache) -> tuple[str, object]:
    """Where the build cache keeps a partner's prepared logo, and the key it is kept by."""
    folder = kept.folders.get(partner.folder + "/")  # (the logo is one of its files)
    return f"logo:{partner.folder}", (CACHE_VERSION, folder, partner.facts.logo, config.base_url)


def prepare_logo(config: SiteConfig, partner: Partner, cache: Path) -> Prepared:
    """The partner's logo made safe (SVG) or resized (rasters); its derived files are
    written to the cache folder (any process may do it: they are written whole, by name)."""
    logo = partner.facts.logo
    assert logo is not None
    path = config.root / partner.folder / logo
    shown = f"{partner.folder}/{logo}"
    if path.suffix.lower() == ".svg":
        picture, clean, problems = _svg_logo(path, shown, cache)
        return picture, clean, [], problems
    site_urls = urls.Urls(config.base_url)
    picture, derived, problems = _raster_logo(partner, path, shown, cache, site_urls)
    return picture, None, derived, problems


def _files_there(prepared: Prepared) -> bool:
    """Whether the files a kept result names are still in the cache folder."""
    _picture, clean, derived, _problems = prepared
    return (clean is None or clean.is_file()) and all(file.source.is_file() for file in derived)


def _fit(width: float, height: float) -> tuple[int, int]:
    if width <= 0 or height <= 0:
        return LOGO_BOX, LOGO_BOX
    if width >= height:
        return LOGO_BOX, max(1, round(LOGO_BOX * height / width))
    return max(1, round(LOGO_BOX * width / height)), LOGO_BOX


# --- raster logos -------------------------------------------------------------------------------


def _raster_logo(
    partner: Partner, path: Path, shown: str, cache: Path, site_urls: urls.Urls
) -> tuple[Picture | None, list[DerivedFile], list[Diagnostic]]:
    data = path.read_bytes()
    try:
        with Image.open(path) as probe:
            format_name = probe.format or ""
            size = probe.size
    except (UnidentifiedImageError, OSError):
        return (
            None,
            [],
            [
                error(
                    "bad-logo",
                    "the logo is not an image that allysite can read",
                    SourcePos(shown),
                    "use an SVG, PNG, JPEG or WebP file",
                )
            ],
        )
    fallback_ext = RASTER_FORMATS.get(format_name, "png")
    if fallback_ext == "webp":
        fallback_ext = "png"
    digest = hashlib.sha256(data + CACHE_VERSION.encode()).hexdigest()[:12]
    widths = sorted({min(size[0], LOGO_BOX), min(size[0], 2 * LOGO_BOX)})
    derived: list[DerivedFile] = []
    candidates: dict[str, list[str]] = {"webp": [], fallback_ext: []}
    for width in widths:
        for ext in ("webp", fallback_ext):
            name = f"{digest}-{width}.{ext}"
            target = cache / "logos" / name
            if not target.exists():
                _resize(path, target, width, ext)
            out = f"{partner.slug}-{name}"
            href = site_urls.href(urls.theme_asset(f"logos/{out}"))
            derived.append(DerivedFile(urls.output_path(urls.theme_asset(f"logos/{out}")), target))
            candidates[ext].append(f"{href} {width}w")
    width, height = _fit(*size)
    largest = candidates[fallback_ext][-1].rsplit(" ", 1)[0]
    picture = Picture(
        width=width,
        height=height,
        src=largest,
        srcset=", ".join(candidates[fallback_ext]),
        webp_srcset=", ".join(candidates["webp"]),
        share_src=largest,
    )
    return picture, derived, []


def _resize(source: Path, target: Path, width: int, ext: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        image.load()
        frame = image.convert("RGBA") if ext != "jpg" else image.convert("RGB")
        if frame.width != width:
            height = max(1, round(frame.height * width / frame.width))
            frame = frame.resize((width, height), Image.Resampling.LANCZOS)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        if ext == "webp":
            frame.save(partial, "WEBP", quality=85, method=6)
        elif ext == "jpg":
            frame.save(partial, "JPEG", quality=85, optimize=True, progressive=True)
        else:
            frame.save(partial, "PNG", optimize=True)
        partial.replace(target)  # a killed build never leaves half a file in the cache


# --- SVG logos ----------------------------------------------------------------------------------


def _svg_logo(
    path: Path, shown: str, cache: Path
) -> tuple[Picture | None, Path | None, list[Diagnostic]]:
    data = path.read_bytes()
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        return (
            None,
            None,
            [
                error(
                    "bad-logo",
                    f"the SVG logo is not well-formed XML: {exc.msg}",
                    SourcePos(shown, line, column),
                    "open it in an SVG editor and save it again",
                )
            ],
        )
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or b"<!ENTITY" in data:
        return (
            None,
            None,
            [
                error(
                    "bad-logo",
                    "the SVG logo declares a DOCTYPE or entities, which allysite refuses",
                    SourcePos(shown, 1),
                    "remove the <!DOCTYPE ...> block; an SVG logo needs none",
                )
            ],
        )
    if etree.QName(root).localname != "svg" or etree.QName(root).namespace != SVG_NS:
        return (
            None,
            None,
            [
                error(
                    "bad-logo",
                    "the logo's root element is not an SVG <svg> element",
                    SourcePos(shown, root.sourceline),
                    "check that the file is an SVG image",
                )
            ],
        )
    removed = _clean(root)
    problems = [
        warning(
            "unsafe-logo",
            f"removed {what} from the SVG logo",
            SourcePos(shown, line),
            "logos may not run scripts or load other files; remove it from the source",
        )
        for line, what in removed
    ]
    picture = Picture(*_svg_size(root), src=None, srcset=None, webp_srcset=None, share_src=None)
    if not removed:
        return picture, None, problems
    clean_data = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    target = cache / "logos" / f"{hashlib.sha256(clean_data).hexdigest()[:16]}.svg"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        partial.write_bytes(clean_data)
        partial.replace(target)  # whole, even while another process writes the same file
    return picture, target, problems


def _clean(root: etree._Element) -> list[tuple[int | None, str]]:
    """Drop what is not on the allow-list; return (line, what) for each removal."""
    removed = [
        (node.sourceline, "a processing instruction")
        for node in root.itersiblings(preceding=True)
        if isinstance(node, etree._ProcessingInstruction)
    ]
    return removed + _clean_attributes(root) + _clean_children(root)


def _clean_children(element: etree._Element) -> list[tuple[int | None, str]]:
    removed: list[tuple[int | None, str]] = []
    for child in list(element):
        if not isinstance(child.tag, str):  # comments stay; processing instructions go
            if isinstance(child, etree._ProcessingInstruction):
                removed.append((child.sourceline, "a processing instruction"))
                _drop(child)
            continue
        name = etree.QName(child)
        if name.namespace == SVG_NS and name.localname in SVG_ELEMENTS:
            if name.localname == "style" and _unsafe_style(child.text or ""):
                removed.append((child.sourceline, "a <style> that loads other files"))
                _drop(child)
                continue
            removed += _clean_attributes(child)
            removed += _clean_children(child)
        elif name.namespace == SVG_NS or name.localname in ("script", "foreignObject"):
            removed.append((child.sourceline, f"the <{name.localname}> element"))
            _drop(child)
        else:  # editor data in other namespaces (Inkscape, Sodipodi): harmless, but unused
            _drop(child)
    return removed


def _clean_attributes(element: etree._Element) -> list[tuple[int | None, str]]:
    removed = []
    for key, value in list(element.attrib.items()):
        name = etree.QName(key)
        local = name.localname.lower()
        unsafe = local.startswith("on")
        if local == "href" and name.namespace in (None, XLINK_NS):
            unsafe = not (value.startswith("#") or _SAFE_DATA_URI.match(value))
        elif local == "style" or "url(" in value.lower():
            unsafe = unsafe or _unsafe_style(value)
        if unsafe:
            removed.append((element.sourceline, f"the {name.localname}= attribute"))
            del element.attrib[key]
    return removed


def _unsafe_style(text: str) -> bool:
    lowered = text.lower()
    if "@import" in lowered or "expression(" in lowered or "javascript:" in lowered:
        return True
    return any(
        target and not (target.startswith("#") or _SAFE_DATA_URI.match(target))
        for target in _URL_REFERENCE.findall(text)
    )


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


def _svg_size(root: etree._Element) -> tuple[int, int]:
    def number(value: str | None) -> float | None:
        match = re.fullmatch(r"\s*([0-9.]+)\s*(px)?\s*", value or "")
        return float(match.group(1)) if match else None

    width, height = number(root.get("width")), number(root.get("height"))
    if width and height:
        return _fit(width, height)
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            return _fit(float(box[2]), float(box[3]))
        except ValueError:
            pass
    return LOGO_BOX, LOGO_BOX
