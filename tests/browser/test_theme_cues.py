"""States and marks of the default theme that must not be told by colour alone (WCAG 1.4.1),
in forced colours (Windows high contrast) too, and what print and the page's head ask of
the browser: on the bundled site, in Chromium.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

LANGUAGES = ("es", "en", "fr", "ar")

# What a state may be shown by besides colour: forced colours keep all of these.
NON_COLOUR_STYLE = """(el) => {
  const s = getComputedStyle(el);
  return {
    fontWeight: s.fontWeight, borderWidth: s.borderTopWidth, borderStyle: s.borderTopStyle,
    outline: s.outlineStyle + ' ' + s.outlineWidth, textDecoration: s.textDecorationLine,
    before: getComputedStyle(el, '::before').content,
    after: getComputedStyle(el, '::after').content,
  };
}"""


def _goto(page: Any, url: str) -> None:
    page.goto(url, wait_until="load")


@pytest.mark.parametrize("forced", ("none", "active"))
def test_a_pressed_filter_is_shown_by_more_than_colour(
    page: Any, base_url: str, forced: str
) -> None:
    """Forced colours replace backgrounds: a state shown by background colour alone looked
    exactly like the others there."""
    page.emulate_media(forced_colors=forced)
    _goto(page, f"{base_url}/es/")
    assert page.evaluate("matchMedia('(forced-colors: active)').matches") == (forced == "active")
    page.locator(".facet summary").first.click()
    links = page.locator(".facet").first.locator("a")
    links.first.click()
    assert links.first.get_attribute("aria-pressed") == "true"
    assert links.nth(1).get_attribute("aria-pressed") == "false"
    pressed = links.first.evaluate(NON_COLOUR_STYLE)
    unpressed = links.nth(1).evaluate(NON_COLOUR_STYLE)
    assert pressed != unpressed, pressed
    # a mark that is seen is not read out: aria-pressed says it already
    if pressed["before"] not in ("none", "normal"):
        assert pressed["before"].endswith('/ ""'), pressed["before"]


def _with_untranslated_switch(site_dir: Path, lang: str) -> str:
    """A page of the language whose switcher offers a language without a translation."""
    for path in sorted((site_dir / lang / "partners").glob("*/index.html")):
        if 'class="untranslated"' in path.read_text(encoding="utf-8"):
            return f"/{lang}/partners/{path.parent.name}/"
    raise AssertionError(f"the bundled site should have such a page in {lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_switcher_says_in_words_which_languages_are_not_translated(
    browser: Any, base_url: str, site_dir: Path, lang: str
) -> None:
    """Grey links beside blue ones (1.1:1 between them) were the only sign a sighted reader
    had; the words were for screen readers alone. At 320 px the words still fit."""
    context = browser.new_context(viewport={"width": 320, "height": 740})
    page = context.new_page()
    try:
        path = _with_untranslated_switch(site_dir, lang)
        _goto(page, base_url + path)
        page.wait_for_selector("#site-search-input", state="visible", timeout=10000)
        marks = page.eval_on_selector_all(
            ".language-switcher a.untranslated",
            """links => links.map((a) => {
              const marks = [...a.querySelectorAll('[lang]')].filter((el) => el !== a);
              return marks.map((el) => {
                const box = el.getBoundingClientRect();
                return { text: el.textContent.trim(), lang: el.lang, width: box.width,
                         height: box.height, clip: getComputedStyle(el).clipPath,
                         visible: el.checkVisibility({ opacityProperty: true,
                                                       visibilityProperty: true }) };
              });
            })""",
        )
        assert marks and all(len(found) == 1 for found in marks), marks
        for (mark,) in marks:
            assert mark["lang"] == lang and mark["text"].startswith("("), mark
            assert mark["visible"] and mark["clip"] == "none", mark
            assert mark["width"] > 30 and mark["height"] > 8, mark
        sizes = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert sizes[0] <= sizes[1], f"{path}: {sizes[0]}px wide in a {sizes[1]}px window"
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_switchers_not_yet_translated_follows_the_name_in_reading_order(
    page: Any, base_url: str, site_dir: Path, lang: str
) -> None:
    """The link took the direction of the language it names, so its words followed that
    language's order: "(traducción pendiente) العربية" in Spanish, and the note on the right
    of "English" in Arabic, where it is read first."""
    path = _with_untranslated_switch(site_dir, lang)
    _goto(page, base_url + path)
    placed = page.eval_on_selector_all(
        ".language-switcher a.untranslated",
        """links => links.map((a) => {
          const note = a.querySelector('.pending').getBoundingClientRect();
          const range = document.createRange();
          range.selectNodeContents(a);
          range.setEndBefore(a.querySelector('.pending'));
          const name = range.getBoundingClientRect();
          return { text: a.textContent.trim(), hreflang: a.hreflang, note: [note.left, note.right],
                   name: [name.left, name.right], top: [note.top, name.top] };
        })""",
    )
    rtl = page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    checked = 0
    for link in placed:
        if abs(link["top"][0] - link["top"][1]) > 12:  # (wrapped to a line of its own)
            continue
        checked += 1
        if rtl:
            assert link["note"][1] <= link["name"][0] + 1, link
        else:
            assert link["note"][0] >= link["name"][1] - 1, link
    assert checked, placed


def test_printed_web_addresses_are_isolated_left_to_right(page: Any, base_url: str) -> None:
    """Print shows a link's address after it; in Arabic text the bidi algorithm reordered
    its parts (".(/https://www.unaoc.org") until it was isolated (LRI ... PDI)."""
    page.emulate_media(media="print")
    _goto(page, f"{base_url}/ar/partners/unaoc/")
    shown = page.eval_on_selector_all(
        '.prose a[href^="http"]',
        "links => links.map((a) =>"
        " [a.getAttribute('href'), getComputedStyle(a, '::after').content])",
    )
    assert shown
    for href, content in shown:
        assert f"\u2066{href}\u2069" in content, content


def test_pages_load_without_a_failed_request(page: Any, base_url: str) -> None:
    """Without a linked icon the browser asks for /favicon.ico, which the bundled site does
    not have: a 404 and a console error on every page."""
    failed: list[str] = []
    errors: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    icons = []
    for path in ("/es/", "/ar/partners/unaoc/", "/404.html", "/fr/404.html"):
        _goto(page, base_url + path)
        page.wait_for_timeout(300)  # (the icon is fetched after the load event)
        icons.append(page.evaluate("document.querySelector('link[rel=icon]')?.href"))
    assert not failed, failed
    assert not errors, errors
    assert all(icon and "/assets/favicon." in icon for icon in icons), icons
