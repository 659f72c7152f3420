"""What bodies a template shows: every read found, or None when it cannot be followed."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader, Environment

from allysite.bodyreads import TERMS, WEBSITE, body_paths, closures_body_paths


def paths(**templates: str) -> tuple[tuple[str, ...], ...] | None:
    env = Environment(loader=DictLoader(templates), extensions=["jinja2.ext.i18n"])
    return body_paths(env, sorted(templates))


def test_no_body_read() -> None:
    assert paths(card="<h2>{{ partner.item.name }}</h2>{{ partner.item }}") == ()


def test_reads_from_the_context_and_through_a_top_level_set() -> None:
    assert paths(page="{{ item.body_html }}") == (("item",),)
    assert paths(page='{{ item["body_html"] }}') == (("item",),)
    assert paths(
        partner="{% set item = partner.item %}{% block main %}{{ item.body_html }}{% endblock %}"
    ) == (("partner", "item"),)
    assert paths(
        p="{% set a = partner %}{% set b = a.item %}{{ b.body_html }}{{ site.pages }}"
    ) == (("partner", "item"),)


def test_names_of_loops_macros_and_blocks_elsewhere_do_not_matter() -> None:
    assert paths(
        page="{% extends 'base' %}{% block main %}{{ item.body_html }}{% endblock %}",
        base="{% for item in site.pages %}{{ item.name }}{% endfor %}"
        "{% block main %}{% endblock %}",
        macros="{% macro m(item) %}{{ item.name }}{% endmacro %}",
    ) == (("item",),)


@pytest.mark.parametrize(
    "source",
    [
        "{% for partner in partners %}{{ partner.item.body_html }}{% endfor %}",
        "{% macro m(item) %}{{ item.body_html }}{% endmacro %}",
        "{% with item = partners[0].item %}{{ item.body_html }}{% endwith %}",
        "{% set item = partner.item %}{% set item = other %}{{ item.body_html }}",
        "{% if x %}{% set item = partner.item %}{% endif %}{{ item.body_html }}",
        "{{ (partners|first).item.body_html }}",
        "{% set f = 'body' ~ '_html' %}{{ partner.item[f] }}",
        "{% set f = 'body' ~ '_html' %}{{ partner.item|attr(f) }}",
        "{% set f = 'body' ~ '_html' %}{{ partners|map(attribute=f)|join }}",
        "{{ partners|map(attribute='item.body_html')|join }}",
        "{# shows the body_html #}{{ partner.item.name }}",
        "{{ partner.item.__class__ }}",
        "{{ (partner.item|attr('__getattribute__'))('body' ~ '_html') }}",
        "{% set site = partner %}{{ site.language_names[key] }}",
    ],
)
def test_reads_that_cannot_be_followed(source: str) -> None:
    assert paths(page=source) is None


def test_the_site_views_text_mappings_may_be_looked_up_by_computed_keys() -> None:
    assert paths(page="{{ site.language_names[item.text_lang.code] }}{{ item.body_html }}") == (
        ("item",),
    )
    assert paths(page="{{ site.pages[n].body_html }}") is None
    assert paths(page="{{ other.language_names[key] }}") is None


def test_a_body_read_in_a_template_that_extends_one_binding_the_name() -> None:
    """A parent's top-level set runs after the child's: the child's alias cannot be trusted."""
    assert (
        paths(
            child="{% extends 'base' %}{% set item = partner.item %}"
            "{% block main %}{{ item.body_html }}{% endblock %}",
            base="{% set item = site.pages[0] %}{% block main %}{% endblock %}",
        )
        is None
    )


def test_an_unreadable_template_is_unknown() -> None:
    assert paths(page="{% if %}") is None


def test_values_equal_but_for_their_bodies() -> None:
    from dataclasses import dataclass, replace
    from types import MappingProxyType

    from allysite.bodyreads import bodies_at, same_but_bodies

    @dataclass(frozen=True)
    class Text:
        name: str
        body_html: str

    @dataclass(frozen=True)
    class Card:
        item: Text
        tags: tuple[str, ...]

    card = Card(Text("A", "<p>one</p>"), ("x",))
    other_body = replace(card, item=replace(card.item, body_html="<p>two</p>"))
    context = {"partners": (card,), "site": MappingProxyType({"k": "v"})}
    assert same_but_bodies(context, {**context, "partners": (other_body,)})
    assert not same_but_bodies(context, {**context, "partners": (replace(card, tags=()),)})
    assert not same_but_bodies(context, {**context, "partners": (card, card)})
    assert not same_but_bodies(context, {**context, "site": MappingProxyType({"k": "w"})})
    assert not same_but_bodies({"a": 1}, {"a": "1"})
    assert bodies_at({"partner": card}, (("partner", "item"),)) == ("<p>one</p>",)
    assert bodies_at({"partner": card}, (("partner", "missing"),)) is None
    assert bodies_at({"partner": card}, None) is None


def whole(**templates: str) -> bool:
    """Whether the closure of every template given prints its bodies whole."""
    env = Environment(loader=DictLoader(templates), extensions=["jinja2.ext.i18n"])
    _, found, _, _ = closures_body_paths(env, {"page": sorted(templates)})
    return "page" in found


BASE = "<main>{% block main %}{% endblock %}</main>"


@pytest.mark.parametrize(
    "page",
    [
        "<div>{{ item.body_html }}</div>",
        '{% extends "base" %}{% block main %}{{ item.body_html }}{% endblock %}',
        "{% set item = partner.item %}{% if x %}<p>{{ item.body_html }}</p>{% endif %}",
        "{% for t in tags %}{{ t }}{% endfor %}{{ item.body_html }}",
        "{% set attrs %} lang=x{% endset %}<div{{ attrs }}>{{ item.body_html }}</div>",
    ],
)
def test_bodies_printed_as_they_are(page: str) -> None:
    assert whole(page=page, base=BASE)


@pytest.mark.parametrize(
    "page",
    [
        "{{ item.body_html|upper }}",
        "{{ item.body_html|striptags|wordcount }}",
        "{{ item.body_html if x else '' }}",
        "{% if item.body_html %}<div>{% endif %}",
        "{{ item.body_html ~ '' }}",
        "{% filter upper %}{{ item.body_html }}{% endfilter %}",
        "{% set text %}{{ item.body_html }}{% endset %}{{ text|trim }}",
        "{% macro show() %}{{ item.body_html }}{% endmacro %}{{ show()|upper }}",
        '{% set text %}{% include "body" %}{% endset %}{{ text }}',
        '{% extends "base" %}{% block main %}{{ item.body_html }}{% endblock %}'
        "{% set main = self.main()|upper %}",
        '{% extends "base" %}{% block main %}{{ super()|upper }}{{ item.body_html }}{% endblock %}',
        "{% trans body=item.body_html %}{{ body }}{% endtrans %}",
    ],
)
def test_bodies_that_may_be_changed_or_tested(page: str) -> None:
    """Each of these could give a page whose text around the body depends on the body."""
    assert not whole(page=page, base=BASE, body="{{ item.body_html }}")


def test_a_template_whose_bodies_cannot_be_followed_prints_none_whole() -> None:
    assert not whole(page='{% set f = "body" ~ "_html" %}{{ item|attr(f) }}')


def plain(**templates: str) -> bool:
    """Whether the closure of every template given prints summaries plainly."""
    env = Environment(loader=DictLoader(templates), extensions=["jinja2.ext.i18n"], autoescape=True)
    _, _, found, _ = closures_body_paths(env, {"page": sorted(templates)})
    return "page" in found


@pytest.mark.parametrize(
    "page",
    [
        "<p>{{ item.name }}</p>",
        "<p>{{ partner.item.summary }}</p>",
        '<meta content="{{ item.summary or "" }}">',
        "{% if item.summary %}<p>{{ item.summary }}</p>{% endif %}",
        "{% if not x and (item.summary or y) %}<p>{{ item['summary'] }}</p>{% endif %}",
        "{% for p in partners %}{% include 'card' %}{% endfor %}",
        '<script>{{ structured_data }}</script>{% extends "base" %}',
        '{% extends "base" %}{% block main %}{{ item.summary }}{% endblock %}',
        "{% set attrs %} lang=x{% endset %}<p{{ attrs }}>{{ item.summary }}</p>",
    ],
)
def test_summaries_printed_plainly(page: str) -> None:
    assert plain(page=page, base=BASE, card="<p>{{ p.item.summary }}</p>")


@pytest.mark.parametrize(
    "page",
    [
        "{{ item.summary|upper }}",
        "{{ item.summary|truncate(20) }}",
        "{{ item.summary ~ '.' }}",
        "{{ item.summary if x else '' }}",
        "{% if item.summary|length > 20 %}<p>long</p>{% endif %}",
        "{% if item.summary == 'x' %}<p>x</p>{% endif %}",
        "{% set s = item.summary %}{{ s }}",
        "{% for s in [item.summary] %}{{ s }}{% endfor %}",
        "{% macro show(p) %}{{ p.summary }}{% endmacro %}{{ show(item) }}",
        "{% filter upper %}{{ item.summary }}{% endfilter %}",
        "{% filter upper %}{% include 'card' %}{% endfilter %}",
        "{% set text %}{% include 'card' %}{% endset %}{{ text|trim }}",
        "{{ item|attr('summary') }}",
        "{{ partners|map(attribute='summary')|join }}",
        "{% set f = 'sum' ~ 'mary' %}{{ item|attr(f) }}",
        "{% autoescape false %}{{ item.summary }}{% endautoescape %}",
        "{{ structured_data|safe }}",
        "{% set data = structured_data %}{{ data }}",
        '{% extends "base" %}{% block main %}{{ item.summary }}{% endblock %}'
        "{% set main = self.main()|trim %}",
        "{% trans s=item.summary %}{{ s }}{% endtrans %}",
    ],
)
def test_summaries_that_may_be_changed_or_tested(page: str) -> None:
    """Each of these could give a page that depends on a summary elsewhere than in its
    places, or a summary that is not in any of the forms of traced.py."""
    assert not plain(page=page, base=BASE, card="<p>{{ p.item.summary }}</p>")


def test_summaries_in_a_template_that_is_not_escaped() -> None:
    env = Environment(
        loader=DictLoader({"page.html": "{% include 'card.txt' %}", "card.txt": "{{ s.summary }}"}),
        autoescape=lambda name: name is not None and name.endswith(".html"),
    )
    _, _, found, _ = closures_body_paths(env, {"page.html": ("card.txt", "page.html")})
    assert found == frozenset()


def unread(field: str, **templates: str) -> bool:
    """Whether the closure of every template given never reads the field."""
    env = Environment(loader=DictLoader(templates), extensions=["jinja2.ext.i18n"])
    *_, found = closures_body_paths(env, {"page": sorted(templates)})
    return field in found["page"]


def termless(**templates: str) -> bool:
    return unread(TERMS, **templates)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ('{% for t in site.taxonomies %}<a href="{{ t.href }}">{{ t.name }}</a>{% endfor %}', True),
        ("{{ site.taxonomies }}", True),  # printed whole: the terms are not in its repr
        ("{% for t in site.taxonomies %}{{ t.terms|length }}{% endfor %}", False),
        ('{{ site.taxonomies[0]["terms"] }}', False),
        ('{{ site.taxonomies|map(attribute="terms")|list }}', False),
        ('{% set f = "ter" ~ "ms" %}{{ site.taxonomies[0]|attr(f) }}', False),
        ('{% set f = "ter" ~ "ms" %}{{ site.taxonomies[0][f] }}', False),
        ('{{ (site.taxonomies[0]|attr("__getattribute__"))("ter" ~ "ms") }}', False),
        ("{# the terms #}", True),  # a comment reads nothing
        ('<ul class="terms">{{ t.name }}</ul>', True),  # nor does the text around the tags
        ('{{ _("terms") }}', False),  # a string may name it: not told apart
    ],
)
def test_templates_that_read_no_terms(page: str, expected: bool) -> None:
    assert termless(page=page) is expected


def test_a_template_that_reads_terms_makes_its_users_read_them() -> None:
    assert not termless(page='{% include "facets" %}', facets="{{ taxonomy.terms }}")
    assert termless(page='{% include "nav" %}', nav="{{ taxonomy.href }}")


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ('<meta property="og:type" content="website">{{ partner.item.name }}', True),
        ("{{ partner }}", True),  # printed whole: the website is not in its repr
        ("{{ partner.website }}", False),
        ('{{ partner["website"] }}', False),
        ('{{ partners|map(attribute="website")|join }}', False),
        ('{% set f = "web" ~ "site" %}{{ partner|attr(f) }}', False),
        ("{% trans url=partner.website %}See {{ url }}{% endtrans %}", False),
    ],
)
def test_templates_that_read_no_website(card: str, expected: bool) -> None:
    assert unread(WEBSITE, page=card) is expected
