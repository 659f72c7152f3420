"""render: Jinja2 environments, template errors at their line, rendering of routes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import lxml.html
import pytest
from babel.support import NullTranslations
from jinja2 import Environment
from lxml.html import HtmlElement
from markupsafe import Markup

from allysite.build import THEME
from allysite.errors import SourcePos
from allysite.i18n import Catalogs, compile_catalog, read_catalog
from allysite.languages import make_language
from allysite.render import (
    MemoryBytecodeCache,
    OutputFile,
    Problems,
    TemplateDirs,
    compile_templates,
    language_environments,
    make_environment,
    render_route,
    render_routes,
)
from allysite.routes import Route, SiteView
from allysite.status import TranslationStatus
from allysite.views import TaxonomyView

from .support import SMALL_SITE, load_site, render_site, write_files


@pytest.fixture
def dirs(tmp_path: Path) -> TemplateDirs:
    (tmp_path / "site" / "templates").mkdir(parents=True)
    (tmp_path / "theme" / "templates").mkdir(parents=True)
    return TemplateDirs(tmp_path / "site" / "templates", tmp_path / "theme" / "templates")


def make_route(template: str, context: dict[str, object], path: str = "/es/x/") -> Route:
    out = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
    return Route(path, out, "es", template, MappingProxyType(context), (), True, ())


def env_for(dirs: TemplateDirs) -> dict[str, Environment]:
    env = make_environment(dirs)
    env.install_gettext_translations(NullTranslations(), newstyle=True)  # type: ignore[attr-defined]
    return {"es": env}


# --- TemplateDirs.shown -------------------------------------------------------------------------


def test_shown_paths(dirs: TemplateDirs) -> None:
    assert dirs.shown(str(dirs.site / "x.html")) == "templates/x.html"
    assert dirs.shown(str(dirs.site / "partials" / "y.html")) == "templates/partials/y.html"
    assert dirs.shown(str(dirs.theme / "base.html")) == "<theme>/templates/base.html"
    assert dirs.shown(None) == "<template>"
    assert dirs.shown("/elsewhere/z.html") == "/elsewhere/z.html"


# --- compile_templates --------------------------------------------------------------------------


def test_compile_reports_syntax_error_with_path_and_line(dirs: TemplateDirs) -> None:
    write_files(dirs.site, {"x.html": "<p>ok</p>\n{% if %}\n"})
    problems = compile_templates(make_environment(dirs), dirs)
    assert len(problems) == 1
    assert problems[0].code == "template"
    assert problems[0].message.startswith("template syntax error: ")
    assert problems[0].pos == SourcePos("templates/x.html", 2)


def test_compile_reports_every_broken_template(dirs: TemplateDirs) -> None:
    write_files(dirs.site, {"x.html": "{% if %}\n", "sub/y.html": "a\nb\n{% for a in b %}\n"})
    write_files(dirs.theme, {"z.xml": "{{ a }\n", "fine.html": "{{ a }}\n"})
    problems = compile_templates(make_environment(dirs), dirs)
    assert sorted(str(p.pos) for p in problems) == [
        "<theme>/templates/z.xml:1",
        "templates/sub/y.html:3",
        "templates/x.html:1",
    ]


def test_compile_ignores_other_files(dirs: TemplateDirs) -> None:
    write_files(dirs.site, {"notes.md": "{% broken", "image.svg": "{{", "ok.txt": "{{ a }}"})
    assert compile_templates(make_environment(dirs), dirs) == []


def test_compile_of_valid_templates_is_quiet(dirs: TemplateDirs) -> None:
    write_files(dirs.theme, {"base.html": "{% block main %}{% endblock %}\n"})
    write_files(
        dirs.site, {"page.html": '{% extends "base.html" %}{% block main %}x{% endblock %}'}
    )
    assert compile_templates(make_environment(dirs), dirs) == []


def test_packaged_theme_compiles() -> None:
    theme_dirs = TemplateDirs(Path("/nonexistent-site/templates"), THEME / "templates")
    assert compile_templates(make_environment(theme_dirs), theme_dirs) == []


# --- render_routes --------------------------------------------------------------------------


def test_render_writes_each_route(dirs: TemplateDirs) -> None:
    write_files(dirs.theme, {"t.html": "<p>{{ v }}</p>\n"})
    routes = [
        make_route("t.html", {"v": "uno"}, "/es/a/"),
        make_route("t.html", {"v": 2}, "/es/b/"),
    ]
    outputs, problems = render_routes(routes, env_for(dirs), dirs)
    assert problems == []
    assert outputs == [
        OutputFile("es/a/index.html", b"<p>uno</p>\n"),
        OutputFile("es/b/index.html", b"<p>2</p>\n"),
    ]


def test_autoescape_is_on(dirs: TemplateDirs) -> None:
    write_files(dirs.theme, {"t.html": "{{ v }}|{{ safe }}", "t.xml": "<a>{{ v }}</a>"})
    context = {"v": '<script>"&', "safe": Markup("<em>ok</em>")}
    outputs, _ = render_routes(
        [make_route("t.html", context, "/es/a/"), make_route("t.xml", context, "/es/b.xml")],
        env_for(dirs),
        dirs,
    )
    assert outputs[0].data == b"&lt;script&gt;&#34;&amp;|<em>ok</em>"
    assert outputs[1].data == b"<a>&lt;script&gt;&#34;&amp;</a>"


def test_output_is_utf8(dirs: TemplateDirs) -> None:
    write_files(dirs.theme, {"t.html": "{{ v }}"})
    outputs, _ = render_routes([make_route("t.html", {"v": "العربية ñ"})], env_for(dirs), dirs)
    assert outputs[0].data.decode("utf-8") == "العربية ñ"


def test_site_template_overrides_theme_template(dirs: TemplateDirs) -> None:
    write_files(dirs.theme, {"t.html": "theme", "base.html": "[{% block b %}{% endblock %}]"})
    write_files(dirs.site, {"t.html": '{% extends "base.html" %}{% block b %}site{% endblock %}'})
    outputs, _ = render_routes([make_route("t.html", {})], env_for(dirs), dirs)
    assert outputs[0].data == b"[site]"


def test_undefined_variable_is_reported_at_its_line(dirs: TemplateDirs) -> None:
    write_files(dirs.site, {"t.html": "<p>{{ v }}</p>\n\n{{ missing }}\n"})
    outputs, problems = render_routes([make_route("t.html", {"v": 1})], env_for(dirs), dirs)
    assert outputs == []
    assert len(problems) == 1
    assert problems[0].code == "template"
    assert "'missing' is undefined" in problems[0].message
    assert problems[0].pos == SourcePos("templates/t.html", 3)
    assert (problems[0].hint or "").startswith("first seen on /es/x/")


def test_an_error_on_many_pages_names_the_first_in_the_sites_order(dirs: TemplateDirs) -> None:
    """The processes that render take the languages in no fixed order: of the pages an error
    is on, the one named is the first language's first path, whichever was rendered first
    and whatever the order in which the processes' problems are merged."""
    from dataclasses import replace

    from allysite.render import Problems, render_route

    write_files(dirs.site, {"t.html": "{{ 1 // v }}\n"})
    env = env_for(dirs)["es"]
    envs = {"es": env, "en": env, "ar": env}
    routes = [
        replace(make_route("t.html", {"v": 0}, path), lang=path.split("/")[1])
        for path in ("/ar/z/", "/en/a/", "/es/b/", "/es/a/")
    ]
    found = []
    for order in (routes, routes[::-1]):
        for split in (1, 3):
            parts = [Problems(), Problems()]
            for number, route in enumerate(order):
                assert render_route(route, envs, dirs, parts[number >= split]) is None
            merged = Problems()
            for part in parts[::-1]:
                merged.update(part.found())
            found += [problem.hint for problem in merged.found()]
    assert found == ["first seen on /es/a/, rendered with t.html"] * 4


def test_undefined_attribute_is_an_error(dirs: TemplateDirs) -> None:
    write_files(dirs.theme, {"t.html": "a\n{{ v.nope }}\n"})
    _, problems = render_routes([make_route("t.html", {"v": "x"})], env_for(dirs), dirs)
    assert problems[0].pos == SourcePos("<theme>/templates/t.html", 2)


def test_error_in_an_included_template_is_at_the_include(dirs: TemplateDirs) -> None:
    write_files(
        dirs.theme, {"t.html": '{% include "part.html" %}', "part.html": "x\ny\n{{ 1 // 0 }}"}
    )
    _, problems = render_routes([make_route("t.html", {})], env_for(dirs), dirs)
    assert problems[0].pos == SourcePos("<theme>/templates/part.html", 3)
    assert "division" in problems[0].message


def test_same_error_on_many_routes_is_reported_once(dirs: TemplateDirs) -> None:
    write_files(dirs.theme, {"t.html": "{{ missing }}"})
    routes = [make_route("t.html", {}, f"/es/{n}/") for n in range(5)]
    outputs, problems = render_routes(routes, env_for(dirs), dirs)
    assert outputs == [] and len(problems) == 1


def test_good_routes_render_beside_a_failing_one(dirs: TemplateDirs) -> None:
    write_files(dirs.theme, {"t.html": "{{ v.name }}"})
    routes = [
        make_route("t.html", {"v": {"name": "ok"}}, "/es/a/"),
        make_route("t.html", {}, "/es/b/"),
    ]
    outputs, problems = render_routes(routes, env_for(dirs), dirs)
    assert [o.out_path for o in outputs] == ["es/a/index.html"]
    assert len(problems) == 1


def test_missing_template_is_reported(dirs: TemplateDirs) -> None:
    outputs, problems = render_routes([make_route("nope.html", {})], env_for(dirs), dirs)
    assert outputs == []
    assert problems[0].pos == SourcePos("templates/nope.html")
    assert "nope.html" in problems[0].message


# --- gettext --------------------------------------------------------------------------------


def catalogs_for(tmp_path: Path) -> Catalogs:
    path = tmp_path / "es.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Hello %(name)s"\nmsgstr "Hola %(name)s"\n\n'
        'msgid "Made with allysite"\nmsgstr "Hecho con allysite"\n'
    )
    catalog, problems = read_catalog(path, "es.po", make_language("es", True))
    assert catalog is not None, problems
    return Catalogs(
        MappingProxyType({"es": compile_catalog(catalog), "en": NullTranslations()}),
        MappingProxyType({"es": ("es.po",), "en": ()}),
    )


def test_language_environments_translate_and_escape(tmp_path: Path, dirs: TemplateDirs) -> None:
    write_files(
        dirs.theme,
        {"t.html": "{{ _('Hello %(name)s', name=v) }}|{% trans %}Made with allysite{% endtrans %}"},
    )
    envs = language_environments(dirs, catalogs_for(tmp_path), MemoryBytecodeCache())
    assert set(envs) == {"es", "en"}
    context = {"v": "<b>Ana</b>"}
    es = Route("/es/", "es/index.html", "es", "t.html", MappingProxyType(context), (), True, ())
    en = Route("/en/", "en/index.html", "en", "t.html", MappingProxyType(context), (), True, ())
    outputs, problems = render_routes([es, en], envs, dirs)
    assert problems == []
    assert outputs[0].data == b"Hola &lt;b&gt;Ana&lt;/b&gt;|Hecho con allysite"
    assert outputs[1].data == b"Hello &lt;b&gt;Ana&lt;/b&gt;|Made with allysite"


def test_bytecode_cache_is_shared_between_environments(dirs: TemplateDirs) -> None:
    write_files(dirs.theme, {"t.html": "{{ 1 + 1 }}"})
    cache = MemoryBytecodeCache()
    first = make_environment(dirs, cache)
    assert first.get_template("t.html").render() == "2"
    second = make_environment(dirs, cache)
    loaded: list[str] = []
    original = second.compile

    def compile_spy(*args: object, **kwargs: object) -> object:
        loaded.append("compiled")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    second.compile = compile_spy  # type: ignore[method-assign]
    assert second.get_template("t.html").render() == "2"
    assert loaded == []  # taken from the cache, not compiled again


def test_packaged_theme_renders_every_route_of_a_site(tmp_path: Path) -> None:
    outputs, problems, plan, _, _ = render_site(write_files(tmp_path / "site", SMALL_SITE))
    assert problems == []
    assert sorted(o.out_path for o in outputs) == sorted(r.out_path for r in plan.routes)
    pages = {o.out_path: o.data.decode("utf-8") for o in outputs}
    assert '<html lang="ar" dir="rtl">' in pages["ar/index.html"]
    assert '<html lang="pt-BR" dir="ltr">' in pages["pt-br/index.html"]
    # A fallback profile marks its text as being in the default language.
    assert 'lang="es" dir="ltr"' in pages["ar/partners/alpha/index.html"]


def _rendered(route: Route, envs: Mapping[str, Environment], dirs: TemplateDirs) -> HtmlElement:
    problems = Problems()
    data = render_route(route, envs, dirs, problems)
    assert data is not None, [d.format() for d in problems.found()]
    return lxml.html.fromstring(data)


def _with_counts(taxonomy: TaxonomyView, count: int) -> TaxonomyView:
    return replace(taxonomy, terms=tuple(replace(term, count=count) for term in taxonomy.terms))


def _words(env: Environment, singular: str, plural: str, count: int, number: str) -> str:
    """The catalog's plural form for `count` (chosen by the integer), showing `number`."""
    text = "{{ ngettext(singular, plural, count, num=number) }}"
    return env.from_string(text).render(
        singular=singular, plural=plural, count=count, number=number
    )


@pytest.mark.parametrize(
    ("lang", "out", "thousands", "tens_of_thousands"),
    [
        # CLDR: Spanish groups from five digits (minimumGroupingDigits 2), Portuguese from four
        ("es", "es", "1234", "12.345"),
        ("en", "en", "1,234", "12,345"),
        ("ar", "ar", "1,234", "12,345"),  # Latin digits: CLDR's default for Arabic
        ("pt-BR", "pt-br", "1.234", "12.345"),
    ],
)
def test_counts_are_written_as_the_language_writes_numbers(
    tmp_path: Path, lang: str, out: str, thousands: str, tens_of_thousands: str
) -> None:
    """Counts went into the pages as Python's "%d" writes them: "12345 socios" where Spanish
    writes "12.345 socios". The words are still the plural form of the count."""
    _, problems, plan, envs, dirs = render_site(write_files(tmp_path / "site", SMALL_SITE))
    assert problems == []
    routes = {route.out_path: route for route in plan.routes}
    env = envs[lang]

    home = routes[f"{out}/index.html"]
    site = home.context["site"]
    partners = home.context["partners"]
    assert isinstance(site, SiteView) and isinstance(partners, tuple)
    many = dict(
        home.context,
        partners=partners[:1] * 1234,
        site=replace(site, taxonomies=tuple(_with_counts(t, 12345) for t in site.taxonomies)),
    )
    page = _rendered(replace(home, context=many), envs, dirs)
    organisations = ("%(num)s partner organisation", "%(num)s partner organisations")
    lead = _words(env, *organisations, 1234, thousands)
    assert thousands in lead
    assert page.find_class("lead")[0].text_content() == lead
    assert page.xpath("string(//meta[@name='description']/@content)") == lead
    facet_counts = [
        span.text_content() for span in page.xpath("//nav[@class='facets']//span[@class='count']")
    ]
    assert facet_counts and set(facet_counts) == {tens_of_thousands}

    listing = routes[f"{out}/kinds/index.html"]
    taxonomy = listing.context["taxonomy"]
    assert isinstance(taxonomy, TaxonomyView)
    context = dict(listing.context, taxonomy=_with_counts(taxonomy, 12345))
    page = _rendered(replace(listing, context=context), envs, dirs)
    shown = [span.text_content() for span in page.find_class("count")]
    words = _words(env, "%(num)s partner", "%(num)s partners", 12345, tens_of_thousands)
    assert tens_of_thousands in words
    assert shown == [words] * len(taxonomy.terms)


def test_the_dashboards_counts_are_written_as_its_language_writes_numbers(
    tmp_path: Path,
) -> None:
    """The translation dashboard's counts were "12340/12345" in a Spanish page, beside a
    coverage written as Spanish writes it ("99,5 %")."""
    from allysite.i18n import load_catalogs
    from allysite.plan import make_plan
    from allysite.stale import find_stale
    from allysite.status import translation_status

    files = {**SMALL_SITE, "site.yaml": SMALL_SITE["site.yaml"] + "translation_dashboard: true\n"}
    config, content = load_site(write_files(tmp_path / "site", files))
    staleness, _ = find_stale(config, content)
    status, _ = translation_status(config, content, THEME, staleness)
    plan, _ = make_plan(config, content, THEME / "static", status=status)
    catalogs, _ = load_catalogs(config, THEME / "locales")
    dirs = TemplateDirs(config.root / "templates", THEME / "templates")
    envs = language_environments(dirs, catalogs, MemoryBytecodeCache())
    route = next(r for r in plan.routes if r.out_path == "es/translations/index.html")
    shown = route.context["status"]
    assert isinstance(shown, TranslationStatus)
    first = shown.languages[0]
    many = replace(
        first,
        interface=replace(first.interface, total=12345, translated=12340, fuzzy=1234, missing=4),
        partners=first.partners[:1] * 12345,
    )
    context = dict(route.context, status=replace(shown, languages=(many,)))
    page = _rendered(replace(route, context=context), envs, dirs)
    cells = [cell.text_content() for cell in page.xpath("//tr[@data-lang]/td")]
    assert cells[:4] == ["12.340/12.345", "1234", "4", "12.345/12.345"]
