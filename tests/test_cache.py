"""The build cache: a rebuild renders only what an edit touched, and gives the same bytes.

Each test edits one kind of input (a profile, a template, a catalog, site.yaml...), rebuilds
with the cache, and checks two things: the output is byte for byte what a cold build
(`cache=False`, into another folder) gives, and the pages rendered again are exactly those
that show what changed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from allysite import build as build_module
from allysite import loader, svgclean
from allysite import output as output_module
from allysite import sitemap as sitemap_module
from allysite.build import BuildResult, build_site, cache_dir
from allysite.cache import BuildCache
from allysite.check import check_site
from allysite.output import Staging, Written, spare_made
from allysite.pipeline import THEME
from allysite.swap import spare_dir
from allysite.workers import available_cores
from conftest import LOGO, MINIMAL_SITE, MakeSite, Site

BETA = {
    "content/partners/beta/partner.yaml": (
        "website: https://beta.example.org/\nkind: foundation\nregions: [africa]\n"
        "topics: [education]\n"
    ),
    "content/partners/beta/es.md": "---\nname: Beta\nsummary: Educa.\n---\nTexto de Beta.\n",
    "locales/en/LC_MESSAGES/messages.po": (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Language: en\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
    ),
}


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build(site: Site, **options: object) -> BuildResult:
    result = build_site(site.root, site.out, **options)  # type: ignore[arg-type]
    assert result.ok, [d.format() for d in result.diagnostics]
    return result


def assert_as_cold(site: Site, tmp_path: Path) -> None:
    """The cached build's output is byte-identical to a cold build's."""
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    assert build_site(site.root, cold, cache=False).ok
    assert tree(site.out) == tree(cold)


def pages(result: BuildResult, prefix: str = "") -> set[str]:
    return {path for path in result.rendered if path.startswith(prefix)}


@pytest.fixture
def no_body_edits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rebuilds after edits of bodies or summaries alone load the site too, as others do
    (the tests of bodyedit.py, which puts such edits in place without, are in
    test_bodyedit.py)."""
    from allysite import bodyedit

    monkeypatch.setattr(bodyedit, "prepare_edit", lambda store: None)


@pytest.fixture
def site(make_site: MakeSite) -> Site:
    site = make_site(BETA)
    first = build(site)
    assert first.rendered and not first.cached
    return site


def test_a_first_build_of_the_command_scans_in_a_process_of_its_own(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """`allysite build` started afresh indexes the inputs in a forked process while it imports
    the pipeline (build._scan_while_importing; a build in a process that has the pipeline
    imported, as this one, scans in itself): the output a cold build gives, and the index
    stored whole (the next build finds nothing changed)."""
    site = make_site(BETA)
    script = (
        "import sys\n"
        "from allysite import build, launch\n"
        "scan, taken = build._scan_while_importing, []\n"
        "build._scan_while_importing = lambda store: (taken.append(1), scan(store))[1]\n"
        "launch.main(sys.argv[1:])\n"
        "print('scanned while importing:', len(taken))\n"
    )
    command = ["build", "--site", str(site.root), "--out", str(site.out)]
    done = subprocess.run(
        [sys.executable, "-c", script, *command], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "scanned while importing: 1"
    assert_as_cold(site, tmp_path)
    assert build(site).cached


def test_large_inputs_are_hashed_by_two_processes_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scanning process of a first build hashes the inputs alone, or, when they are
    large (static files of hundreds of megabytes), with a second process: the same hashes."""
    from allysite.inputindex import file_digest

    paths = []
    for number in range(7):
        path = tmp_path / f"file{number}.bin"
        path.write_bytes(bytes([number]) * (1000 * number + 1))
        paths.append(str(path))
    paths.append(str(tmp_path / "missing.bin"))
    expected = [file_digest(path) for path in paths]
    size = sum(os.stat(path).st_size for path in paths[:-1])
    forked: list[bool] = []
    in_workers = build_module._hash_in_workers

    def counted(found: list[str], size: int, imports: bool = True) -> list[bytes]:
        forked.append(imports)
        return in_workers(found, size, imports)

    monkeypatch.setattr(build_module, "_hash_in_workers", counted)
    assert build_module._hash_alone_or_shared(paths, size) == expected
    assert forked == []
    monkeypatch.setattr(build_module, "HASH_ALONE_UP_TO", 100)
    assert build_module._hash_alone_or_shared(paths, size) == expected
    assert forked == [False]


def test_a_build_lets_each_languages_views_go_once_its_pages_are_made(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fingerprints and the remembered cards of a rendering process hold the views that
    they were made from: both are forgotten once each language's pages are made (else they
    held every language's views to the end: 14 MB more at the peak of the 1,000-partner
    site, 180 MB at 10,000), and the pages are the same."""
    from allysite import fingerprints, rendermemo

    forgotten: list[object] = []
    forget, forget_outputs = fingerprints.Fingerprints.forget, rendermemo.forget_outputs

    def forgetting(prints: fingerprints.Fingerprints) -> None:
        forgotten.append("views")
        forget(prints)

    def forgetting_outputs(env: object) -> None:
        forgotten.append(env)
        forget_outputs(env)  # type: ignore[arg-type]

    monkeypatch.setattr(fingerprints.Fingerprints, "forget", forgetting)
    monkeypatch.setattr(rendermemo, "forget_outputs", forgetting_outputs)
    site = make_site(BETA)
    build(site)  # (a small site: rendered in this process)
    assert forgotten[0::2] == ["views"] * 3  # es, en, ar
    assert len({id(env) for env in forgotten[1::2]}) == 3  # each language's environment
    assert_as_cold(site, tmp_path)


def test_nothing_changed_renders_and_writes_nothing(site: Site, tmp_path: Path) -> None:
    before = {p: p.stat().st_ino for p in site.out.rglob("*")}
    result = build(site)
    assert result.cached and result.rendered == ()
    assert result.pages > 0 and result.files > result.pages
    assert {p: p.stat().st_ino for p in site.out.rglob("*")} == before  # not even swapped
    assert_as_cold(site, tmp_path)


def test_an_editors_leftover_made_or_deleted_leaves_nothing_to_do(
    site: Site, tmp_path: Path
) -> None:
    """A build leaves editors' backups and temporary files in content/ out (as Hugo), and
    reads templates and catalogs by name, so one saved beside a profile, a template or a
    catalog, or deleted, is no change: nothing is loaded, rendered or copied."""
    leftovers = {
        "content/partners/beta/es.md~": "old",
        "content/partners/beta/#es.md#": "autosave",
        "content/partners/beta/es.md___jb_tmp___": "new",
        "content/partners/beta/4913": "",
        "content/partners/gamma/es.md~": "a folder with a backup only is no item",
        "content/partners/notes~": "",
        "templates/partials/footer.html~": "{{ old }}",  # (read by name: no template)
        "locales/es/LC_MESSAGES/#messages.po#": "autosave",
    }
    before = {p: p.stat().st_ino for p in site.out.rglob("*")}
    site.write(leftovers)
    result = build(site)
    assert result.cached and result.rendered == () and not result.diagnostics
    assert {p: p.stat().st_ino for p in site.out.rglob("*")} == before  # not even swapped
    for name in leftovers:
        site.remove(name)
    result = build(site)
    assert result.cached and result.rendered == ()
    assert {p: p.stat().st_ino for p in site.out.rglob("*")} == before
    assert_as_cold(site, tmp_path)


def test_a_profile_edit_renders_the_pages_that_show_it(
    site: Site, tmp_path: Path, no_body_edits: None
) -> None:
    beta = {f"{lang}/partners/beta/index.html" for lang in ("es", "en", "ar")}
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: Educa.\n---\nOtro.\n"})
    # Its body: Beta's profile in every language (en and ar show the Spanish text as a
    # stand-in), and no list: the cards show no body (bodyreads.py).
    assert pages(build(site)) == beta
    assert_as_cold(site, tmp_path)
    assert build(site).cached
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: Otra.\n---\nOtro.\n"})
    # Its summary: also the lists whose cards show it, the home pages and Beta's terms.
    rendered = pages(build(site))
    assert beta | {f"{lang}/index.html" for lang in ("es", "en", "ar")} <= rendered
    assert {"es/kinds/foundation/index.html", "es/topics/education/index.html"} <= rendered
    assert not any("alpha" in path for path in rendered)
    assert not any("/about/" in path or path.endswith("404.html") for path in rendered)
    assert not any("/human-rights/" in path for path in rendered)  # a term of alpha only
    assert_as_cold(site, tmp_path)


def test_a_page_body_edit_renders_that_page_only(
    site: Site, tmp_path: Path, no_body_edits: None
) -> None:
    """The navigation on every page names the about page: its title, not its body."""
    site.write({"content/pages/about/es.md": "---\nname: Acerca de\n---\nOtro texto.\n"})
    assert pages(build(site)) == {f"{lang}/about/index.html" for lang in ("es", "en", "ar")}
    assert_as_cold(site, tmp_path)
    site.write({"content/pages/about/es.md": "---\nname: Sobre nosotros\n---\nOtro texto.\n"})
    assert len(pages(build(site), "es/")) > 5  # its title is in every Spanish page's menu
    assert_as_cold(site, tmp_path)


@pytest.mark.parametrize(
    "card",
    [
        "<p>{{ partner.item.body_html }}</p>",  # a body shown on the lists
        '{% set field = "body" ~ "_html" %}<p>{{ partner.item[field] }}</p>',  # unknowable
        '{% for text in [partner.item] %}{{ text["body_html"] }}{% endfor %}',  # a loop's
        '{% set f = "body" ~ "_html" %}{{ partner.item|attr(f) }}',  # a computed name
        '{% set f = "body" ~ "_html" %}{{ [partner.item]|map(attribute=f)|join }}',
    ],
)
def test_lists_of_a_site_whose_cards_show_bodies_follow_them(
    make_site: MakeSite, tmp_path: Path, card: str
) -> None:
    site = make_site({**BETA, "templates/partials/card.html": card})
    build(site)
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: Educa.\n---\nNuevo.\n"})
    rendered = pages(build(site))
    assert {"es/index.html", "en/index.html", "es/kinds/foundation/index.html"} <= rendered
    assert_as_cold(site, tmp_path)
    assert "Nuevo." in (site.out / "es/index.html").read_text()


def test_a_template_edit_renders_the_pages_that_use_it(site: Site, tmp_path: Path) -> None:
    theme = Path(__file__).parents[1] / "src/allysite/theme/templates/partials/footer.html"
    site.write(
        {"templates/partner.html": '{% extends "base.html" %}{% block main %}P{% endblock %}'}
    )
    result = build(site)
    assert pages(result) == {
        f"{lang}/partners/{slug}/index.html"
        for lang in ("es", "en", "ar")
        for slug in ("alpha", "beta")
    }
    assert_as_cold(site, tmp_path)
    # a partial of base.html: every page again but the root one (root.html stands alone)
    site.write({"templates/partials/footer.html": theme.read_text() + "<!-- x -->\n"})
    result = build(site)
    assert len(result.rendered) == result.pages - 1
    assert "index.html" not in result.rendered
    assert_as_cold(site, tmp_path)


def test_a_catalog_edit_renders_that_language_only(site: Site, tmp_path: Path) -> None:
    site.write(
        {
            "locales/en/LC_MESSAGES/messages.po": BETA["locales/en/LC_MESSAGES/messages.po"]
            + '\nmsgid "Not yet translated"\nmsgstr "Still in Spanish"\n'
        }
    )
    result = build(site)
    assert result.rendered
    assert all(path.startswith("en/") for path in result.rendered)
    assert_as_cold(site, tmp_path)
    assert "Still in Spanish" in (site.out / "en/index.html").read_text()


def test_a_site_yaml_edit_renders_what_it_changes(site: Site, tmp_path: Path) -> None:
    site.write({"site.yaml": MINIMAL_SITE["site.yaml"].replace("Our partners", "Partners")})
    result = build(site)  # the English title: the English pages
    assert result.rendered and all(path.startswith("en/") for path in result.rendered)
    assert_as_cold(site, tmp_path)
    site.write({"site.yaml": MINIMAL_SITE["site.yaml"].replace("partners.example", "p.example")})
    result = build(site)  # the address of the site: every page
    assert len(result.rendered) == result.pages
    assert_as_cold(site, tmp_path)


def test_added_and_removed_partners(site: Site, tmp_path: Path) -> None:
    shutil.rmtree(site.root / "content/partners/beta")
    build(site)
    assert not (site.out / "es/partners/beta").exists()
    assert_as_cold(site, tmp_path)
    site.write(BETA)
    result = build(site)
    assert "es/partners/beta/index.html" in result.rendered
    assert_as_cold(site, tmp_path)


PROFILE_WITH_COUNTS = (
    '{% extends "base.html" %}{% block main %}{{ partner.item.name }}: %s{% endblock %}'
)


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ("", False),  # the theme's partner.html
        ("{{ site.taxonomies }}", False),  # a view printed whole: its terms are not in its repr
        (
            "{% for t in site.taxonomies %}{% for term in t.terms %}{{ term.count }}"
            "{% endfor %}{% endfor %}",
            True,
        ),
        (  # a computed name
            '{% set f = "ter" ~ "ms" %}{% for t in site.taxonomies %}'
            '{{ t|attr(f)|map(attribute="count")|join(",") }}{% endfor %}',
            True,
        ),
        ('{{ site.taxonomies[0]["terms"]|length }}', True),
    ],
)
def test_a_partner_moved_to_another_term_renders_no_profile_that_shows_no_counts(
    make_site: MakeSite, tmp_path: Path, counts: str, shown: bool
) -> None:
    """How many partners each term has is shown by the lists (their facets, the taxonomy
    pages) and held by every page's site view; a page whose templates never read a term
    (bodyreads.reads_none_of) is keyed without them, so that a partner added, deleted or
    moved to another term renders the lists again and its own pages, not every profile."""
    files = dict(BETA)
    if counts:
        files["templates/partner.html"] = PROFILE_WITH_COUNTS.replace("%s", counts)
    site = make_site(files)
    build(site)
    yaml = BETA["content/partners/beta/partner.yaml"].replace("kind: foundation", "kind: ngo")
    site.write({"content/partners/beta/partner.yaml": yaml})
    rendered = pages(build(site))
    assert {"es/kinds/index.html", "es/kinds/ngo/index.html", "es/index.html"} <= rendered
    assert "es/partners/beta/index.html" in rendered
    alpha = {path for path in rendered if "/partners/alpha/" in path}
    assert alpha == (
        {f"{lang}/partners/alpha/index.html" for lang in ("es", "en", "ar")} if shown else set()
    )
    assert_as_cold(site, tmp_path)
    shutil.rmtree(site.root / "content/partners/beta")  # the counts change again
    alpha = {path for path in pages(build(site)) if "/partners/alpha/" in path}
    assert bool(alpha) == shown
    assert_as_cold(site, tmp_path)


CARD = Path(__file__).parents[1] / "src/allysite/theme/templates/partials/card.html"


@pytest.mark.parametrize(
    ("shown", "listed"),
    [
        ("", False),  # the theme's card
        ("<!-- {{ partner }} -->", False),  # a view printed whole: no website in its repr
        ('<a href="{{ partner.website }}">web</a>', True),
        ('{% set f = "web" ~ "site" %}{{ partner|attr(f) }}', True),  # a computed name
    ],
)
def test_a_website_edit_renders_the_lists_only_where_a_card_shows_it(
    make_site: MakeSite, tmp_path: Path, shown: str, listed: bool
) -> None:
    """Only a partner's own page shows its website (and its structured data): where no other
    template reads it, the lists are keyed without it (publish.PageKeys.apart), and an edit
    of it renders the partner's pages alone."""
    files = dict(BETA)
    if shown:
        files["templates/partials/card.html"] = CARD.read_text().replace(
            '<div class="card-body">', f'<div class="card-body">{shown}'
        )
    site = make_site(files)
    build(site)
    yaml = BETA["content/partners/beta/partner.yaml"].replace(
        "beta.example.org", "beta.example.net"
    )
    site.write({"content/partners/beta/partner.yaml": yaml})
    rendered = pages(build(site))
    beta = {f"{lang}/partners/beta/index.html" for lang in ("es", "en", "ar")}
    assert beta <= rendered
    lists = {"es/index.html", "en/index.html", "es/kinds/foundation/index.html"}
    assert (lists <= rendered) if listed else (rendered == beta)
    assert_as_cold(site, tmp_path)
    link = site.html("/es/partners/beta/").select_one("a.website")
    assert link is not None and link["href"] == "https://beta.example.net/"


def test_a_website_kept_apart_keys_its_partners_pages_alone(site: Site, tmp_path: Path) -> None:
    """With the website kept apart, a list's key leaves it out, and a partner page's key
    holds its own view's, whatever else its context holds (here, no structured data)."""
    from dataclasses import replace

    from allysite.pipeline import load_site, plan_site
    from allysite.publish import PageKeys, page_prints, route_key
    from allysite.views import PartnerView

    inputs, _ = load_site(site.root, tmp_path / "cache")
    assert inputs is not None
    routes = {r.out_path: r for r in plan_site(inputs, languages=["es"])[0].routes}
    home, profile = routes["es/index.html"], routes["es/partners/beta/index.html"]
    bodies = {"home.html": (), "partner.html": (("partner", "item"),)}

    def key(route: object, apart: frozenset[str]) -> bytes | None:
        keys = PageKeys(b"code", {}, {}, bodies, apart=apart)
        return route_key(route, keys, page_prints(keys), lambda: page_prints(keys))  # type: ignore[arg-type]

    def moved(view: object) -> object:
        if isinstance(view, PartnerView) and view.item.slug == "beta":
            return replace(view, website="https://beta.example.net/")
        return view

    partners = tuple(map(moved, home.context["partners"]))  # type: ignore[call-overload]
    other_home = replace(home, context={**home.context, "partners": partners})
    alone = {k: v for k, v in profile.context.items() if k != "structured_data"}
    profile = replace(profile, context=alone)
    other_profile = replace(profile, context={**alone, "partner": moved(alone["partner"])})
    apart = frozenset({"website"})
    assert key(home, apart) == key(other_home, apart)
    assert key(home, frozenset()) != key(other_home, frozenset())
    assert key(profile, apart) != key(other_profile, apart)


def test_an_empty_item_folder_is_no_item_for_a_rebuild_or_a_cold_build(
    site: Site, tmp_path: Path
) -> None:
    """A folder an editor has just made holds no file: the input index does not see it, and
    neither does the loader (git keeps no empty folder either). A rebuild said "built"
    while a cold build failed on it, as an item without partner.yaml."""
    (site.root / "content/partners/nueva/fotos").mkdir(parents=True)
    (site.root / "content/partners/nueva/fotos/.keep").write_text("")
    build(site)
    assert_as_cold(site, tmp_path)
    (site.root / "content/partners/nueva/es.md").write_text("---\nname: Nueva\n---\n")
    failed = build_site(site.root, site.out)
    assert not failed.ok
    assert any(d.pos and d.pos.path == "content/partners/nueva" for d in failed.diagnostics)


def test_an_edit_behind_a_link_to_a_folder_is_seen(site: Site, tmp_path: Path) -> None:
    """A link to a folder of the site is read through by the loader (a partner's folder
    under a second name, the partners' folder kept elsewhere in the site): an edit, or a
    new partner, behind it is an edit of the site, and a link that loops is no trouble."""
    partners = site.root / "content/partners"
    (partners / "gamma").symlink_to("beta")
    build(site)
    text = site.root / "content/partners/beta/es.md"
    text.write_text(text.read_text().replace("Educa.", "Educa mejor."))
    assert "es/partners/gamma/index.html" in pages(build(site))
    assert "Educa mejor." in (site.out / "es/partners/gamma/index.html").read_text()
    assert_as_cold(site, tmp_path)
    (site.root / "kept").mkdir()
    partners.rename(site.root / "kept/partners")
    partners.symlink_to("../kept/partners")
    (site.root / "kept/partners/beta/loop").symlink_to("..")
    build(site)
    assert_as_cold(site, tmp_path)
    text = site.root / "kept/partners/beta/es.md"
    text.write_text(text.read_text() + "Otra frase.\n")
    shutil.copytree(site.root / "kept/partners/alpha", site.root / "kept/partners/delta")
    result = build(site)
    assert {"es/partners/beta/index.html", "es/partners/delta/index.html"} <= pages(result)
    assert_as_cold(site, tmp_path)


def test_an_edit_that_keeps_the_size_and_the_time_is_seen(make_site: MakeSite) -> None:
    """A copy that sets the modification time back (`cp -p`, `rsync -t`) over a text of the
    same size: the inode's change time still moves, and the text is read again."""
    site = make_site(BETA)
    text = site.root / "content/partners/alpha/en.md"
    long_ago = time.time_ns() - 60 * 10**9  # (not "racily clean": see inputindex.py)
    os.utime(text, ns=(long_ago, long_ago))
    build(site)
    before = text.stat()
    text.write_text(text.read_text().replace("English", "ENGLISH"))
    os.utime(text, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert text.stat().st_size == before.st_size
    result = build(site)
    assert "en/partners/alpha/index.html" in pages(result)
    assert "ENGLISH" in (site.out / "en/partners/alpha/index.html").read_text()


def test_an_edit_within_the_same_clock_tick_is_seen(site: Site) -> None:
    """Same size, written right after the build: size and time alone could not tell."""
    path = "content/partners/beta/es.md"
    site.write({path: "---\nname: Beta\nsummary: Educa.\n---\nTexto AAAA.\n"})
    build(site)
    site.write({path: "---\nname: Beta\nsummary: Educa.\n---\nTexto BBBB.\n"})
    build(site)
    assert "BBBB" in (site.out / "es/partners/beta/index.html").read_text()


def test_a_changed_output_file_is_made_again(site: Site, tmp_path: Path) -> None:
    page = site.out / "es/partners/alpha/index.html"
    page.write_text("edited by hand")
    (site.out / "stray.txt").write_text("left by hand")
    result = build(site)
    assert not result.cached
    assert result.rendered == ("es/partners/alpha/index.html",)
    assert not (site.out / "stray.txt").exists()
    assert_as_cold(site, tmp_path)


def test_an_output_file_whose_mode_was_changed_is_made_again(site: Site, tmp_path: Path) -> None:
    """A file of the output made unreadable by hand (`chmod 000`) keeps its size, time and
    inode: it was taken as written and kept so by every later build. Its mode is part of its
    state, so it is written again as a build from nothing writes it, by a build with nothing
    else to do and by one after an edit of another text."""
    page = site.out / "es/partners/alpha/index.html"
    page.chmod(0)
    result = build(site)
    assert result.rendered == ("es/partners/alpha/index.html",)
    beta = site.out / "es/partners/beta/index.html"
    beta.chmod(0o600)
    alpha = "content/partners/alpha/es.md"
    site.write({alpha: MINIMAL_SITE[alpha] + "Más.\n"})
    build(site)
    cold = tmp_path / "cold"
    assert build_site(site.root, cold, cache=False).ok

    def modes(folder: Path) -> dict[str, int]:
        found = (path for path in folder.rglob("*") if path.is_file())
        return {path.relative_to(folder).as_posix(): path.stat().st_mode for path in found}

    assert modes(site.out) == modes(cold)
    assert tree(site.out) == tree(cold)


def test_every_output_file_is_checked_by_one_of_the_processes_that_check_it(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build with nothing to do checks the output in several processes, each a share of its
    files and folders: a file changed anywhere is seen by one of them."""
    import pickle

    manifest = pickle.loads((cache_dir(site.out) / "manifest.pickle").read_bytes())
    parts = build_module.OUTPUT_CHECKERS

    def seen() -> list[bool]:
        return [not manifest.matches_output(site.out, part, parts) for part in range(parts)]

    assert seen() == [False] * parts
    for table in (manifest.outputs, manifest.folders):  # a file or a folder not as written
        for name in sorted(table):
            kept = table[name]
            table[name] = (0, 0, 0) if table is manifest.outputs else -1
            assert seen().count(True) == 1, name
            table[name] = kept
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)  # the checking processes in use
    (site.out / "es/index.html").write_text("edited by hand")
    assert build(site).rendered == ("es/index.html",)
    assert build(site).cached


def test_pages_kept_from_an_output_checked_whole_are_not_looked_at_again(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_body_edits: None
) -> None:
    """Where the processes that check the output found all of it as written, a kept page
    is linked without a look at its file of its own; where they did not, it is looked at."""
    from allysite import cache as cache_module

    if available_cores() < 2:
        pytest.skip("the output is checked in other processes only with two cores")
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)  # the checking processes in use
    looked: list[str] = []
    real = cache_module.output_state

    def output_state(path: str | Path) -> tuple[int, int, int] | None:
        looked.append(str(path))
        return real(path)

    monkeypatch.setattr(cache_module, "output_state", output_state)
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: Educa.\n---\nOtro.\n"})
    result = build(site, workers=1)  # (kept pages are looked at, or not, in this process)
    assert pages(result) == {f"{lang}/partners/beta/index.html" for lang in ("es", "en", "ar")}
    assert not [path for path in looked if path.endswith("alpha/index.html")]
    assert_as_cold(site, tmp_path)
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: Educa.\n---\nY.\n"})
    (site.out / "stray.txt").write_text("left by hand")  # the output is not as written
    looked.clear()
    build(site, workers=1)
    assert [path for path in looked if path.endswith("es/partners/alpha/index.html")]
    assert_as_cold(site, tmp_path)


@pytest.mark.skipif(available_cores() < 2, reason="the pages render in other processes")
def test_a_full_disk_in_a_rendering_process_is_a_message_not_a_bug(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operating system error in a forked process comes back as one (errno, text, file),
    so the build says what it is, and keeps the previous output."""
    import errno

    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)  # pages render in forked processes
    before = tree(site.out)

    def full_disk(self: Staging, out_path: str, data: bytes) -> tuple[int, int, int]:
        raise OSError(errno.ENOSPC, "No space left on device", f"{self.folder}/{out_path}")

    monkeypatch.setattr(Staging, "write", full_disk)
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: E.\n---\nNew.\n"})
    result = build_site(site.root, site.out)
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("write", "cannot write the output: No space left on device")
    ]
    assert tree(site.out) == before


@pytest.mark.parametrize("parallel", [False, True])
def test_a_full_disk_while_a_file_is_copied_names_the_output_not_the_site(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    """shutil names a copy's source first in its error: a full disk while a logo was copied
    said 'cannot read the site' about the logo, with a hint about permissions and links."""
    import errno

    if parallel:
        if available_cores() < 2:
            pytest.skip("the pages render in other processes")
        monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    site = make_site(BETA)
    build(site)
    before = tree(site.out)

    def full_disk(source: Path, target: str) -> None:  # (as shutil's sendfile copy says it)
        raise OSError(errno.ENOSPC, "No space left on device", str(source), None, target)

    monkeypatch.setattr(output_module.shutil, "copyfile", full_disk)
    shutil.rmtree(cache_dir(site.out))  # every file is copied again
    result = build_site(site.root, site.out)
    [problem] = result.diagnostics
    assert (problem.code, problem.message) == (
        "write",
        "cannot write the output: No space left on device",
    )
    assert problem.pos is not None and ".allysite-staging/" in problem.pos.path
    assert "free space" in (problem.hint or "")
    assert tree(site.out) == before


def test_a_build_cache_that_cannot_be_written_says_so_and_how_to_mend_it(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """The cache folder replaced by a file (or a file of it by a folder): the message names
    the build cache and says to delete it, not the output and its permissions."""
    unsafe = LOGO.replace("<rect", '<script>x()</script><rect onclick="y()"')
    site = make_site({**BETA, "content/partners/alpha/logo.svg": unsafe})
    build(site)
    before = tree(site.out)
    cache = cache_dir(site.out)
    shutil.rmtree(cache)
    cache.write_text("not a folder")
    site.write({"content/partners/beta/es.md": "---\nname: Beta B\nsummary: E.\n---\nOtro.\n"})
    result = build_site(site.root, site.out)
    [problem] = result.diagnostics
    assert problem.message == "cannot write the build cache: Not a directory"
    assert problem.hint is not None and problem.hint.startswith(f"delete {cache} ")
    assert tree(site.out) == before
    cache.unlink()
    build(site)
    assert_as_cold(site, tmp_path)


def test_a_build_cache_that_cannot_be_stored_is_told_once_the_output_is_built(
    make_site: MakeSite,
) -> None:
    """A site whose build writes nothing else into the cache (no logo to clean): the output
    is built and swapped in, but the manifest cannot be stored, so every later build renders
    everything. It said nothing; it says so, how to mend it, and exits 0 (the site is fine)."""
    site = make_site()
    (site.root / "content/partners/alpha/logo.svg").unlink()
    site.write(
        {"content/partners/alpha/partner.yaml": "website: https://alpha.example.org/\nkind: ngo\n"}
    )
    assert site.build().exit_code == 0
    cache = cache_dir(site.out)
    shutil.rmtree(cache)
    cache.write_text("not a folder")
    result = site.build()
    assert result.exit_code == 0, result.output
    note = next(line for line in result.stderr.splitlines() if line.startswith("note: "))
    assert note.startswith("note: the build cache could not be written (")
    assert f"{cache}), so the next build renders every page again; delete {cache} " in note
    assert (site.out / "es/partners/alpha/index.html").is_file()
    cache.unlink()
    result = site.build()
    assert "note:" not in result.stderr
    assert site.build().stdout.rstrip().endswith(": nothing changed.")


def test_a_folder_in_place_of_a_cache_file_is_replaced_and_leaves_no_temporary_files(
    site: Site, tmp_path: Path
) -> None:
    """A folder where the manifest's tables go: each build wrote them beside it (a copy of
    the tables left behind every time) and dropped the manifest, so no build kept anything."""
    build(site)
    cache = cache_dir(site.out)
    (cache / "keys.pickle").unlink()
    (cache / "keys.pickle").mkdir()
    site.write({"content/partners/beta/es.md": "---\nname: Beta B\nsummary: E.\n---\nOtro.\n"})
    build(site)
    assert_as_cold(site, tmp_path)
    assert (cache / "keys.pickle").is_file()
    assert build(site).cached  # the manifest was written: nothing to do
    assert not [path.name for path in cache.rglob("*.tmp")]


def test_a_cache_file_that_fails_to_be_written_leaves_no_temporary_file(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk while the manifest is written: the build has succeeded (its output is
    whole), and the half-written file is not left to fill the disk further."""
    import errno

    from allysite import cache as cache_module

    class FullDisk(cache_module._Pickler):
        def __init__(self, file: Any, protocol: int) -> None:
            super().__init__(file, protocol=protocol)
            self.file = file

        def dump(self, value: object) -> None:
            if not str(getattr(self.file, "name", "")).endswith(".tmp"):  # (not a cache file)
                super().dump(value)
                return
            self.file.write(b"half a manifest")
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache_module, "_Pickler", FullDisk)
    site.write({"content/partners/beta/es.md": "---\nname: Beta B\nsummary: E.\n---\nOtro.\n"})
    build(site)
    assert "Beta B" in (site.out / "es/partners/beta/index.html").read_text()
    assert not [path.name for path in cache_dir(site.out).rglob("*.tmp")]


def test_no_cache_and_a_lost_cache_build_everything(site: Site, tmp_path: Path) -> None:
    result = build(site, cache=False)
    assert len(result.rendered) == result.pages
    assert build(site).cached  # it wrote a cache all the same
    shutil.rmtree(cache_dir(site.out))
    assert len(build(site).rendered) == result.pages
    (cache_dir(site.out) / "manifest.pickle").write_bytes(b"not a pickle")
    assert len(build(site).rendered) == result.pages


def test_warnings_are_repeated_by_a_build_with_nothing_to_do(make_site: MakeSite) -> None:
    site = make_site({**BETA, "content/partners/beta/stray.md": None, "content/partners/x": ""})
    first = build(site)
    assert first.diagnostics
    again = build(site)
    assert again.cached and again.diagnostics == first.diagnostics
    strict = build_site(site.root, site.out, strict=True)
    assert not strict.ok  # --strict still fails on them


def test_parallel_rendering_gives_the_same_bytes(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "PARALLEL_FROM", 1)  # the content is parsed in workers too
    result = build(site, cache=False, workers=2)
    assert len(result.rendered) == result.pages
    assert_as_cold(site, tmp_path)
    site.write({"templates/partner.html": "{{ no_such_name.attribute }}"})
    failed = build_site(site.root, site.out, workers=2)
    assert not failed.ok
    assert [d.pos.path for d in failed.diagnostics if d.pos] == ["templates/partner.html"]


def test_a_first_build_renders_in_as_many_processes_as_cores(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a first build the loading process renders too, beside one forked process fewer
    than there are cores (each forked one costs its copies of the site's memory); in a
    rebuild it forks one per core, to render the changed languages while it stages the
    rest. Either way every language's pages are made, as a build in one process makes them."""
    from allysite import buildwork, workers

    log = tmp_path / "log"  # (written by forked processes too)

    def note(line: str) -> None:
        with open(log, "a") as file:
            file.write(line + "\n")

    in_workers, publish_language = workers.in_workers, buildwork._publish_language

    def counted(count: int, job: Any, *options: Any, **named: Any) -> Any:
        if job.__qualname__ == "make_pages.<locals>.job":
            note(f"processes {count}")
        return in_workers(count, job, *options, **named)

    def publishing(inputs: Any, code: str, *rest: Any) -> None:
        note(f"language {code}")
        publish_language(inputs, code, *rest)

    monkeypatch.setattr(workers, "in_workers", counted)
    monkeypatch.setattr(buildwork, "_publish_language", publishing)

    def noted() -> list[str]:
        lines = sorted(log.read_text().splitlines())
        log.unlink()
        return lines

    languages = ["language ar", "language en", "language es"]
    build(site, cache=False, workers=2)
    assert noted() == [*languages, "processes 2"]
    assert_as_cold(site, tmp_path)
    log.unlink()
    site.write({"templates/partner.html": "A partner."})  # (every language's pages change)
    build(site, workers=2)
    assert noted() == [*languages, "processes 3"]
    assert_as_cold(site, tmp_path)


def test_the_no_cache_option_rewrites_every_file(site: Site) -> None:
    def inodes() -> dict[str, int]:
        return {p.relative_to(site.out).as_posix(): p.stat().st_ino for p in site.out.rglob("*")}

    before = inodes()
    assert site.build().exit_code == 0
    assert inodes() == before  # nothing changed: nothing written
    result = site.build("--no-cache")
    assert result.exit_code == 0, result.output
    after = inodes()
    assert after.keys() == before.keys()
    assert not any(after[name] == before[name] for name in after if name.endswith(".html"))


def test_search_is_indexed_again_only_when_a_page_changed(make_site: MakeSite) -> None:
    site = make_site(
        {**BETA, "site.yaml": MINIMAL_SITE["site.yaml"] + "search: true\n"}  # Pagefind
    )
    build(site)

    def index() -> dict[str, int]:
        folder = site.out / "pagefind"
        return {p.name: p.stat().st_ino for p in folder.rglob("*") if p.is_file()}

    first = index()
    assert first, "Pagefind made no index"
    site.write({"static/notes.txt": "a file that is no page"})
    result = build(site)
    assert not result.cached and result.rendered == ()
    assert index() == first  # kept, not made again
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: Educa.\n---\nOtra.\n"})
    build(site)
    assert index().keys() & first.keys()
    assert all(index()[name] != first[name] for name in index().keys() & first.keys())


@pytest.mark.parametrize(
    ("edit", "planned"),
    [
        # beta's own folder: only beta's pages are planned with their context again
        ({"content/partners/beta/es.md": "---\nname: Beta\nsummary: Otra.\n---\nB.\n"}, "beta"),
        ({"content/partners/beta/en.md": "---\nname: Beta\nsummary: Ed.\n---\nB.\n"}, "beta"),
        # anything that is no partner's file: every partner page is planned again
        ({"templates/partials/nav.html": "<nav>changed</nav>\n"}, "all"),
        (
            {
                "locales/en/LC_MESSAGES/messages.po": BETA["locales/en/LC_MESSAGES/messages.po"]
                + '\nmsgid "Not yet translated"\nmsgstr "Still in Spanish"\n'
            },
            "all",
        ),
        ({"site.yaml": MINIMAL_SITE["site.yaml"].replace("Our partners", "Partners")}, "all"),
        ({"static/notes.txt": "a file that is no page"}, "all"),
    ],
)
def test_partner_pages_of_unchanged_folders_are_not_planned_again(
    site: Site,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: dict[str, str],
    planned: str,
    no_body_edits: None,
) -> None:
    """A partner page whose basis (its folder, its language's site view, the files that are
    no partner's) is the last build's is kept without making its context (plan.Reuse)."""
    from allysite import plan

    made: list[str] = []
    organization = plan.organization

    def recording(partner: object, *args: object) -> object:
        made.append(partner.slug)  # type: ignore[attr-defined]
        return organization(partner, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(plan, "organization", recording)
    build(site)
    assert made == []  # nothing changed (and the first build recorded every basis)
    site.write(edit)
    build(site)
    expected = {"beta"} if planned == "beta" else {"alpha", "beta"}
    assert set(made) == expected
    assert len(made) == 3 * len(expected)  # once per language
    assert_as_cold(site, tmp_path)


ALPHA_EN = "content/partners/alpha/en.md"


def alpha_en(summary: str = "Works for peace.", body: str = "Text in **English**.") -> str:
    return f"---\nname: Alpha Foundation\nsummary: {summary}\n---\n## Mandate\n\n{body}\n"


@pytest.fixture
def wholes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The languages whose every partner view a build makes (the site's are built in this
    process: it is small)."""
    from allysite import views

    made: list[str] = []
    whole = views.LanguageViews.whole

    def recording(self: views.LanguageViews) -> views.LanguageView:
        made.append(self.language.code)
        return whole(self)

    monkeypatch.setattr(views.LanguageViews, "whole", recording)
    return made


def test_an_edit_of_a_body_alone_finds_every_language_settled(
    site: Site, tmp_path: Path, wholes: list[str], no_body_edits: None
) -> None:
    """A profile's body is on its own page only: after an edit of it no language's views are
    made whole (routes.Settle), and only the pages that show that body are rendered."""
    site.write({ALPHA_EN: alpha_en(body="Other text in **English**.")})
    result = build(site)
    assert wholes == []
    assert result.rendered == ("en/partners/alpha/index.html",)
    assert "Other text in" in (site.out / "en/partners/alpha/index.html").read_text()
    assert_as_cold(site, tmp_path)


def test_a_rebuild_parses_no_template_that_did_not_change(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which names a template reads (rendermemo.memo_names) is kept with the templates'
    hashes: a rebuild loads the templates compiled and parses none of them again."""
    from allysite import rendermemo

    parsed: list[str] = []
    source_names = rendermemo._source_names

    def recording(env: object, source: str) -> tuple[str, ...] | None:
        parsed.append(source)
        return source_names(env, source)  # type: ignore[arg-type]

    monkeypatch.setattr(rendermemo, "_source_names", recording)
    site.write({ALPHA_EN: alpha_en(summary="Works for lasting peace.")})
    assert build(site).rendered
    assert parsed == []
    site.write({"templates/partials/footer.html": "<footer>{{ site.title }}</footer>\n"})
    assert build(site).rendered
    assert "<footer>{{ site.title }}</footer>\n" in parsed  # (and the others, once)
    assert len(parsed) == len(set(parsed))
    assert_as_cold(site, tmp_path)


def test_a_sitemap_made_again_lists_the_pages_of_settled_languages(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A settled language sends back only the pages it planned: should the sitemap be made
    again (which its checks rule out), every page of it is planned again for its entries."""
    from allysite import publish

    monkeypatch.setattr(publish.PartnerReuse, "same_entries", lambda self, metas: True)
    site.write({"content/partners/beta/en.md": "---\nname: Beta\nsummary: Ed.\n---\nB.\n"})
    build(site)  # es and ar taken as settled; en is not (a new text): the sitemap changes
    sitemap = (site.out / "sitemap.xml").read_text()
    assert "/es/partners/alpha/" in sitemap and "/es/partners/beta/" in sitemap
    assert_as_cold(site, tmp_path)


SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
HOST = "https://partners.example.org/"
URLSET = f"{{{SITEMAP['s']}}}urlset"


def partner_files(slug: str) -> dict[str, str | bytes]:
    """A partner with its pages in es and en (two sitemap entries; ar falls back)."""
    text = f"---\nname: {slug.title()}\nsummary: S.\n---\nT.\n"
    facts = f"website: https://{slug}.example.org/\nkind: ngo\n"
    return {
        f"content/partners/{slug}/partner.yaml": facts,
        f"content/partners/{slug}/es.md": text,
        f"content/partners/{slug}/en.md": text,
    }


def sitemap_locs(out: Path) -> list[str]:
    """Every URL the output's sitemap lists, through its index when it is one: each part a
    file of the output, within the limits."""
    root = etree.parse(out / "sitemap.xml").getroot()
    if root.tag == URLSET:
        return [loc.text or "" for loc in root.iterfind("s:url/s:loc", SITEMAP)]
    locs: list[str] = []
    for at in root.iterfind("s:sitemap/s:loc", SITEMAP):
        assert (at.text or "").startswith(HOST)
        part = etree.parse(out / (at.text or "").removeprefix(HOST)).getroot()
        assert part.tag == URLSET
        assert 0 < len(part) <= sitemap_module.MAX_URLS
        locs += [loc.text or "" for loc in part.iterfind("s:url/s:loc", SITEMAP)]
    return locs


def sitemap_parts(names: Iterable[str]) -> list[str]:
    return sorted(name for name in names if re.fullmatch(r"sitemap-\d+\.xml", name))


@pytest.mark.parametrize("spare", [False, True])
def test_a_sitemap_over_the_limits_is_an_index_and_back_as_a_cold_build_gives(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_body_edits: None, spare: bool
) -> None:
    """A site grown past what one sitemap may list gets an index of numbered sitemaps,
    kept while no entry changes; shrunk back, one sitemap.xml again, and no numbered one left
    in the output or its manifest (`spare`: staged into the output before last, which held
    them)."""
    if spare:
        if available_cores() < 2:
            pytest.skip("the output is checked in a second process")
        monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    before = sitemap_locs(site.out)
    monkeypatch.setattr(sitemap_module, "MAX_URLS", len(before) + 1)  # (two entries more)
    slugs = ("gamma", "delta")
    grown = {name: text for slug in slugs for name, text in partner_files(slug).items()}
    site.write(grown)
    result = build(site)
    added = [f"{HOST}{lang}/partners/{slug}/" for lang in ("es", "en") for slug in slugs]
    assert sorted(sitemap_locs(site.out)) == sorted([*before, *added])  # each once
    assert sitemap_parts(tree(site.out)) == ["sitemap-1.xml", "sitemap-2.xml"]
    manifest = BuildCache.open(cache_dir(site.out), site.root, site.out, THEME).previous
    assert manifest is not None
    assert sitemap_parts(manifest.outputs) == ["sitemap-1.xml", "sitemap-2.xml"]
    assert result.files == manifest.files == len(manifest.outputs) == len(tree(site.out)) - 1
    assert_as_cold(site, tmp_path)

    inodes = {name: (site.out / name).stat().st_ino for name in ("sitemap.xml", "sitemap-2.xml")}
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: Educa.\n---\nOtro.\n"})
    assert build(site).rendered  # a body: no entry changed, the sitemap's files are kept
    assert {name: (site.out / name).stat().st_ino for name in inodes} == inodes
    assert_as_cold(site, tmp_path)

    for slug in slugs:
        shutil.rmtree(site.root / "content/partners" / slug)
    result = build(site)
    assert sorted(sitemap_locs(site.out)) == sorted(before)
    assert etree.parse(site.out / "sitemap.xml").getroot().tag.endswith("}urlset")
    assert sitemap_parts(tree(site.out)) == []
    manifest = BuildCache.open(cache_dir(site.out), site.root, site.out, THEME).previous
    assert manifest is not None and sitemap_parts(manifest.outputs) == []
    assert result.files == len(tree(site.out)) - 1
    assert_as_cold(site, tmp_path)


SECURITY_TXT = b"Contact: mailto:security@example.org\nExpires: 2030-01-01T00:00:00.000Z\n"


@pytest.mark.parametrize("large", [False, True], ids=["small", "large-with-spare"])
def test_static_well_known_is_published_and_an_edit_republished(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    """static/.well-known/ (RFC 8615: security.txt...) is the one dot-named folder a site
    publishes, as it is; other dot-names (.env, .htaccess, its own .secret) never are. An
    edit of its file is a rebuild that republishes it (a large output's through the spare),
    and a build with nothing changed stays one."""
    if large:
        monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    site = make_site(
        {
            **BETA,
            "static/.well-known/security.txt": SECURITY_TXT,
            "static/.well-known/.secret": "not for visitors\n",
            "static/.env": "SECRET=1\n",
            "static/.htaccess": "Deny from all\n",
        }
    )
    build(site)
    dot_names = [name for name in tree(site.out) if "/." in f"/{name}"]
    assert dot_names == [".allysite-output", ".well-known/security.txt"]
    assert (site.out / ".well-known/security.txt").read_bytes() == SECURITY_TXT
    assert build(site).cached
    edited = SECURITY_TXT + b"Preferred-Languages: es, en\n"
    site.write({"static/.well-known/security.txt": edited})
    result = build(site)
    assert not result.cached and result.rendered == ()
    assert (site.out / ".well-known/security.txt").read_bytes() == edited
    assert_as_cold(site, tmp_path)
    assert build(site).cached
    site.remove("static/.well-known/security.txt")
    build(site)
    assert not (site.out / ".well-known").exists()
    assert_as_cold(site, tmp_path)


def test_a_static_file_may_not_take_the_place_of_a_numbered_sitemap(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """static/sitemap-1.xml is copied while sitemap.xml lists every page; once the site
    needs numbered sitemaps, it would replace one: an error, as for static/sitemap.xml."""
    site.write({"static/sitemap-1.xml": "<x/>"})
    build(site)
    assert (site.out / "sitemap-1.xml").read_text() == "<x/>"
    monkeypatch.setattr(sitemap_module, "MAX_URLS", 2)
    site.write(partner_files("gamma"))
    result = build_site(site.root, site.out)
    assert [d.code for d in result.diagnostics if d.pos.path == "static/sitemap-1.xml"] == [
        "static-collision"
    ]
    assert not result.ok
    assert (site.out / "sitemap-1.xml").read_text() == "<x/>"  # the output left as it was
    found = check_site(site.root).findings  # (check says what the build says)
    assert [f.code for f in found if f.path == "static/sitemap-1.xml"] == ["static-collision"]


def test_an_edit_of_a_card_plans_its_languages_whole(
    site: Site, tmp_path: Path, wholes: list[str], no_body_edits: None
) -> None:
    """An edit of what a partner's card shows (its summary) makes whole the views of the
    languages that show that text: their lists show the card. The others stay settled."""
    site.write({ALPHA_EN: alpha_en(summary="Works for lasting peace.")})
    result = build(site)
    assert wholes == ["en"]
    assert {"en/index.html", "en/kinds/ngo/index.html"} <= set(result.rendered)
    assert not [name for name in result.rendered if not name.startswith("en/")]
    assert "Works for lasting peace." in (site.out / "en/index.html").read_text()
    assert_as_cold(site, tmp_path)
    wholes.clear()
    site.write({"content/partners/beta/en.md": "---\nname: Beta\nsummary: Ed.\n---\nB.\n"})
    build(site)  # a new translation: every language's sitemap entries and switchers change
    assert sorted(wholes) == ["ar", "en", "es"]
    assert_as_cold(site, tmp_path)


@pytest.mark.skipif(available_cores() < 2, reason="the output is checked in a second process")
def test_the_replaced_output_is_the_spare_the_next_build_stages_into(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large output, once replaced, is kept as the spare: the next build fills it with only
    what changed since, and removes what is gone (here every output counts as large)."""
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    spare = spare_dir(site.out)

    def edit(text: str) -> None:
        site.write({"content/partners/beta/es.md": f"---\nname: Beta\nsummary: E.\n---\n{text}\n"})

    edit("One.")
    build(site)  # a spare is made of links to the first build's output
    assert spare_made(site.out) and spare.is_dir() and not (spare / "stray.txt").exists()
    unchanged = (site.out / "es/partners/alpha/index.html").stat().st_ino
    edit("Two.")
    build(site)  # staged into the spare
    assert "Two." in (site.out / "es/partners/beta/index.html").read_text()
    assert (site.out / "es/partners/alpha/index.html").stat().st_ino == unchanged
    assert "One." in (spare / "es/partners/beta/index.html").read_text()  # the output before
    assert_as_cold(site, tmp_path)
    alpha = "content/partners/alpha/es.md"
    site.write({alpha: (site.root / alpha).read_text() + "\nMore.\n"})
    build(site)  # staged into the spare with beta's "One.": its page is linked from the output
    assert "Two." in (site.out / "es/partners/beta/index.html").read_text()
    assert_as_cold(site, tmp_path)
    shutil.rmtree(site.root / "content/partners/beta")
    build(site)
    build(site)  # the spare held beta's pages: they are pruned, their folders too
    assert not (site.out / "es/partners/beta").exists()
    assert_as_cold(site, tmp_path)
    site.write(BETA)
    build(site)
    assert_as_cold(site, tmp_path)
    # an output changed by hand is not taken as a spare (its state is unknown): one is made
    # of links to the new output's files instead, as after a first build
    (site.out / "stray.txt").write_text("left by hand")
    edit("Three.")
    build(site)
    assert spare_made(site.out) and not (spare / "stray.txt").exists()
    page = "es/partners/beta/index.html"
    assert (spare / page).stat().st_ino == (site.out / page).stat().st_ino
    edit("Four.")
    build(site)
    assert not (site.out / "stray.txt").exists()
    assert_as_cold(site, tmp_path)
    # a spare whose record is lost (a build killed while keeping it) is not used
    edit("Five.")
    build(site)
    (spare / ".allysite-spare").unlink()
    edit("Six.")
    build(site)
    assert_as_cold(site, tmp_path)


@pytest.mark.skipif(available_cores() < 2, reason="the output is checked in a second process")
def test_a_build_from_scratch_leaves_its_spare_of_links_to_a_process_that_outlives_it(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build returns before its spare is made; a build with nothing to do does not wait
    for it, and one that writes waits for it, then stages into it."""
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    go = tmp_path / "go"
    real_link, real_made = os.link, output_module.spare_made
    deadline = time.monotonic() + 30  # (a build that waited for its spare fails, not hangs)

    def link(source: str, target: str, *args: object, **options: object) -> None:
        if "dst_dir_fd" in options:  # a link into the spare: held back until `go`
            while not go.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        real_link(source, target, *args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", link)
    site = make_site(BETA)
    build(site)
    assert not spare_made(site.out, wait=0.1)  # its process holds the spare's lock
    assert not (spare_dir(site.out) / ".allysite-spare").exists()
    assert build(site).cached  # (it did not wait: the spare's links are still held back)
    waited: list[bool] = []

    def made(out: Path, wait: float = output_module.LOCK_WAIT_SECONDS) -> bool:
        if not wait:  # (the processes that check the output look at the spare too, unwaiting)
            return real_made(out, 0)
        waited.append(real_made(out, 0))
        go.touch()  # the spare's process may go on; the build waits for it to end
        return real_made(out, wait)

    monkeypatch.setattr(output_module, "spare_made", made)
    unchanged = (site.out / "es/partners/alpha/index.html").stat().st_ino
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: Educa.\n---\nOtro.\n"})
    assert pages(build(site), "es/") == {"es/partners/beta/index.html"}
    assert waited == [False]
    assert (site.out / "es/partners/alpha/index.html").stat().st_ino == unchanged
    assert_as_cold(site, tmp_path)


@pytest.mark.skipif(available_cores() < 2, reason="the output is checked in a second process")
def test_a_spare_of_links_to_files_replaced_meanwhile_is_not_kept(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(The dev server writing into the same output while the spare is made.) The spare
    must hold the files its record says: one replaced before it was linked unmakes it."""
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    real = os.link
    page = "es/partners/alpha/index.html"

    def link(source: str, target: str, *args: object, **options: object) -> None:
        folder = options.get("src_dir_fd")
        if isinstance(folder, int) and source == page:  # replaced as the dev server does
            fd = os.open("new.html", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=folder)
            os.write(fd, b"<p>a newer page</p>")
            os.close(fd)
            os.replace("new.html", page, src_dir_fd=folder, dst_dir_fd=folder)
        real(source, target, *args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", link)
    site = make_site(BETA)
    build(site)
    assert spare_made(site.out)
    assert not spare_dir(site.out).exists()
    monkeypatch.setattr(os, "link", real)
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: E.\n---\nOtro.\n"})
    build(site)
    assert_as_cold(site, tmp_path)  # (the page replaced by hand is rendered again)


@pytest.mark.skipif(available_cores() < 2, reason="the output is checked in a second process")
def test_a_build_killed_while_it_fills_the_spare_leaves_the_output_as_it_was(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: E.\n---\nOne.\n"})
    build(site)
    assert spare_made(site.out) and spare_dir(site.out).is_dir()
    before = tree(site.out)
    # what a killed build leaves: the spare taken as its staging folder, half filled
    last = BuildCache.open(cache_dir(site.out), site.root, site.out, THEME).previous
    assert last is not None
    staging = Staging.start(site.out, Written(last.token, last.outputs, last.folders))
    assert staging.present and not spare_dir(site.out).exists()
    staging.write("es/partners/alpha/index.html", b"half a page")
    assert tree(site.out) == before
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: E.\n---\nTwo.\n"})
    build(site)  # the leftover staging folder is removed; a fresh one is filled
    assert "half a page" not in (site.out / "es/partners/alpha/index.html").read_text()
    assert_as_cold(site, tmp_path)


@pytest.mark.parametrize("parse_in_workers", [False, True])
def test_kept_logos_and_translation_status_follow_their_files(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parse_in_workers: bool
) -> None:
    """Cleaned logos and the translation status are kept by the hashes of their files: a
    rebuild reports what a cold build reports, and sees each file that changed. (With two
    processes parsing, they prepare the logos and the status meanwhile.)"""
    workers = 2 if parse_in_workers else 1
    forks = tmp_path / "forks"  # (written from the build's own forked process)
    if parse_in_workers:
        monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
        monkeypatch.setattr(loader, "PARALLEL_FROM", 1)
        forked = loader.streamed_from_workers

        def streamed(count: int, job: Callable[..., None], take: Callable[..., None]) -> None:
            with forks.open("a") as record:
                record.write(f"{count}\n")
            forked(count, job, take)

        monkeypatch.setattr(loader, "streamed_from_workers", streamed)
    cleanings = tmp_path / "cleanings"  # (a line for each SVG cleaned, in any process)
    clean = svgclean.clean_svg

    def counted(data: bytes, shown: str) -> svgclean.SafeSvg:
        with cleanings.open("a") as record:
            record.write(f"{shown}\n")
        return clean(data, shown)

    monkeypatch.setattr(svgclean, "clean_svg", counted)
    unsafe = LOGO.replace("<rect", '<script>x()</script><rect onclick="y()"')
    site = make_site({**BETA, "content/partners/alpha/logo.svg": unsafe})

    def messages(result: BuildResult) -> list[str]:
        return sorted(d.format() for d in result.diagnostics)

    def as_cold(result: BuildResult) -> list[str]:
        cold = build_site(site.root, tmp_path / "cold", cache=False)
        shutil.rmtree(tmp_path / "cold")
        assert messages(result) == messages(cold)
        return messages(result)

    def beta(words: str) -> dict[str, str]:
        return {"content/partners/beta/es.md": f"---\nname: Beta\nsummary: E.\n---\n{words}\n"}

    first = as_cold(build(site, workers=workers))
    assert sum("from the SVG logo" in m for m in first) == 2  # the script, the onclick
    assert forks.exists() == parse_in_workers
    assert as_cold(build(site, workers=workers)) == first  # a build with nothing to do
    site.write(beta("Otro texto."))
    assert as_cold(build(site, workers=workers)) == first  # kept, not made again: the same warnings
    cleaned = cleanings.read_text()
    alpha = site.root / "content/partners/alpha/es.md"
    alpha.write_text(alpha.read_text() + "\nUna frase más.\n")  # its folder, not its logo
    rebuilt = build(site, workers=workers)
    assert cleanings.read_text() == cleaned  # the logo is kept by its own hash
    assert "Una frase más." in (site.out / "es/partners/alpha/index.html").read_text()
    assert as_cold(rebuilt) == first

    site.write({"templates/partials/footer.html": '<footer>{{ _("A new string") }}</footer>\n'})
    found = as_cold(build(site, workers=workers))
    assert [m for m in found if "'A new string'" in m and "'es'" in m]
    assert [m for m in found if "'A new string'" in m and "'ar'" in m]
    site.write(
        {
            "locales/es/LC_MESSAGES/messages.po": 'msgid ""\nmsgstr ""\n'
            '"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: es\\n"\n'
            '\nmsgid "A new string"\nmsgstr "Una cadena nueva"\n'
        }
    )
    found = as_cold(build(site, workers=workers))
    assert not [m for m in found if "'A new string'" in m and "'es'" in m]
    assert [m for m in found if "'A new string'" in m and "'ar'" in m]
    catalog = site.root / "locales/es/LC_MESSAGES/messages.po"
    catalog.write_text(catalog.read_text().replace("A new string", "Another string"))
    found = as_cold(build(site, workers=workers))
    assert [m for m in found if "'A new string'" in m and "'es'" in m]

    site.write({"content/partners/alpha/logo.svg": LOGO})  # made safe by its editor
    found = as_cold(build(site, workers=workers))
    assert not [m for m in found if "from the SVG logo" in m]
    site.write({"content/partners/alpha/logo.svg": unsafe})
    shutil.rmtree(cache_dir(site.out) / "logos")  # the cleaned file is gone from the cache
    site.write(beta("Más texto."))
    assert sum("from the SVG logo" in m for m in as_cold(build(site, workers=workers))) == 2
    assert "script" not in (site.out / "es/partners/alpha/logo.svg").read_text()
    site.write(beta("Aún más."))
    shutil.rmtree(cache_dir(site.out) / "logos")
    build(site, workers=workers)
    assert_as_cold(site, tmp_path)


@pytest.mark.parametrize("cached", [True, False])
@pytest.mark.parametrize("damage", ["overwritten", "truncated", "folder"])
def test_a_logo_damaged_in_the_cache_is_made_again(
    make_site: MakeSite, tmp_path: Path, cached: bool, damage: str
) -> None:
    """A cleaned or resized logo in the cache folder, overwritten by hand (even with its
    old size and modification time), truncated or replaced by a folder, is made again:
    never copied into the output as it is, by a rebuild nor by a build with --no-cache."""
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (400, 200), (200, 30, 30)).save(picture, "PNG")
    unsafe = LOGO.replace("<rect", '<script>x()</script><rect onclick="y()"')
    raster = BETA["content/partners/beta/partner.yaml"] + "logo: logo.png\n"
    site = make_site(
        {
            **BETA,
            "content/partners/alpha/logo.svg": unsafe,
            "content/partners/beta/partner.yaml": raster,
            "content/partners/beta/logo.png": picture.getvalue(),
        }
    )
    build(site)
    made = sorted((cache_dir(site.out) / "logos").iterdir())
    assert {path.suffix for path in made} == {".svg", ".png", ".webp"}
    for path in made:
        status = path.stat()
        if damage == "overwritten":
            path.write_bytes(bytes(status.st_size))
            os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
        elif damage == "truncated":
            path.write_bytes(path.read_bytes()[:10])
        else:
            path.unlink()
            path.mkdir()
    site.write({"content/partners/beta/es.md": "---\nname: Beta B\nsummary: E.\n---\nOtro.\n"})
    build(site, cache=cached)  # (a name edit: the site is loaded, its logos kept or made)
    assert_as_cold(site, tmp_path)
    logos = [path for path in (site.out / "assets/logos").iterdir() if path.suffix == ".png"]
    assert logos
    for path in logos:
        with Image.open(path) as image:  # a picture, not the bytes written over it
            assert image.size[0] in (96, 192)
    assert "<rect" in (site.out / "es/partners/alpha/logo.svg").read_text()


def test_a_sequence_of_random_edits_always_gives_a_cold_builds_bytes(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kind of edit, in a random order, each rebuild compared with a cold build: with
    two rendering processes, the spare output and the kept partner pages all in play, and
    now and then the output changed by hand, which the rebuild must make whole again."""
    import random

    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(loader, "PARALLEL_FROM", 1)
    chance = random.Random(20261129)
    kinds = ("ngo", "foundation", "un-agency")
    regions = ("africa", "europe", "asia-pacific", "americas")

    def partner_yaml(slug: str) -> str:
        chosen = chance.sample(regions, chance.randint(1, 2))
        return (
            f"website: https://{slug}.example.org/\nkind: {chance.choice(kinds)}\n"
            f"regions: [{', '.join(chosen)}]\ntopics: [education]\n"
        )

    def words() -> str:
        return " ".join(chance.choice(("paz", "diálogo", "derechos", "agua")) for _ in range(5))

    def text(name: str) -> str:
        return f"---\nname: {name}\nsummary: {words()}.\n---\n{words()}\n"

    def new_body(path: Path) -> None:  # the front matter (and so the card) kept
        path.write_text(path.read_text().rpartition("---\n")[0] + f"---\n{words()}\n")

    def new_summary(path: Path) -> None:  # the rest kept: put in place (bodyedit.py)
        text = path.read_text()
        path.write_text(re.sub(r"^summary: .*$", f"summary: {words()}.", text, count=1, flags=re.M))

    def by_hand() -> None:  # a page of the output changed, or a file left in a folder of it
        page = chance.choice(sorted(site.out.rglob("index.html")))
        if chance.random() < 0.5:
            page.write_bytes(page.read_bytes() + b"<!-- by hand -->")
        else:
            (page.parent / "notes.txt").write_text("left by hand")

    def slugs() -> list[str]:
        return sorted(p.name for p in (site.root / "content/partners").iterdir())

    edits = {
        "body": lambda: site.write(
            {f"content/partners/{chance.choice(slugs())}/es.md": text(chance.choice("ABCZ"))}
        ),
        "facts": lambda: (
            (slug := chance.choice([s for s in slugs() if s != "alpha"]))
            and site.write({f"content/partners/{slug}/partner.yaml": partner_yaml(slug)})
        ),
        "body only": lambda: new_body(
            site.root / f"content/partners/{chance.choice(slugs())}/es.md"
        ),
        "summary only": lambda: new_summary(
            site.root / f"content/partners/{chance.choice(slugs())}/es.md"
        ),
        "output by hand": by_hand,
        "translation": lambda: site.write(
            {f"content/partners/{chance.choice(slugs())}/ar.md": text("اسم")}
        ),
        "no translation": lambda: [
            path.unlink() for path in (site.root / "content/partners").glob("*/ar.md")
        ],
        "new partner": lambda: (
            (slug := f"p{chance.randint(0, 99)}")
            and site.write(
                {
                    f"content/partners/{slug}/partner.yaml": partner_yaml(slug),
                    f"content/partners/{slug}/es.md": text(f"Nuevo {slug}"),
                }
            )
        ),
        "gone partner": lambda: [
            shutil.rmtree(folder)
            for folder in (site.root / "content/partners").iterdir()
            if folder.name.startswith("p") and chance.random() < 0.5
        ],
        "site.yaml": lambda: site.write(
            {"site.yaml": MINIMAL_SITE["site.yaml"].replace("Our", chance.choice(("All", "Our")))}
        ),
        "page": lambda: site.write({"content/pages/about/es.md": text("Acerca de")}),
        "template": lambda: site.write(
            {"templates/partials/footer.html": f"<footer>{chance.randint(0, 9)}</footer>\n"}
        ),
        "static": lambda: site.write({"static/notes.txt": str(chance.random())}),
        "logo": lambda: site.write(
            {
                "content/partners/alpha/logo.svg": LOGO.replace(
                    "1f5f8b", chance.choice(("000", "fff"))
                )
            }
        ),
    }
    for name in chance.choices(sorted(edits), k=16):
        edits[name]()
        for folder in (site.root / "content/partners").iterdir():  # a half-written new partner
            if not (folder / "partner.yaml").exists() or not (folder / "es.md").exists():
                shutil.rmtree(folder)
        build(site, workers=2)
        assert_as_cold(site, tmp_path)


@pytest.mark.skipif(available_cores() < 2, reason="the output is checked in a second process")
def test_a_spare_that_cannot_be_kept_fails_no_build(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the new output is in place, keeping the old one as the spare may fail (a full
    disk): the build has still succeeded, and the old output goes."""
    from allysite import output

    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.pickle, "dump", full_disk)
    site.write({"content/partners/beta/es.md": "---\nname: Beta\nsummary: E.\n---\nNew.\n"})
    assert build(site).ok
    assert "New." in (site.out / "es/partners/beta/index.html").read_text()
    assert not spare_dir(site.out).exists()
    monkeypatch.undo()
    assert_as_cold(site, tmp_path)


def _cut(data: bytes, at: int) -> bytes:
    return data[:at]


def _flipped(data: bytes, at: int) -> bytes:
    middle = len(data) // 2 + at
    return data[:middle] + bytes([data[middle] ^ 0x55]) + data[middle + 1 :]


@pytest.mark.parametrize(("spoil", "at"), [(_cut, 20), (_cut, 40), (_flipped, 0)])
@pytest.mark.parametrize("cache", [True, False])
def test_a_spoilt_compiled_template_is_compiled_again(
    site: Site, tmp_path: Path, spoil: Callable[[bytes, int], bytes], at: int, cache: bool
) -> None:
    """A compiled template cut short (a crash of the machine before the disk had it all) or
    with a byte changed on the disk is compiled again, as a spoilt pickle of the cache is
    read as none. Jinja checks the source and version, not the bytes: the checksum's pickle
    cut short raised (an internal error), and a changed byte failed every later build, with
    --no-cache too, at a line of a theme template ('unknown opcode')."""
    compiled = sorted((cache_dir(site.out) / "templates").iterdir())
    assert compiled
    for path in compiled:
        path.write_bytes(spoil(path.read_bytes(), at))
    site.write({"content/partners/beta/es.md": "---\nname: Beta B\nsummary: E.\n---\nOtro.\n"})
    assert build(site, cache=cache).rendered
    assert_as_cold(site, tmp_path)
