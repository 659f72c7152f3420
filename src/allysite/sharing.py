"""What search engines and link previews read: schema.org JSON-LD and Open Graph locales.

The JSON-LD goes inside a <script> element, so it is serialised with `<`, `>` and `&` as
JSON escapes: whatever a partner's name holds (`</script>` included), the script element
cannot end early and the JSON stays valid (traced.script_json).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit, uses_relative

from babel import Locale
from babel.core import get_global

from allysite.languages import Language
from allysite.model import Partner
from allysite.traced import Structured, structured
from allysite.views import PartnerView


def og_locale(language: Language) -> str:
    """Open Graph wants language_TERRITORY: 'es' -> 'es_ES', 'ar' -> 'ar_EG' (CLDR's likely
    subtags). The script counts where CLDR knows it: Traditional Chinese is mostly written
    in Taiwan (zh_Hant -> zh_Hant_TW), not China, and Punjabi in Arabic script in Pakistan."""
    locale = language.locale
    if locale.territory:
        return f"{locale.language}_{locale.territory}"
    subtags = get_global("likely_subtags")
    likely = locale.script and subtags.get(f"{locale.language}_{locale.script}")
    likely = likely or subtags.get(locale.language)
    if likely:
        territory = Locale.parse(likely).territory
        if territory:
            return f"{locale.language}_{territory}"
    return locale.language


def share_image_url(view: PartnerView, base_url: str) -> str | None:
    """The logo's full URL for link previews (og:image): its largest raster; None for an
    SVG logo, which Facebook, LinkedIn, X and the messengers do not show (a page without
    og:image gets a preview without a picture; one with an SVG, a broken one or none)."""
    if not view.logo_href or _is_svg(view.logo_href):
        return None
    share = view.picture.share_src if view.picture and view.picture.share_src else None
    return full_url(base_url, share or view.logo_href)


def logo_url(view: PartnerView, base_url: str) -> str | None:
    """The logo's full URL for structured data: its largest raster, else the SVG (search
    engines read SVG logos)."""
    if not view.logo_href:
        return None
    return share_image_url(view, base_url) or full_url(base_url, view.logo_href)


def _is_svg(href: str) -> bool:
    return href.lower().endswith(".svg")


def organization(
    partner: Partner,
    view: PartnerView,
    language: Language,
    languages: tuple[Language, ...],
    site: Mapping[str, str],
    base_url: str,
    canonical: str,
) -> Structured:
    """The schema.org Organization of one profile, in the page's language.

    `site` holds the directory's own 'name' and 'url': the partnership is a Role linking the
    partner to it, with the partnership's start as the Role's startDate. `canonical` is the
    page's canonical URL, its mainEntityOfPage: a stand-in page names its original's, as its
    canonical link and og:url do, not itself.
    """
    item = view.item
    names = [item.name]
    for other in languages:
        translation = partner.translations.get(other.code)
        if translation is not None and other.code != item.text_lang.code:
            names.append(translation.name)
    for translation in partner.translations.values():
        if translation.short_name:
            names.append(translation.short_name)
    alternates = list(dict.fromkeys(name for name in names[1:] if name != item.name))
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": item.name,
        "url": view.website,
    }
    if alternates:
        data["alternateName"] = alternates
    if item.summary:
        data["description"] = item.summary
    logo = logo_url(view, base_url)
    if logo:
        data["logo"] = logo
    if view.since:
        data["memberOf"] = {
            "@type": "Role",
            "roleName": "partner",
            "startDate": view.since.iso,
            "memberOf": {"@type": "Organization", "name": site["name"], "url": site["url"]},
        }
    data["mainEntityOfPage"] = canonical
    return structured(data, "description")  # (where its summary is: traced.py)


# A root-relative path that urljoin would leave as it is: no '//', no '.' or '..' segment,
# no params, query or fragment.
_PLAIN_PATH = re.compile(r"(?:/(?!\.\.?(?:/|$))[^/;?#\x00-\x20\x7f]+)+/?|/")


def full_url(base_url: str, href: str) -> str:
    """urljoin(base_url, href), for the site's own root-relative hrefs without its cost
    (two per profile, which took a third of planning one): the base's scheme and host
    before the path."""
    origin = _origin(base_url)
    if origin is not None and _PLAIN_PATH.fullmatch(href):
        return origin + href
    return urljoin(base_url, href)


@functools.lru_cache(maxsize=8)
def _origin(base_url: str) -> str | None:
    """'https://example.org' of a base URL, or None where urljoin would do otherwise."""
    parts = urlsplit(base_url)
    if not parts.netloc or parts.scheme not in uses_relative:
        return None
    return f"{parts.scheme}:" * bool(parts.scheme) + f"//{parts.netloc}"
