"""Languages as the runtime sees them: code, Babel locale, CLDR direction, native name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

# A BCP 47 language tag as sites write them: 'es', 'pt-BR', 'zh-Hant', 'sr-Latn-RS'.
BCP47_PATTERN = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    """The code as the site writes it (BCP 47, e.g. 'es', 'pt-BR'): used in URLs and lang=."""
    locale: Locale
    direction: str
    """'ltr' or 'rtl', from CLDR."""
    native_name: str
    is_default: bool

    @property
    def locale_id(self) -> str:
        """Babel's identifier ('pt_BR'), as gettext and Open Graph want it."""
        return str(self.locale)


def parse_locale(code: str) -> Locale | None:
    """The Babel locale of a BCP 47 code, or None if CLDR does not know it."""
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def make_language(code: str, is_default: bool) -> Language:
    locale = parse_locale(code)
    if locale is None:
        raise ValueError(f"unknown language code {code!r}")
    name = locale.get_display_name(locale) or code
    return Language(
        code=code,
        locale=locale,
        direction=locale.text_direction or "ltr",
        native_name=name[:1].upper() + name[1:],
        is_default=is_default,
    )
