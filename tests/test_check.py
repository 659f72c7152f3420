"""allysite check: one fixture per finding, the exit codes, --strict and the JSON format."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from allysite.cli import cli
from conftest import LOGO, MINIMAL_SITE, MakeSite, Site

EN_WITH = "---\nname: Alpha Foundation\nsummary: Works for peace.\n---\n{body}\n"
ES_WITH = "---\nname: Fundación Alfa\nsummary: Trabaja por la paz.\n---\n{body}\n"


def check(site: Site, *args: str) -> tuple[Result, list[dict]]:
    result = CliRunner().invoke(
        cli, ["check", "--site", str(site.root), "--format", "json", *args], catch_exceptions=False
    )
    report = json.loads(result.stdout)
    return result, report["findings"]


def codes(findings: list[dict], level: str | None = None) -> list[str]:
    return [f["code"] for f in findings if level is None or f["level"] == level]


def only(findings: list[dict], code: str) -> dict:
    found = [f for f in findings if f["code"] == code]
    assert len(found) == 1, findings
    return found[0]


def test_a_clean_site_passes_with_notices_only(make_site: MakeSite) -> None:
    result, findings = check(make_site())
    assert result.exit_code == 0
    assert codes(findings) == ["untranslated", "untranslated"]
    about = findings[0]
    assert about == {
        "path": "content/pages/about/es.md",
        "line": None,
        "column": None,
        "level": "notice",
        "code": "untranslated",
        "message": "'about' is not translated into en, ar",
        "hint": "add content/pages/about/en.md, content/pages/about/ar.md",
    }
    # notices never fail, even with --strict
    assert check(make_site(), "--strict")[0].exit_code == 0


def test_text_output_for_people(make_site: MakeSite) -> None:
    site = make_site({"content/partners/alpha/en.md": EN_WITH.format(body="[x](../nobody/)")})
    result = CliRunner().invoke(cli, ["check", "--site", str(site.root)])
    assert result.exit_code == 0
    assert (
        "content/partners/alpha/en.md:5:5: warning: link '../nobody/' leads to "
        "/en/partners/nobody/, which the site does not have (on the en page)"
    ) in result.stdout
    assert result.stdout.rstrip().endswith(
        "Check passed: 0 error(s), 1 warning(s), 2 notice(s) in 35 pages."
    )
    strict = CliRunner().invoke(cli, ["check", "--site", str(site.root), "--strict"])
    assert strict.exit_code == 1
    assert "Check failed: 1 error(s), 0 warning(s), 2 notice(s)" in strict.stderr


def test_build_errors_are_findings_and_nothing_is_written(make_site: MakeSite) -> None:
    site = make_site({"content/partners/alpha/partner.yaml": "website: ftp://x\nkind: ngo\n"})
    result, findings = check(site)
    assert result.exit_code == 1
    problem = next(f for f in findings if f["level"] == "error")
    assert (problem["path"], problem["line"]) == ("content/partners/alpha/partner.yaml", 1)
    assert not site.out.exists()
    assert not (site.root / "build").exists()


def test_a_file_name_that_is_not_utf8_is_a_finding(make_site: MakeSite) -> None:
    site = make_site()
    with open(str(site.root / "content/partners/alpha").encode() + b"/notes-\xff.pdf", "wb") as f:
        f.write(b"%PDF")
    result, findings = check(site)
    assert result.exit_code == 1
    problem = only(findings, "file-name")
    assert problem["path"] == "content/partners/alpha/notes-\ufffd.pdf"


def test_template_errors_at_render_time_are_findings(make_site: MakeSite) -> None:
    site = make_site({"templates/partials/footer.html": "<footer>{{ no_such_name }}</footer>\n"})
    result, findings = check(site)
    assert result.exit_code == 1
    problem = only(findings, "template")
    assert problem["path"] == "templates/partials/footer.html"
    assert "no_such_name" in problem["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[x](../nobody/)", "leads to /en/partners/nobody/, which the site does not have"),
        ("[x](/en/nowhere/)", "leads to /en/nowhere/, which the site does not have"),
        (
            "[x](https://partners.example.org/en/gone/)",
            "leads to /en/gone/, which the site does not have",
        ),
        ("[x](../alpha/#nowhere)", "has the anchor #nowhere, which /en/partners/alpha/ does not"),
        ("[x](#missing-heading)", "has the anchor #missing-heading"),
    ],
)
def test_broken_internal_links_and_anchors(make_site: MakeSite, body: str, message: str) -> None:
    site = make_site({"content/partners/alpha/en.md": EN_WITH.format(body=body)})
    result, findings = check(site)
    assert result.exit_code == 0
    finding = only(findings, "broken-link")
    assert finding["level"] == "warning"
    assert (finding["path"], finding["line"]) == ("content/partners/alpha/en.md", 5)
    assert message in finding["message"]


def test_good_links_pass_in_every_language(make_site: MakeSite) -> None:
    body = (
        "[about](../../about/) [me](../alpha/#mandato) [home](/es/) [web](https://un.org/) "
        "[mail](mailto:a@b.org) [logo](logo.svg) [self](https://partners.example.org/es/) "
        "[up](%2E%2E/alpha/) [here](./%2e/logo.svg)"
    )
    site = make_site({"content/partners/alpha/es.md": ES_WITH.format(body="## Mandato\n\n" + body)})
    result, findings = check(site)
    assert result.exit_code == 0
    assert "broken-link" not in codes(findings)


@pytest.mark.parametrize("base", ["https://x.org/socios-ñ/", "https://x.org/our%20partners/"])
def test_links_are_checked_under_a_base_path_that_needs_escapes(
    make_site: MakeSite, base: str
) -> None:
    """Pages write the base URL's path %-encoded; a link's path is compared decoded, so
    the site's own pages are inside the site and a missing one is named."""
    site = make_site(
        {
            "site.yaml": MINIMAL_SITE["site.yaml"].replace("https://partners.example.org/", base),
            "content/partners/alpha/es.md": ES_WITH.format(
                body="## Mandato\n\n[about](../../about/) [me](../alpha/#mandato) "
                "[gone](../nobody/)"
            ),
        }
    )
    _result, findings = check(site)
    finding = only(findings, "broken-link")
    assert finding["message"] == (
        "link '../nobody/' leads to /ar/partners/nobody/, which the site does not have; "
        "leads to /es/partners/nobody/, which the site does not have (on the es, ar page)"
    )


def test_a_link_that_resolves_only_in_some_languages(make_site: MakeSite) -> None:
    # beta's Spanish text links to a heading of alpha's Spanish profile. Where beta falls
    # back to Spanish, alpha has its own text: in English the heading is "Mandate".
    site = make_site(
        {
            "content/partners/beta/partner.yaml": "website: https://beta.example.org/\nkind: ngo\n",
            "content/partners/beta/es.md": "---\nname: Beta\nsummary: Otra.\n---\n"
            "Ver [su mandato](../alpha/#mandato).\n",
        }
    )
    _result, findings = check(site)
    finding = only(findings, "broken-link")
    assert (finding["path"], finding["line"], finding["column"]) == (
        "content/partners/beta/es.md",
        5,
        18,
    )
    assert finding["message"] == (
        "link '../alpha/#mandato' has the anchor #mandato, which /en/partners/alpha/ does "
        "not have (on the en page)"
    )


def test_missing_logo_and_alternative_text(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/partners/alpha/partner.yaml": "website: https://alpha.example.org/\n"
            "kind: ngo\n",
            "content/partners/alpha/logo.svg": None,
            "content/partners/alpha/photo.svg": LOGO,
            "content/partners/alpha/en.md": EN_WITH.format(body="Text.\n\n![](photo.svg)"),
        },
    )
    _result, findings = check(site)
    assert only(findings, "no-logo")["path"] == "content/partners/alpha/partner.yaml"
    alt = only(findings, "missing-alt")
    assert (alt["path"], alt["line"], alt["column"]) == ("content/partners/alpha/en.md", 7, 5)


def test_images_over_the_budget(make_site: MakeSite) -> None:
    big = "<svg xmlns='http://www.w3.org/2000/svg'>" + " " * 40_000 + "</svg>\n"
    site = make_site({"content/partners/alpha/logo.svg": big})
    _result, findings = check(site, "--image-budget", "20")
    finding = only(findings, "large-image")
    assert finding["path"] == "content/partners/alpha/logo.svg"
    assert finding["message"] == "image is 39 KB, over the budget of 20 KB"
    assert "large-image" not in codes(check(site)[1])  # the default budget is 300 KB


def test_images_of_static_over_the_budget(make_site: MakeSite) -> None:
    """An image of static/ (a banner a profile links to) weighs on the pages as an item's
    own does: it was never measured."""
    site = make_site({"static/img/banner.png": "x" * 40_000, "static/notes.txt": "y" * 40_000})
    _result, findings = check(site, "--image-budget", "20")
    finding = only(findings, "large-image")
    assert (finding["path"], finding["line"]) == ("static/img/banner.png", None)
    assert finding["message"] == "image is 39 KB, over the budget of 20 KB"


def test_stale_translations(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/partners/alpha/en.md": (
                "---\nname: Alpha Foundation\nsummary: Works for peace.\n"
                "translated_from: {summary: 00000000}\n---\nText.\n"
            )
        }
    )
    _result, findings = check(site)
    finding = only(findings, "stale-translation")
    assert finding["path"] == "content/partners/alpha/en.md"
    assert finding["level"] == "warning"


def test_placeholders_left_from_scaffolding(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/partners/alpha/partner.yaml": "website: https://todo.invalid/\n"
            "logo: logo.svg\nkind: todo\n",
            "content/partners/alpha/en.md": EN_WITH.format(body="TODO: the profile."),
        }
    )
    _result, findings = check(site)
    places = {(f["path"], f["line"], f["column"]) for f in findings if f["code"] == "placeholder"}
    assert places == {
        ("content/partners/alpha/partner.yaml", 1, 18),
        ("content/partners/alpha/partner.yaml", 3, 1),
        ("content/partners/alpha/en.md", 5, 1),
    }


def test_files_nothing_uses(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/partners/alpha/old-logo.png": "not an image",
            "content/news/2024.md": "draft",
        }
    )
    _result, findings = check(site)
    unused = sorted(f["path"] for f in findings if f["code"] == "unused-file")
    assert unused == ["content/news", "content/partners/alpha/old-logo.png"]


def test_editors_leftovers_are_no_unused_files_and_a_link_to_one_is_said_broken(
    make_site: MakeSite,
) -> None:
    """A build leaves an editor's backup or temporary file in content/ out: no page can
    use it, so check does not ask for it to be linked, and a link to one is broken (with
    why: the file is there, by a name never published)."""
    link = "[old text](es.md~) and ![](%23logo.svg%23)"
    site = make_site(
        {
            "content/partners/alpha/en.md": EN_WITH.format(body=link),
            "content/partners/alpha/es.md~": "old",
            "content/partners/alpha/#logo.svg#": "autosave",
            "content/partners/alpha/en.md___jb_old___": "old",
            "content/partners/alpha/4913": "",
            "content/partners/notes~": "",
            "content/#notes.md#": "",
        }
    )
    result, findings = check(site)
    assert result.exit_code == 0
    assert "unused-file" not in codes(findings) and "stray-file" not in codes(findings)
    broken = [f for f in findings if f["code"] == "broken-link"]
    assert sorted((f["path"], f["line"], f["column"]) for f in broken) == [
        ("content/partners/alpha/en.md", 5, 12),
        ("content/partners/alpha/en.md", 5, 28),
    ]
    for finding in broken:
        assert "editor's backup or temporary file" in finding["message"], finding
        assert "rename the file" in finding["hint"]


def test_a_link_to_well_known_resolves_and_other_dot_names_are_said_unpublished(
    make_site: MakeSite,
) -> None:
    """static/.well-known/ is published, so a link to its security.txt is no broken one; a
    dot-named file anywhere else in static/ (an .htaccess the editor expected on the site,
    a .env) is never published, and check says so; a file manager's .DS_Store, git's files
    and an editor's swap file are no news."""
    link = "[security](/.well-known/security.txt)"
    site = make_site(
        {
            "content/partners/alpha/en.md": EN_WITH.format(body=link),
            "static/.well-known/security.txt": "Contact: mailto:security@example.org\n",
            "static/.well-known/.secret": "x",
            "static/.htaccess": "Deny from all\n",
            "static/data/.env": "SECRET=1\n",
            "static/.DS_Store": "x",
            "static/.gitkeep": "",
            "static/.git/config": "x",
            "static/.about.md.swp": "x",
        }
    )
    result, findings = check(site)
    assert result.exit_code == 0
    assert "broken-link" not in codes(findings), findings
    unpublished = [f for f in findings if f["code"] == "unpublished-file"]
    assert sorted(f["path"] for f in unpublished) == [
        "static/.htaccess",
        "static/.well-known/.secret",
        "static/data/.env",
    ]
    assert all(f["level"] == "warning" and "never published" in f["message"] for f in unpublished)


def test_strict_makes_warnings_errors(make_site: MakeSite) -> None:
    site = make_site({"content/partners/alpha/stray.txt": "x"})
    result, findings = check(site)
    assert result.exit_code == 0 and only(findings, "unused-file")["level"] == "warning"
    result, findings = check(site, "--strict")
    assert result.exit_code == 1 and only(findings, "unused-file")["level"] == "error"


@pytest.mark.parametrize(
    "name",
    [
        "static/es",  # a file where the pages of a language go
        "static/robots.txt/a",  # a file below a generated one
        "content/partners/alpha/index.html/a",  # an item's file below its page
    ],
)
def test_a_file_copied_where_a_generated_one_is_a_folder_or_a_file_is_found(
    make_site: MakeSite, name: str
) -> None:
    """A name that clashes with a generated page by a folder (not only the same name):
    check passed it, and the build failed at a path of its staging folder."""
    result, findings = check(make_site({name: "x\n"}))
    assert result.exit_code == 1
    found = only(findings, "static-collision")
    assert found["path"] == name
    assert found["message"] == f"{name} would replace a file that allysite generates"


@pytest.mark.parametrize("name", ["static/es", "static/robots.txt/a"])
def test_a_build_names_a_copied_file_where_a_generated_one_is_a_folder(
    make_site: MakeSite, name: str
) -> None:
    """Pages and copies are written by several processes at once, so the write fails before
    the copies are checked against the pages: the build named a path of its staging folder
    and asked for free disk space."""
    site = make_site({name: "x\n"})
    result = site.build()
    assert result.exit_code == 1
    assert ".allysite-staging" not in result.stderr and "disk space" not in result.stderr
    where, _, message = result.stderr.splitlines()[0].partition(": error: ")
    # (the file, or its folder where the generated file was written first)
    assert where in (name, name.rpartition("/")[0]) and where != "static"
    assert message.startswith("cannot write ")
    assert "has the name of a folder the site generates" in message


@pytest.mark.parametrize(
    "name", ["content/partners/alpha/index.html", "content/pages/about/index.html"]
)
def test_a_build_refuses_an_item_file_where_its_page_goes(make_site: MakeSite, name: str) -> None:
    """A build plans its copies before its pages, so an item's own file named like its page
    went unsaid, one of the two lost (check named it)."""
    site = make_site()
    assert site.build().exit_code == 0
    before = site.output_files()
    site.write({name: "<p>mine</p>\n"})
    result = site.build()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{name}: error: {name} would replace a file that allysite generates"
    )
    assert site.output_files() == before


@pytest.mark.parametrize(
    "address",
    [
        "https://Partners.Example.ORG/en/gone/",  # a host's case is no part of it
        "https://partners.example.org:443/en/gone/",  # nor the scheme's default port
    ],
)
def test_links_to_the_site_written_another_way_are_checked(
    make_site: MakeSite, address: str
) -> None:
    """A browser takes these for the site's own address: check took them for another site."""
    site = make_site({"content/partners/alpha/en.md": EN_WITH.format(body=f"[x]({address})")})
    finding = only(check(site)[1], "broken-link")
    assert "leads to /en/gone/, which the site does not have" in finding["message"]


def test_a_link_to_an_international_host_written_in_its_own_script_is_checked(
    make_site: MakeSite,
) -> None:
    """Markdown %-encodes a host's letters (socios-%C3%B1); base_url is its punycode."""
    site = make_site(
        {
            "site.yaml": MINIMAL_SITE["site.yaml"].replace(
                "https://partners.example.org/", "https://socios-ñ.example/"
            ),
            "content/partners/alpha/en.md": EN_WITH.format(
                body="[x](https://socios-ñ.example/en/gone/) [y](https://socios-ñ.example/en/)"
            ),
        }
    )
    finding = only(check(site)[1], "broken-link")
    assert finding["message"].startswith("link 'https://socios-%C3%B1.example/en/gone/' leads to")


def test_images_of_a_srcset_are_checked(make_site: MakeSite) -> None:
    body = (
        '<picture><source srcset="gone.webp 1x, logo.svg 2x">'
        '<img src="logo.svg" alt="Logo" srcset="logo.svg 1x, gone-2x.png 2x"></picture>'
    )
    site = make_site({"content/partners/alpha/en.md": EN_WITH.format(body=body)})
    found = sorted(f["message"] for f in check(site)[1] if f["code"] == "broken-link")
    assert found == [
        "link 'gone-2x.png' leads to /en/partners/alpha/gone-2x.png, which the site does not "
        "have (on the en page)",
        "link 'gone.webp' leads to /en/partners/alpha/gone.webp, which the site does not have "
        "(on the en page)",
    ]


def test_anchors_are_the_ids_a_browser_finds(make_site: MakeSite) -> None:
    """An id is an attribute of an element, not text that reads `id=`; `#top` is the top of
    any page (HTML's rule for fragments), though no element has that id."""
    body = "## Mandate\n\nWrite id=zzz in the form. [a](#zzz) [b](#top) [c](#Top) [d](#mandate)"
    site = make_site({"content/partners/alpha/en.md": EN_WITH.format(body=body)})
    finding = only(check(site)[1], "broken-link")
    assert finding["message"].startswith("link '#zzz' has the anchor #zzz, which")
    assert "#" in (finding["hint"] or "") and "heading" in (finding["hint"] or "")


def test_each_place_of_a_broken_link_is_named(make_site: MakeSite) -> None:
    body = "See [a](../nobody/).\n\nThe [nobody](../nobody/) page.\n\n[ok](../alpha/)"
    site = make_site({"content/partners/alpha/en.md": EN_WITH.format(body=body)})
    found = [(f["line"], f["column"]) for f in check(site)[1] if f["code"] == "broken-link"]
    assert found == [(5, 9), (7, 14)]


def test_a_file_that_another_page_links_to_is_used(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/partners/alpha/report.pdf": "%PDF",
            "content/partners/alpha/notes.pdf": "%PDF",
            "content/partners/beta/partner.yaml": "website: https://beta.example.org/\nkind: ngo\n",
            "content/partners/beta/es.md": "---\nname: Beta\nsummary: Otra.\n---\n"
            "El [informe de Alfa](../alpha/report.pdf).\n",
            "content/pages/about/es.md": "---\nname: Acerca de\n---\n"
            "[Notas](/es/partners/alpha/notes.pdf)\n",
        }
    )
    _result, findings = check(site)
    assert "unused-file" not in codes(findings), findings
    assert "broken-link" not in codes(findings), findings


def test_a_decorative_image_in_raw_html_needs_no_text(make_site: MakeSite) -> None:
    """`alt=""` written in HTML marks an image as decorative (as Markdown linters read it);
    Markdown's `![](…)` and an <img> without alt are still reported, each with its fix."""
    site = make_site(
        {
            "content/partners/alpha/photo.svg": LOGO,
            "content/partners/alpha/deco.svg": LOGO,
            "content/partners/alpha/en.md": EN_WITH.format(
                body='<img src="deco.svg" alt="">\n\n![](photo.svg)\n\n<img src="logo.svg">'
            ),
        }
    )
    found = {f["message"]: f["hint"] for f in check(site)[1] if f["code"] == "missing-alt"}
    assert set(found) == {
        "image 'photo.svg' has no alternative text",
        "image 'logo.svg' has no alternative text",
    }
    assert "![" in found["image 'photo.svg' has no alternative text"]
    assert 'alt="' in found["image 'logo.svg' has no alternative text"]
