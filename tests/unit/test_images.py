"""Logos: rasters resized to WebP and their own format, SVG cleaned on an allow-list."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from PIL import Image

from allysite.config import load_config
from allysite.images import prepare_logos
from allysite.loader import load_content

SITE = "title: T\nbase_url: https://example.org/\ndefault_language: en\nlanguages: [en]\n"


def _site(tmp_path: Path, logo_name: str, logo: bytes) -> Path:
    root = tmp_path / "site"
    folder = root / "content" / "partners" / "alpha"
    folder.mkdir(parents=True)
    (root / "site.yaml").write_text(SITE)
    (folder / "partner.yaml").write_text(
        f"website: https://alpha.example.org/\nlogo: {logo_name}\nkind: ngo\n"
    )
    (folder / "en.md").write_text("---\nname: Alpha\nsummary: S.\n---\n")
    (folder / logo_name).write_bytes(logo)
    return root


def _prepare(root: Path, cache: Path):  # type: ignore[no-untyped-def]
    config, problems = load_config(root)
    assert config is not None, problems
    content, problems = load_content(config)
    assert not problems
    return prepare_logos(config, content, cache)


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 30, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def test_raster_logo_gets_two_widths_in_webp_and_png(tmp_path: Path) -> None:
    root = _site(tmp_path, "logo.png", _png(400, 200))
    logos, problems = _prepare(root, tmp_path / "cache")
    assert problems == []
    picture = logos.pictures["alpha"]
    assert (picture.width, picture.height) == (96, 48)
    assert picture.webp_srcset.count("w,") == 1 and " 192w" in picture.webp_srcset
    assert picture.srcset.endswith("-192.png 192w") and picture.src.endswith("-192.png")
    sizes = {}
    for derived in logos.files:
        assert derived.out_path.startswith("assets/logos/alpha-")
        with Image.open(derived.source) as image:
            sizes[derived.out_path.rsplit(".", 1)[1], image.width] = image.format
    assert sizes == {
        ("webp", 96): "WEBP",
        ("webp", 192): "WEBP",
        ("png", 96): "PNG",
        ("png", 192): "PNG",
    }


def test_small_raster_is_never_enlarged_and_cache_is_reused(tmp_path: Path) -> None:
    root = _site(tmp_path, "logo.png", _png(60, 60))
    logos, _ = _prepare(root, tmp_path / "cache")
    assert {Image.open(d.source).width for d in logos.files} == {60}
    assert len(logos.files) == 2  # one width, two formats
    stamps = {d.source: d.source.stat().st_mtime_ns for d in logos.files}
    again, _ = _prepare(root, tmp_path / "cache")
    assert {d.source: d.source.stat().st_mtime_ns for d in again.files} == stamps


def test_clean_svg_is_kept_as_it_is(tmp_path: Path) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100"><rect width="9"/></svg>'
    logos, problems = _prepare(_site(tmp_path, "logo.svg", svg), tmp_path / "cache")
    assert problems == [] and "alpha" not in logos.cleaned
    assert (logos.pictures["alpha"].width, logos.pictures["alpha"].height) == (96, 48)


def test_svg_loses_scripts_handlers_and_external_references(tmp_path: Path) -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"\n'
        b'     width="96" height="96" onload="steal()">\n'
        b"  <script>alert(1)</script>\n"
        b'  <image href="https://tracker.example/pixel.png" width="1" height="1"/>\n'
        b'  <use xlink:href="#shape"/>\n'
        b'  <rect id="shape" width="96" height="96" style="fill:url(https://x.example/a)"/>\n'
        b'  <foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>\n'
        b"</svg>\n"
    )
    logos, problems = _prepare(_site(tmp_path, "logo.svg", svg), tmp_path / "cache")
    shown = sorted(f"{d.pos}: {d.level}: {d.message}" for d in problems)
    where = "content/partners/alpha/logo.svg"
    assert shown == [
        f"{where}:2: warning: removed the onload= attribute from the SVG logo",
        f"{where}:3: warning: removed the <script> element from the SVG logo",
        f"{where}:4: warning: removed the href= attribute from the SVG logo",
        f"{where}:6: warning: removed the style= attribute from the SVG logo",
        f"{where}:7: warning: removed the <foreignObject> element from the SVG logo",
    ]
    cleaned = logos.cleaned["alpha"].read_text()
    for gone in ("script", "onload", "tracker", "x.example", "foreignObject"):
        assert gone not in cleaned
    assert 'xlink:href="#shape"' in cleaned  # an internal reference stays


@pytest.mark.parametrize(
    "inside",
    [
        # CSS escapes, which a browser decodes: url( and @import written otherwise
        "<style>rect{fill:u\\72l(https://tracker.example/a.svg#a)}</style>",
        '<style>@\\69mport "https://tracker.example/a.css";</style>',
        '<rect width="9" height="9" style="stroke:u\\000072l(https://tracker.example/b)"/>',
        '<rect width="9" height="9" fill="u\\72l(https://tracker.example/c.svg#a)"/>',
        # image-set() names its images as plain strings
        "<style>svg{background-image:image-set('https://tracker.example/d.png' 1x)}</style>",
        '<rect width="9" height="9" cursor="image-set(&quot;https://tracker.example/e&quot; 1x)"/>',
        # a comment or an element inside <style> hid the CSS after it from the check
        "<style>a{}<!-- c -->rect{stroke:url(https://tracker.example/f.svg#a)}</style>",
        "<style>a{}<g/>rect{stroke:url(https://tracker.example/g.svg#a)}</style>",
    ],
)
def test_svg_css_that_loads_a_file_is_removed_however_it_is_written(
    tmp_path: Path, inside: str
) -> None:
    """Chromium fetched each of these addresses when it opened the logo alone."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">\n'
        f"  {inside}\n"
        '  <rect width="9" height="9" fill="url(#own)" transform="rotate(45)"/>\n'
        "</svg>\n"
    ).encode()
    logos, problems = _prepare(_site(tmp_path, "logo.svg", svg), tmp_path / "cache")
    assert [(d.pos.line if d.pos else None, d.code) for d in problems] == [(2, "unsafe-logo")]
    cleaned = logos.cleaned["alpha"].read_text()
    assert "tracker.example" not in cleaned
    assert 'fill="url(#own)" transform="rotate(45)"' in cleaned  # what is its own stays


def test_svg_loses_elements_of_other_namespaces_and_the_cleaned_file_is_published(
    tmp_path: Path,
) -> None:
    """An element of a namespace other than SVG's was dropped without being counted: when
    nothing else was removed, the original file was published, and its XHTML `<img
    onerror>` ran in a browser that opened the logo. An editor's own data goes unsaid, but
    the file without it is the one published too (its elements may hold others)."""
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml"\n'
        b'     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="9" height="9">\n'
        b'  <h:img src="x" onerror="alert(1)"/>\n'
        b'  <inkscape:page><h:iframe src="javascript:alert(2)"/></inkscape:page>\n'
        b'  <rect width="9" height="9"/>\n'
        b"</svg>\n"
    )
    logos, problems = _prepare(_site(tmp_path, "logo.svg", svg), tmp_path / "cache")
    assert [(d.pos.line if d.pos else None, d.message) for d in problems] == [
        (3, "removed the <img> element from the SVG logo")
    ]
    cleaned = logos.cleaned["alpha"].read_bytes()
    for gone in (b"onerror", b"iframe", b"javascript", b"inkscape:page", b"<h:"):
        assert gone not in cleaned
    assert b"<rect" in cleaned
    editor = svg.replace(b'  <h:img src="x" onerror="alert(1)"/>\n', b"").replace(
        b'<h:iframe src="javascript:alert(2)"/>', b""
    )
    logos, problems = _prepare(_site(tmp_path / "2", "logo.svg", editor), tmp_path / "c2")
    assert problems == []
    assert b"inkscape:page" not in logos.cleaned["alpha"].read_bytes()


@pytest.mark.parametrize("box", ["0 0 nan 1", "0 0 inf inf", "0 0 1e999 5", "0 0 -3 4", "x"])
def test_an_svg_without_a_usable_size_fills_the_box(tmp_path: Path, box: str) -> None:
    """float() reads `nan` and `inf`: fitting the logo into its box was an internal error."""
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}"/>'.encode()
    logos, problems = _prepare(_site(tmp_path, "logo.svg", svg), tmp_path / "cache")
    assert problems == []
    assert (logos.pictures["alpha"].width, logos.pictures["alpha"].height) == (96, 96)


@pytest.mark.parametrize(("width", "height"), [(50, 17_000), (1, 16_384), (17_000, 3)])
def test_a_long_raster_is_fitted_by_its_longer_side(
    tmp_path: Path, width: int, height: int
) -> None:
    """Renditions were fitted by their width only: a tall logo kept its height, and past
    16,383 pixels WebP cannot store one (an internal error)."""
    logos, problems = _prepare(_site(tmp_path, "logo.png", _png(width, height)), tmp_path / "c")
    assert problems == []
    sizes = set()
    for derived in logos.files:
        with Image.open(derived.source) as image:
            sizes.add(image.size)
    assert max(max(size) for size in sizes) == 192  # (twice the box: sharp screens)
    picture = logos.pictures["alpha"]
    assert max(picture.width, picture.height) == 96
    descriptors = [part.rsplit(" ", 1)[1] for part in picture.srcset.split(", ")]
    assert len(descriptors) == len(set(descriptors))  # (one width, one file)


def test_broken_or_entity_svg_is_refused_with_its_line(tmp_path: Path) -> None:
    broken = b'<svg xmlns="http://www.w3.org/2000/svg">\n<rect>\n</svg>\n'
    logos, problems = _prepare(_site(tmp_path, "logo.svg", broken), tmp_path / "c1")
    assert [(d.level, d.pos.path, d.pos.line) for d in problems] == [
        ("error", "content/partners/alpha/logo.svg", 3)
    ]
    assert "alpha" not in logos.pictures
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>\n'
    )
    _, problems = _prepare(_site(tmp_path / "2", "logo.svg", bomb), tmp_path / "c2")
    assert [d.message for d in problems] == [
        "the SVG logo declares a DOCTYPE or entities, which allysite refuses"
    ]


def test_an_svg_element_with_too_many_attributes_is_refused(tmp_path: Path) -> None:
    """lxml lists an element's attributes in time in their square: 200,000 of them (2.4 MB)
    took the build four minutes."""
    attributes = " ".join(f'a{number}="1"' for number in range(200_000))
    svg = f'<svg xmlns="http://www.w3.org/2000/svg">\n<g {attributes}/>\n</svg>\n'.encode()
    logos, problems = _prepare(_site(tmp_path, "logo.svg", svg), tmp_path / "cache")
    assert [(d.level, d.message, d.pos.line if d.pos else None) for d in problems] == [
        (
            "error",
            "an element of the SVG logo has 200,000 attributes: allysite reads at most 1,000",
            2,
        )
    ]
    assert "alpha" not in logos.pictures


def test_unreadable_raster_is_an_error(tmp_path: Path) -> None:
    _, problems = _prepare(_site(tmp_path, "logo.png", b"not an image"), tmp_path / "cache")
    assert [(d.level, d.message) for d in problems] == [
        ("error", "the logo is not an image that allysite can read")
    ]


def _png_with_text_bomb() -> bytes:
    """A 10 x 10 PNG with a compressed text chunk of 50 MB (Pillow refuses it on opening)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 10, 10, 8, 2, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\x00\x00\x00" * 10 for _ in range(10))
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"zTXt", b"k\x00\x00" + zlib.compress(b"a" * 50_000_000)),
            chunk(b"IDAT", zlib.compress(pixels)),
            chunk(b"IEND", b""),
        )
    )


def _truncated_gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), "red").save(buffer, "GIF")
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("logo.png", _png_with_text_bomb(), "Decompressed data too large"),
        ("logo.gif", _truncated_gif(), "image file is truncated"),
    ],
    ids=["png-text-bomb", "truncated-gif"],
)
def test_a_raster_that_its_decoder_refuses_is_an_error(
    tmp_path: Path, name: str, data: bytes, why: str
) -> None:
    """Pillow raised a ValueError on opening the one and an OSError on loading the other:
    both were internal errors of the build."""
    logos, problems = _prepare(_site(tmp_path, name, data), tmp_path / "cache")
    assert [(d.level, d.pos.path if d.pos else None) for d in problems] == [
        ("error", f"content/partners/alpha/{name}")
    ]
    assert problems[0].message.startswith("the logo is not an image that allysite can read (")
    assert why in problems[0].message
    assert "alpha" not in logos.pictures


def _bilevel_png(width: int, height: int) -> bytes:
    """A huge image in a small file (one bit a pixel, all equal: it compresses to nothing)."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def test_a_logo_larger_than_allysite_resizes_is_refused(tmp_path: Path) -> None:
    """Decoding a small file of a huge image would take minutes and gigabytes."""
    root = _site(tmp_path, "logo.png", _bilevel_png(5001, 4000))
    logos, problems = _prepare(root, tmp_path / "cache")
    assert [(p.code, p.message, p.pos.path) for p in problems] == [
        (
            "bad-logo",
            "the logo is 5,001 x 4,000 pixels, more than the 20,000,000 allysite resizes",
            "content/partners/alpha/logo.png",
        )
    ]
    assert (
        problems[0].hint
        == "save it smaller: it is shown at most 96 pixels wide (192 on sharp screens)"
    )
    assert "alpha" not in logos.pictures and not list((tmp_path / "cache").rglob("*.png"))


def test_a_decompression_bomb_is_refused_without_a_warning(tmp_path: Path) -> None:
    root = _site(tmp_path, "logo.png", _bilevel_png(20_000, 20_000))  # 400 million pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's DecompressionBombWarning would fail it
        logos, problems = _prepare(root, tmp_path / "cache")
    assert [p.message for p in problems] == [
        "the logo has more pixels than Pillow opens, more than the 20,000,000 allysite resizes"
    ]
    assert logos.pictures == {}
