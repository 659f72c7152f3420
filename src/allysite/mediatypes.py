"""How a built file is served: its Content-Type (with charset for text) and cache lifetime.

The dev server and the deploy command share these rules, so a preview answers with the
headers the published site will have.
"""

from __future__ import annotations

import mimetypes
import re
from types import MappingProxyType

TYPES = MappingProxyType(
    {
        ".html": "text/html",
        ".htm": "text/html",
        ".css": "text/css",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".webmanifest": "application/manifest+json",
        ".xml": "application/xml",
        ".atom": "application/atom+xml",
        ".txt": "text/plain",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".gif": "image/gif",
        ".webp": "image/webp",
        ".avif": "image/avif",
        ".ico": "image/x-icon",
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".pdf": "application/pdf",
        ".wasm": "application/wasm",
    }
)
TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/manifest+json",
        "application/xml",
        "application/atom+xml",
        "image/svg+xml",
    }
)
# Files named by a hash of their content: the theme's built assets (assets/style.1a2b3c4d5e.css)
# and Pagefind's index parts (pagefind/fragment/en_2af6946.pf_fragment).
FINGERPRINTED = (
    re.compile(r"assets/(?:.+/)?[^/]+\.[0-9a-f]{10}\.[A-Za-z0-9]+"),
    re.compile(r"pagefind/(?:.+/)?[^/]+_[0-9a-f]{7,}\.pf_[a-z]+"),
)
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300, must-revalidate"


COMPRESSED = MappingProxyType(
    {
        "gzip": "application/gzip",
        "bzip2": "application/x-bzip2",
        "xz": "application/x-xz",
        "br": "application/x-brotli",
        "compress": "application/x-compress",
    }
)
"""The type of a compressed file (data.csv.gz), by the compression mimetypes names: the
type of what is inside, with no Content-Encoding, showed its bytes as text."""


NAMES = MappingProxyType({"apple-app-site-association": "application/json"})
"""Files known by a name without extension (.well-known/): Apple reads this one as JSON."""


def content_type(name: str) -> str:
    """The Content-Type header for a file name or path; text types say they are UTF-8."""
    base = name.rsplit("/", 1)[-1]  # (not a folder's dot: .well-known/x is no '.well-known/x' type)
    suffix = "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""
    kind = NAMES.get(base) or TYPES.get(suffix)
    if kind is None:
        kind, compression = mimetypes.guess_type(name, strict=False)
        if compression is not None:
            return COMPRESSED.get(compression, "application/octet-stream")
    if kind is None:
        return "application/octet-stream"
    if kind.startswith("text/") or kind in TEXT_TYPES:
        return f"{kind}; charset=utf-8"
    return kind


def is_fingerprinted(out_path: str) -> bool:
    """True for output files whose name changes whenever their content does."""
    return any(pattern.fullmatch(out_path) for pattern in FINGERPRINTED)


def cache_control(out_path: str) -> str:
    """A year for fingerprinted files; a few minutes (then revalidate) for everything else."""
    return IMMUTABLE if is_fingerprinted(out_path) else SHORT
