"""Markdown into safe HTML: the one place that knows the Markdown library and the sanitizer.

markdown-it-py gives full CommonMark (authors paste CommonMark from everywhere); raw HTML is
allowed in the source but everything passes nh3's allow-list, so no script, event handler,
iframe or javascript: link reaches a page.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.anchors.index import slugify
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

_EXTRA_TAGS = frozenset({"figure", "figcaption", "section", "picture", "source", "mark"})
_FORBIDDEN_TAGS = frozenset({"iframe", "object", "embed", "form", "input", "button", "style"})
_GLOBAL_ATTRIBUTES = frozenset({"id", "lang", "dir", "class", "title"})
_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Ids the theme's pages use themselves: a heading must not take them.
THEME_IDS = frozenset({"main", "content", "top"})


def _heading_id(title: str) -> str:
    slug = slugify(title)
    return f"{slug}-section" if slug in THEME_IDS else slug


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(deflist_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=_heading_id)
    return md


@cache
def _cleaner_settings() -> tuple[frozenset[str], dict[str, set[str]]]:
    tags = (frozenset(nh3.ALLOWED_TAGS) | _EXTRA_TAGS) - _FORBIDDEN_TAGS
    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = set(attributes.get("*", set())) | _GLOBAL_ATTRIBUTES
    attributes["source"] = {"srcset", "type", "media", "sizes"}
    attributes["img"] = set(attributes.get("img", set())) | {"loading", "srcset", "sizes"}
    return tags, attributes


def sanitize_html(html: str) -> str:
    tags, attributes = _cleaner_settings()
    return nh3.clean(
        html,
        tags=set(tags),
        attributes=attributes,
        url_schemes=set(_URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """CommonMark (with tables, footnotes, definition lists, heading anchors) as safe HTML."""
    return sanitize_html(_parser().render(source))
