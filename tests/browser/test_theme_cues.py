"""States and marks of the default theme that must not be told by colour alone (WCAG 1.4.1),
in forced colours (Windows high contrast) too, and what print and the page's head ask of
the browser: on the bundled site, in Chromium.
"""

from __future__ import annotations

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
