"""render: remembered includes (cards), the cheaper gettext and escape, the navigation.

A template that reads only frozen values is rendered once per distinct values and reused
(each partner's card on every list page); these tests hold it to giving exactly what Jinja
gives, and never an output made from older values.
"""

from __future__ import annotations

import dataclasses
import gc
import weakref
from pathlib import Path
from types import MappingProxyType

import pytest
from babel.support import NullTranslations
from bs4 import BeautifulSoup
from jinja2 import DictLoader, Environment, Template, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from allysite.render import (
    TemplateDirs,
    make_environment,
    render_routes,
)
from allysite.rendermemo import forget_outputs, install_translations
from allysite.views import PartnerView

from .support import SMALL_SITE, render_site, write_files

CARD_OVERRIDE = (
    '{% set heading = card_heading|default("h2") %}'
    '<div class="my-card"><{{ heading }}>{{ partner.item.name }}</{{ heading }}>'
    "<i>{{ partner.kind.label }}</i></div>\n"
)
OLD_CARDS = (
    '<ol class="old-cards">{% for partner in partners %}'
    '<li>{% include "partials/card.html" %}</li>{% endfor %}</ol>\n'
)


def built(tmp_path: Path, files: dict[str, str]) -> tuple[dict[str, BeautifulSoup], object]:
    root = write_files(tmp_path / "site", {**SMALL_SITE, **files})
    outputs, problems, plan, envs, dirs = render_site(root)
    assert problems == []
    pages = {o.out_path: BeautifulSoup(o.data.decode("utf-8"), "html.parser") for o in outputs}
    return pages, (plan, envs, dirs)


def test_a_sites_card_shows_on_home_and_term_pages(tmp_path: Path) -> None:
    pages, _ = built(tmp_path, {"templates/partials/card.html": CARD_OVERRIDE})
    home = pages["es/index.html"]
    assert home.select(".card") == []
    assert [h.get_text() for h in home.select(".my-card h3")] == ["Árbol Beta", "Zeta Alfa"]
    term = pages["es/kinds/ngo/index.html"]
    assert [h.get_text() for h in term.select(".my-card h2")] == ["Árbol Beta", "Zeta Alfa"]
    assert [i.get_text() for i in term.select(".my-card i")] == ["ONG", "ONG"]


def test_an_old_cards_override_still_includes_the_card(tmp_path: Path) -> None:
    pages, _ = built(tmp_path, {"templates/partials/cards.html": OLD_CARDS})
    for path in ("es/index.html", "es/topics/peace/index.html", "en/index.html"):
        cards = pages[path].select("ol.old-cards > li > article.card")
        assert cards, path
    assert pages["es/topics/peace/index.html"].select_one(".card-title a").get_text() == (
        "Zeta Alfa"
    )


def test_the_theme_card_is_the_same_remembered_or_not(tmp_path: Path) -> None:
    """Every list page shows the cards that rendering each card anew gives."""
    pages, (plan, envs, dirs) = built(tmp_path, {})
    for env in envs.values():
        env.template_class = Template  # Jinja's own: nothing remembered
        env.cache.clear()
    fresh, problems = render_routes(plan.routes, envs, dirs)  # type: ignore[attr-defined]
    assert problems == []
    for output in fresh:
        assert str(pages[output.out_path]) == str(
            BeautifulSoup(output.data.decode("utf-8"), "html.parser")
        ), output.out_path


def test_a_changed_partner_view_never_gets_the_old_card(tmp_path: Path) -> None:
    """The dev server renders again with the same environments: a partner edited since is a
    new view, and its card is made anew on every page that lists it."""
    _, (plan, envs, dirs) = built(tmp_path, {})
    term = next(r for r in plan.routes if r.out_path == "es/kinds/ngo/index.html")
    partners: tuple[PartnerView, ...] = term.context["partners"]  # type: ignore[assignment]
    renamed = tuple(
        dataclasses.replace(p, item=dataclasses.replace(p.item, name=p.item.name + " Nuevo"))
        for p in partners
    )
    again = dataclasses.replace(
        term, context=MappingProxyType({**term.context, "partners": renamed})
    )
    outputs, problems = render_routes([term, again], envs, dirs)
    assert problems == []
    before, after = (
        [a.get_text() for a in BeautifulSoup(o.data, "html.parser").select(".card-title a")]
        for o in outputs
    )
    assert before == ["Árbol Beta", "Zeta Alfa"]
    assert after == ["Árbol Beta Nuevo", "Zeta Alfa Nuevo"]


# --- the memo on its own -------------------------------------------------------------------------


def env_with(templates: dict[str, str]) -> Environment:
    env = make_environment(TemplateDirs(Path("/nowhere"), Path("/nowhere")))
    env.loader = DictLoader(templates)
    install_translations(env, NullTranslations())
    return env


@dataclasses.dataclass(frozen=True)
class Named:  # (no slots: a weak reference tells when nothing holds it)
    name: str


def test_forgotten_outputs_let_their_values_go_and_render_alike() -> None:
    """A build's process forgets a language's remembered cards once its pages are made: the
    views that key them are let go (they held every language's views in memory), and the
    template renders as before."""
    env = env_with(
        {"card.html": "<b>{{ view.name }}</b>", "list.html": "{% include 'card.html' %}"}
    )
    view = Named("Alfa")
    assert env.get_template("list.html").render(view=view) == "<b>Alfa</b>"
    held = weakref.ref(view)
    del view
    gc.collect()
    assert held() is not None  # (remembered: the entry holds the values that key it)
    forget_outputs(env)
    gc.collect()
    assert held() is None
    assert env.get_template("list.html").render(view=Named("Beta")) == "<b>Beta</b>"


def test_a_mutable_value_is_read_anew_every_time() -> None:
    env = env_with(
        {
            "item.html": "[{{ box|join(',') }}]",
            "list.html": "{% for n in range(2) %}{% include 'item.html' %}{% endfor %}",
        }
    )
    box = [1]
    assert env.get_template("list.html").render(box=box) == "[1][1]"
    box.append(2)
    assert env.get_template("list.html").render(box=box) == "[1,2][1,2]"


def test_a_template_reading_the_page_or_the_loop_is_not_remembered() -> None:
    env = env_with(
        {
            "here.html": "{{ page.href }}",
            "count.html": "{{ loop.index }}",
            "list.html": (
                "{% for p in pages %}{{ loop.index0 }}{% include 'count.html' %}{% endfor %}"
            ),
        }
    )
    page = dataclasses.make_dataclass("P", ["href"], frozen=True)
    for href in ("/a/", "/b/"):
        assert env.get_template("here.html").render(page=page(href)) == href
    assert env.get_template("list.html").render(pages="xyz") == "011223"


def test_a_macro_of_the_page_is_called_anew() -> None:
    """A macro defined by the page reads the page's variables as they are at the call."""
    env = env_with(
        {
            "t.html": "({{ m() }})",
            "page.html": (
                "{% macro m() %}{{ x }}{% endmacro %}{% set x = 1 %}{% include 't.html' %}"
                "{% set x = 2 %}{% include 't.html' %}"
            ),
        }
    )
    for _ in range(2):
        assert env.get_template("page.html").render() == "(1)(2)"


def test_a_function_given_the_context_is_called_anew() -> None:
    @pass_context
    def shown(context: Context) -> str:
        return str(context.get("x"))

    env = env_with(
        {
            "t.html": "({{ shown() }})",
            "page.html": "{% for x in (1, 2) %}{% include 't.html' %}{% endfor %}",
        }
    )
    env.globals["shown"] = shown
    for _ in range(2):
        assert env.get_template("page.html").render() == "(1)(2)"


def test_imports_of_a_remembered_template_find_its_variables() -> None:
    templates = {
        "v.html": "{% set greeting = 'hi ' ~ name|default('nobody') %}[{{ name|default('-') }}]",
        "imp.html": "{% import 'v.html' as v with context %}{{ v.greeting }}",
        "frm.html": "{% from 'v.html' import greeting %}{{ greeting }}",
        "inc.html": "{% for name in names %}{% include 'v.html' %}{% endfor %}",
    }
    env = env_with(templates)
    plain = env_with(templates)
    plain.template_class = Template
    for _ in range(3):
        for which in (env, plain):
            assert which.get_template("inc.html").render(names=("a", "b", "a")) == "[a][b][a]"
            assert which.get_template("imp.html").render(name="z") == "hi z"
            assert which.get_template("frm.html").render() == "hi nobody"
            assert which.get_template("v.html").module.greeting == "hi nobody"  # type: ignore[attr-defined]


# --- gettext and escape --------------------------------------------------------------------------


MESSAGES = {
    "page.html": (
        "{{ _('Plain') }}|{{ _('100%% sure') }}|{{ _('Hi %(who)s', who='<b>') }}|"
        "{{ gettext('<em>') }}|{{ ngettext('%(num)d cat', '%(num)d cats', 3) }}|"
        "{% trans n=2 %}{{ n }} dog{% pluralize %}{{ n }} dogs{% endtrans %}|"
        "{% trans who='&' %}By {{ who }}{% endtrans %}|"
        "{% for x in 'ab' %}{{ _('Plain') }}{% endfor %}"
    ),
}
MESSAGES["page.txt"] = MESSAGES["page.html"]


@pytest.mark.parametrize("name", ["page.html", "page.txt"])
def test_gettext_gives_what_jinjas_gives(name: str) -> None:
    ours = env_with(MESSAGES)
    jinjas = Environment(
        loader=DictLoader(MESSAGES),
        autoescape=lambda n: bool(n and n.endswith(".html")),
        extensions=["jinja2.ext.i18n"],
    )
    jinjas.install_gettext_translations(NullTranslations(), newstyle=True)  # type: ignore[attr-defined]
    for _ in range(2):  # the second time from the remembered messages
        assert ours.get_template(name).render() == jinjas.get_template(name).render()


class Dictionary(NullTranslations):
    """Translations from a dict: (msgid or (singular, plural, form)) → msgstr."""

    def __init__(self, entries: dict[object, str]) -> None:
        super().__init__()
        self.entries = entries

    def gettext(self, message: str) -> str:
        return self.entries.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.entries.get((singular, plural, n), singular if n == 1 else plural)

    ugettext, ungettext = gettext, ngettext  # (Babel's names, which Jinja prefers)


TRANSLATED = {
    "page.html": (
        "{{ _('Plain') }}|{{ _('Plain') }}|{{ _('Hi %(who)s', who='<b>') }}|"
        "{{ _('<em>%(x)s</em>', x='&') }}|{{ ngettext('%(num)d cat', '%(num)d cats', 3) }}|"
        "{% trans %}A <i>B</i>{% endtrans %}"
    ),
}
TRANSLATED["page.txt"] = TRANSLATED["page.html"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "page.html",
            "&lt;b&gt;&#34;P&#39;|&lt;b&gt;&#34;P&#39;|&#34;Hola&#34; &lt;b&gt;|"
            "<em>&amp;</em>|3 &lt;gatos&gt;|Un <i>B</i>",
        ),
        ("page.txt", '<b>"P\'|<b>"P\'|"Hola" <b>|<em>&</em>|3 <gatos>|Un <i>B</i>'),
    ],
)
def test_a_translation_is_escaped_unless_its_source_is_markup(name: str, expected: str) -> None:
    """A translation is text like any value (Jinja took every one as markup), but where the
    source text is markup: there the catalog check has left out a translation with tags of
    its own. A template without autoescape gets every translation as written."""
    env = make_environment(TemplateDirs(Path("/nowhere"), Path("/nowhere")))
    env.loader = DictLoader(TRANSLATED)
    entries: dict[object, str] = {
        "Plain": "<b>\"P'",
        "Hi %(who)s": '"Hola" %(who)s',
        "<em>%(x)s</em>": "<em>%(x)s</em>",
        ("%(num)d cat", "%(num)d cats", 3): "%(num)d <gatos>",
        "A <i>B</i>": "Un <i>B</i>",
    }
    install_translations(env, Dictionary(entries))
    assert env.get_template(name).render() == expected


@pytest.mark.parametrize(
    "value",
    ["plain", "<a href='x'>&\"", "", Markup("<b>safe</b>"), 3, 2.5, None, Markup(""), "é—“"],
)
def test_escape_is_markupsafes(value: object) -> None:
    env = env_with({"t.html": "{{ value }}"})
    assert env.get_template("t.html").render(value=value) == str(escape(value))


BUFFERED = {
    "page.html": (
        "{% macro box(x) %}<i>{{ x }}</i>{% endmacro %}"
        "{% macro wrap(x) %}[{{ x }}{{ caller() }}]{% endmacro %}"
        "{% set block %}<b>{{ value }}</b>{% endset %}"
        "{{ block }}|{{ block|length }}|{{ block|upper }}|{{ block ~ value }}|"
        "{{ box(value) }}|{{ box(value)|striptags }}|{{ value ~ value }}|"
        "{% filter upper %}{{ value }}<br>{% endfilter %}|"
        "{% call wrap('<q>') %}{{ value }}{% endcall %}|"
        "{% autoescape false %}{{ value }}{% endautoescape %}|"
        "{% autoescape true %}{{ value }}{% endautoescape %}|{{ value|e }}|{{ value|safe }}"
    ),
}


@pytest.mark.parametrize("value", ["<a href='x'>&\"", Markup("<b>&amp;</b>"), "plain", 7])
def test_output_through_buffers_is_jinjas(value: object) -> None:
    """Our escape gives the text escaped, not a Markup: the compiled code only yields it or
    joins it into a block, a macro's or a filter's body, which it makes Markup itself."""
    ours = env_with(BUFFERED)
    jinjas = Environment(loader=DictLoader(BUFFERED), autoescape=True)
    assert ours.get_template("page.html").render(value=value) == (
        jinjas.get_template("page.html").render(value=value)
    )


# --- the navigation ------------------------------------------------------------------------------


def test_the_navigation_marks_the_current_page_only(tmp_path: Path) -> None:
    pages, _ = built(tmp_path, {})

    def current(path: str) -> list[str]:
        nav = pages[path].select_one("nav.site-nav")
        return [a["href"] for a in nav.select("a[aria-current]")]

    assert current("es/index.html") == ["/es/"]
    assert current("es/topics/index.html") == ["/es/topics/"]
    assert current("es/about/index.html") == ["/es/about/"]
    assert current("es/partners/alpha/index.html") == []
    assert current("en/partners/beta/index.html") == []
    assert current("en/index.html") == ["/en/"]
