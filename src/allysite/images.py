"""Partner logos made safe and light: SVG cleaned on an allow-list, rasters resized to WebP.

A logo is shown at most LOGO_BOX CSS pixels wide, so a raster logo is resized with Pillow to
that width and twice it (never up), each as WebP and in its own format for browsers without
WebP; an SVG logo loses scripts, event handlers and external references (svgclean.py).
Derived files are cached by a hash of their source, so a rebuild does no image work for
unchanged logos.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from allysite import urls
from allysite.cache import replace_whole
from allysite.config import SiteConfig
from allysite.errors import Diagnostic, SourcePos, error
from allysite.inputindex import DIGEST
from allysite.memo import Memo, file_signature
from allysite.model import Content, Partner

if TYPE_CHECKING:
    from PIL import Image

    from allysite.cache import ParseCache

LOGO_BOX = 96
"""The CSS pixels of the largest place a logo is shown (the profile header)."""
MAX_LOGO_PIXELS = 20_000_000
"""A raster logo larger than this (5,000 x 4,000) is refused: decoding a decompression bomb
(a small file of a huge image) would take minutes and gigabytes."""
CACHE_VERSION = "2"
"""Part of every cache key: bump it when the processing changes."""
KEPT_STATES = "states"
"""In a kept logo's key: its result holds its files' states (an older one does not)."""
RASTER_FORMATS = MappingProxyType({"PNG": "png", "JPEG": "jpg", "WEBP": "webp"})


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
    config: SiteConfig,
    content: Content,
    cache: Path,
    kept: ParseCache | None = None,
    memo: Memo | None = None,
) -> tuple[Logos, list[Diagnostic]]:
    """`kept`: the build cache's store, where each partner's result is kept by the hash of
    its folder's files (a rebuild neither parses nor cleans an unchanged SVG again; a first
    build prepares them while it parses the content: see `prepare_logo`). `memo` (the dev
    server's): each result kept by its logo file's signature, from the first build (which
    takes them from `kept`) on, so that a partner added or removed cleans no other
    partner's logo again."""
    pictures: dict[str, Picture] = {}
    files: list[DerivedFile] = []
    cleaned: dict[str, Path] = {}
    problems: list[Diagnostic] = []
    for partner in content.partners:
        if partner.facts.logo is None:
            continue

        def make(partner: Partner = partner) -> Prepared:
            return prepare_logo(config, partner, cache)

        if kept is not None:
            make = _kept_in(kept, *logo_slot(config, partner, kept), make)
        if memo is not None:
            picture, clean, derived, found, _written = _remembered(config, partner, memo, make)
        else:
            picture, clean, derived, found, _written = make()
        problems += found
        if picture is not None:
            pictures[partner.slug] = picture
            files += derived
            if clean is not None:
                cleaned[partner.slug] = clean
    return Logos(MappingProxyType(pictures), tuple(files), MappingProxyType(cleaned)), problems


CachedState = tuple[int, int, int, int]
"""A derived file's (size, mtime_ns, ctime_ns, inode) in the cache folder, as written."""
Prepared = tuple[
    Picture | None,
    Path | None,
    list[DerivedFile],
    list[Diagnostic],
    tuple[tuple[str, CachedState | None], ...],
]
"""A partner's logo as shown, its cleaned SVG, its resized rasters, the problems, and the
state of each derived file as written (a kept result is taken only while they are)."""


def logo_slot(config: SiteConfig, partner: Partner, kept: ParseCache) -> tuple[str, object]:
    """Where the build cache keeps a partner's prepared logo, and the key it is kept by: the
    logo file's hash (an edited text does not clean or resize it again), else its folder's."""
    logo = partner.facts.logo
    source = kept.index.files.get(f"{partner.folder}/{logo}")
    found = source[DIGEST] if source else kept.folders.get(partner.folder + "/")
    key = (CACHE_VERSION, KEPT_STATES, found, partner.slug, logo, config.base_url)
    return f"logo:{partner.folder}", key


def prepare_logo(config: SiteConfig, partner: Partner, cache: Path) -> Prepared:
    """The partner's logo made safe (SVG) or resized (rasters); its derived files are
    written to the cache folder (any process may do it: they are written whole, by name)."""
    logo = partner.facts.logo
    assert logo is not None
    path = config.root / partner.folder / logo
    shown = f"{partner.folder}/{logo}"
    if path.suffix.lower() == ".svg":
        picture, clean, problems = _svg_logo(path, shown, cache)
        return picture, clean, [], problems, _states([clean] if clean else [])
    site_urls = urls.Urls(config.base_url)
    picture, derived, problems = _raster_logo(partner, path, shown, cache, site_urls)
    return picture, None, derived, problems, _states([file.source for file in derived])


def _states(paths: list[Path]) -> tuple[tuple[str, CachedState | None], ...]:
    return tuple((str(path), _cached_state(path)) for path in paths)


def _cached_state(path: str | Path) -> CachedState | None:
    """A derived file's state; None when it is not a regular file. The inode's change time
    is in it: a file written over with its old modification time (`touch -r`) differs."""
    try:
        status = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def _kept_in(
    kept: ParseCache, name: str, key: object, make: Callable[[], Prepared]
) -> Callable[[], Prepared]:
    """`make`, through the build cache's slot."""
    return lambda: kept.kept(name, key, make, _files_there)


def _remembered(
    config: SiteConfig, partner: Partner, memo: Memo, make: Callable[[], Prepared]
) -> Prepared:
    slot = ("logo", partner.folder)
    path = f"{config.root}/{partner.folder}/{partner.facts.logo}"
    key = (CACHE_VERSION, file_signature(path), partner.slug, config.base_url)
    prepared = memo.get(slot, key, make)
    if not _files_there(prepared):  # (removed from the cache folder meanwhile)
        memo.drop(slot)
        prepared = memo.get(slot, key, make)
    return prepared


def _files_there(prepared: Prepared) -> bool:
    """Whether the files a kept result names are still in the cache folder as it wrote them:
    one truncated, overwritten or removed by hand is made again, never copied as it is."""
    *_shown, states = prepared
    return all(state is not None and _cached_state(path) == state for path, state in states)


def _fit(width: float, height: float) -> tuple[int, int]:
    """The size fitted to the box; the whole box when a side is unknown (0)."""
    if width <= 0 or height <= 0:
        return LOGO_BOX, LOGO_BOX
    if width >= height:
        return LOGO_BOX, max(1, round(LOGO_BOX * height / width))
    return max(1, round(LOGO_BOX * width / height)), LOGO_BOX


# --- raster logos -------------------------------------------------------------------------------


def _raster_logo(
    partner: Partner, path: Path, shown: str, cache: Path, site_urls: urls.Urls
) -> tuple[Picture | None, list[DerivedFile], list[Diagnostic]]:
    from PIL import Image, UnidentifiedImageError  # (here: a rebuild's logos are cached)

    data = path.read_bytes()
    too_large = None
    try:
        with warnings.catch_warnings():  # Pillow's warning of a large image: our error below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as probe:  # reads the header: the size, not the pixels
                format_name = probe.format or ""
                size = probe.size
        if size[0] * size[1] > MAX_LOGO_PIXELS:
            too_large = f"the logo is {size[0]:,} x {size[1]:,} pixels"
    except Image.DecompressionBombError:  # (twice Pillow's own limit: refused at opening)
        too_large = "the logo has more pixels than Pillow opens"
    except UnidentifiedImageError:
        return None, [], [_unreadable(shown)]
    except Exception as exc:  # (the header's chunks decoded: any exception of a decoder)
        return None, [], [_unreadable(shown, exc)]
    if too_large is not None:
        problem = error(
            "bad-logo",
            f"{too_large}, more than the {MAX_LOGO_PIXELS:,} allysite resizes",
            SourcePos(shown),
            f"save it smaller: it is shown at most {LOGO_BOX} pixels wide "
            f"({2 * LOGO_BOX} on sharp screens)",
        )
        return None, [], [problem]
    fallback_ext = RASTER_FORMATS.get(format_name, "png")
    if fallback_ext == "webp":
        fallback_ext = "png"
    digest = hashlib.sha256(data + CACHE_VERSION.encode()).hexdigest()[:12]
    sizes = {scaled[0]: scaled for scaled in (_scaled(size, 1), _scaled(size, 2))}
    derived: list[DerivedFile] = []
    candidates: dict[str, list[str]] = {"webp": [], fallback_ext: []}
    for width, scaled in sorted(sizes.items()):
        for ext in ("webp", fallback_ext):
            name = f"{digest}-{width}.{ext}"
            target = cache / "logos" / name
            try:  # (made again even when the cache folder has it: its bytes are not known)
                frame = _resized(path, scaled, ext)
            except Exception as exc:  # (a decoder given any bytes may raise anything: a
                # truncated file, a compressed text chunk too large...)
                return None, [], [_unreadable(shown, exc)]
            _save(frame, target, ext)
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


def _unreadable(shown: str, exc: Exception | None = None) -> Diagnostic:
    why = "" if exc is None else f" ({exc})"
    return error(
        "bad-logo",
        f"the logo is not an image that allysite can read{why}",
        SourcePos(shown),
        "use an SVG, PNG, JPEG or WebP file; save it again from an image editor",
    )


def _scaled(size: tuple[int, int], scale: int) -> tuple[int, int]:
    """The logo's size fitted into the box `scale` times (2: sharp screens), never enlarged.
    Fitted by its longer side: a tall logo fitted by its width kept its height, and past
    16,383 pixels WebP cannot store it (a 50 x 17,000 logo was an internal error)."""
    width, height = size
    ratio = min(1.0, scale * LOGO_BOX / max(width, height))
    return max(1, round(width * ratio)), max(1, round(height * ratio))


def _resized(source: Path, size: tuple[int, int], ext: str) -> Image.Image:
    """The logo decoded and resized to `size` (in the colours its format keeps)."""
    from PIL import Image

    with Image.open(source) as image:
        image.load()
        frame = image.convert("RGBA") if ext != "jpg" else image.convert("RGB")
    if frame.size != size:
        frame = frame.resize(size, Image.Resampling.LANCZOS)
    return frame


def _save(frame: Image.Image, target: Path, ext: str) -> None:
    buffer = io.BytesIO()
    if ext == "webp":
        frame.save(buffer, "WEBP", quality=85, method=6)
    elif ext == "jpg":
        frame.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    else:
        frame.save(buffer, "PNG", optimize=True)
    _store(target, buffer.getvalue())


def _store(target: Path, data: bytes) -> None:
    """`data` in the cache folder, unless the file there holds it already (then left as it
    is: another partner's logo of the same bytes may have recorded its state)."""
    with contextlib.suppress(OSError):
        if _cached_state(target) is not None and target.read_bytes() == data:
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    replace_whole(partial, target)


# --- SVG logos ----------------------------------------------------------------------------------


def _svg_logo(
    path: Path, shown: str, cache: Path
) -> tuple[Picture | None, Path | None, list[Diagnostic]]:
    from allysite.svgclean import clean_svg  # (here: lxml, for a logo not cached yet)

    safe = clean_svg(path.read_bytes(), shown)
    problems = list(safe.problems)
    if safe.size is None:
        return None, None, problems
    width, height = safe.size
    picture = Picture(
        *_fit(width or 0, height or 0), src=None, srcset=None, webp_srcset=None, share_src=None
    )
    if safe.cleaned is None:
        return picture, None, problems
    target = cache / "logos" / f"{hashlib.sha256(safe.cleaned).hexdigest()[:16]}.svg"
    _store(target, safe.cleaned)  # whole, even while another process writes the same file
    return picture, target, problems
