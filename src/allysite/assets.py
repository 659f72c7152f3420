"""The theme's CSS and JS, minified and named by a hash of their content.

A file whose name changes whenever its content does can be cached by browsers and hosts for a
year ("immutable"): pages always link to the current name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType

import rcssmin
import rjsmin

from allysite import urls


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    """The theme's own name for it ('style.css'), as templates ask for it."""
    out_path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Assets:
    files: tuple[Asset, ...]
    hrefs: Mapping[str, str]
    """The link of each asset, by its theme name."""


def minify(name: str, data: bytes) -> bytes:
    suffix = PurePosixPath(name).suffix
    if suffix == ".css":
        return rcssmin.cssmin(data.decode("utf-8")).encode("utf-8")
    if suffix in (".js", ".mjs"):
        return rjsmin.jsmin(data.decode("utf-8")).encode("utf-8")
    return data


def fingerprinted(name: str, data: bytes) -> str:
    """'style.css' -> 'style.1a2b3c4d5e.css'."""
    path = PurePosixPath(name)
    digest = hashlib.sha256(data).hexdigest()[:10]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def build_assets(static: Path, base_url: str) -> Assets:
    """Every file of the theme's static folder, minified where it is CSS or JS."""
    site_urls = urls.Urls(base_url)
    files = []
    hrefs = {}
    for path in sorted(static.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(static).as_posix()
        data = minify(name, path.read_bytes())
        final = urls.theme_asset(fingerprinted(name, data))
        files.append(Asset(name, urls.output_path(final), data))
        hrefs[name] = site_urls.href(final)
    return Assets(tuple(files), MappingProxyType(hrefs))
