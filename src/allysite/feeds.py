"""An Atom feed per language: the partners, newest partnership first.

Entries are dated by `partner_since` (a partial date counts from its first day), so the feed
is the same for the same content: no build time goes into it. Partners without a date are
not in the feed, since Atom needs a date for every entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from xml.etree.ElementTree import (  # ElementTree's own escaping: the bytes stay its bytes
    _escape_attrib,  # type: ignore[attr-defined]
    _escape_cdata,  # type: ignore[attr-defined]
)

from allysite import urls
from allysite.config import SiteConfig
from allysite.render import OutputFile
from allysite.sitemap import XML_DECLARATION
from allysite.traced import XML, Span, feed_text
from allysite.views import LanguageView, PartnerView, TermLink

ATOM_NS = "http://www.w3.org/2005/Atom"


def _stamp(partner: PartnerView) -> str:
    assert partner.since is not None
    iso = partner.since.iso
    year, month, day = [*iso.split("-"), "01", "01"][:3]
    return f"{year}-{month}-{day}T00:00:00Z"


def _element(indent: str, tag: str, text: str | None = None, **attrs: str) -> str:
    """One line of the feed: an element without children, as ElementTree writes it after
    `ET.indent` (it took most of the feed's time: the text is written here directly)."""
    start = _attributes(attrs)
    if text:
        return f"{indent}<{tag}{start}>{_escape_cdata(text)}</{tag}>\n"
    return f"{indent}<{tag}{start} />\n"


def _attributes(attrs: Mapping[str, str]) -> str:
    return "".join(f' {name}="{_escape_attrib(value)}"' for name, value in attrs.items())


def make_feed(config: SiteConfig, view: LanguageView) -> OutputFile:
    return traced_feed(config, view)[0]


def traced_feed(
    config: SiteConfig, view: LanguageView
) -> tuple[OutputFile, tuple[Span, ...] | None]:
    """The language's feed, and where it shows which texts' summaries (traced.py; None
    when a summary does not know its text)."""
    site_urls = urls.Urls(config.base_url)
    code = view.language.code
    dated = sorted(
        (p for p in view.partners if p.since is not None),
        key=lambda p: (_stamp(p), p.item.slug),
        reverse=True,
    )
    title = config.title[code]
    # (a title borrowed from the default language says so, as a stand-in's entries do)
    titled = {"xml:lang": config.default_language.code} if code in config.borrowed_titles else {}
    out = [
        XML_DECLARATION,
        f'<feed xmlns="{ATOM_NS}" xml:lang="{_escape_attrib(code)}">\n',
        _element("  ", "id", site_urls.absolute(urls.feed(code))),
        _element("  ", "title", title, **titled),
        _element("  ", "updated", _stamp(dated[0]) if dated else "1970-01-01T00:00:00Z"),
        _element(
            "  ",
            "link",
            rel="self",
            type="application/atom+xml",
            href=site_urls.absolute(urls.feed(code)),
        ),
        _element(
            "  ",
            "link",
            rel="alternate",
            type="text/html",
            href=site_urls.absolute(urls.home(code)),
        ),
        "  <author>\n",
        _element("    ", "name", title, **titled),
        "  </author>\n",
    ]
    categories: dict[TermLink, str] = {}  # a term's line, the same in every entry
    parts: list[bytes] = []
    spans: list[Span] = []
    size = 0
    known = True
    for partner in dated:
        url = site_urls.absolute(urls.partner(code, partner.item.slug))
        head, summary, tail = _entry(partner, url, categories)
        out.append(head)
        if summary:  # (what comes before it, then it, as bytes: where it is)
            before = "".join(out).encode("utf-8", "xmlcharrefreplace")
            shown = feed_text(summary)
            source = getattr(summary, "source", None)
            known = known and isinstance(source, str)
            spans.append((str(source), XML, size + len(before), len(shown)))
            parts += (before, shown)
            size += len(before) + len(shown)
            out.clear()
        out.append(tail)
    out.append("</feed>\n")
    parts.append("".join(out).encode("utf-8", "xmlcharrefreplace"))
    file = OutputFile(urls.output_path(urls.feed(code)), b"".join(parts))
    return file, tuple(spans) if known else None


def _entry(
    partner: PartnerView, url: str, categories: dict[TermLink, str]
) -> tuple[str, str | None, str]:
    """One entry, written out (a term's category line once for all entries): before its
    summary, the summary (not escaped yet), after it.

    A stand-in's title and summary are its original's text: they alone say so (`xml:lang`
    on the entry would declare its categories, in the feed's language, of the original's
    too, RFC 4287 §2)."""
    item = partner.item
    lang = {"xml:lang": item.text_lang.code} if item.is_fallback else {}
    stamp = _stamp(partner)
    lines = [
        f"  <entry>\n    <id>{_escape_cdata(url)}</id>\n",
        _element("    ", "title", item.name, **lang),
        f'    <link rel="alternate" type="text/html" href="{_escape_attrib(url)}" />\n'
        f"    <published>{stamp}</published>\n    <updated>{stamp}</updated>\n",
    ]
    head = "".join(lines)
    lines = []
    if item.summary:
        head += f"    <summary{_attributes(lang)}>"
        lines.append("</summary>\n")
    for term in (partner.kind, *partner.regions, *partner.topics):
        line = categories.get(term)
        if line is None:
            line = categories[term] = _element(
                "    ", "category", term=f"{term.taxonomy}/{term.slug}", label=term.label
            )
        lines.append(line)
    lines.append("  </entry>\n")
    return head, item.summary or None, "".join(lines)


def make_feeds(config: SiteConfig, views: Iterable[LanguageView]) -> list[OutputFile]:
    return [make_feed(config, view) for view in views]
