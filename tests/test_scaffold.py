"""allysite new: the scaffolds build at once, and check flags their placeholders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from click.testing import CliRunner, Result

from allysite.cli import cli
from allysite.config import load_config
from conftest import MakeSite


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def placeholder_paths(site: Path) -> set[str]:
    result = run("check", "--site", str(site), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    return {f["path"] for f in findings if f["code"] == "placeholder"}


def test_new_site_builds_at_once(tmp_path: Path) -> None:
    site = tmp_path / "starter"
    result = run("new", "site", str(site), "--langs", "es,en")
    assert result.exit_code == 0, result.output
    assert "created content/partners/example-partner/partner.yaml" in result.stdout
    config, problems = load_config(site)
    assert config is not None and problems == []
    assert config.language_codes == ("es", "en") and config.default_language.code == "es"
    built = run("build", "--site", str(site), "--out", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output
    assert (tmp_path / "out" / "en" / "partners" / "example-partner" / "index.html").is_file()
    # everything the editor must replace is flagged, and --strict fails until it is
    assert placeholder_paths(site) == {
        "site.yaml",
        "content/partners/example-partner/partner.yaml",
        "content/partners/example-partner/es.md",
        "content/partners/example-partner/en.md",
        "content/pages/about/es.md",
        "content/pages/about/en.md",
    }
    assert run("check", "--site", str(site), "--strict").exit_code == 1


def test_new_site_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    result = run("new", "site", str(tmp_path))
    assert result.exit_code == 1
    assert "exists and is not empty" in result.stderr
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_new_partner_builds_and_is_flagged_until_filled(make_site: MakeSite) -> None:
    site = make_site()
    result = run("new", "partner", "un-women", "--site", str(site.root), "--langs", "es,en")
    assert result.exit_code == 0, result.output
    folder = site.root / "content/partners/un-women"
    assert sorted(p.name for p in folder.iterdir()) == ["en.md", "es.md", "partner.yaml"]
    assert site.build().exit_code == 0
    assert "TODO" in site.html("/es/partners/un-women/").find("h1").get_text()
    assert placeholder_paths(site.root) == {
        "content/partners/un-women/partner.yaml",
        "content/partners/un-women/es.md",
        "content/partners/un-women/en.md",
    }
    # once filled in, nothing is flagged
    site.write(
        {
            "content/partners/un-women/partner.yaml": "website: https://www.unwomen.org/\n"
            "kind: un-office\n",
            "content/partners/un-women/es.md": "---\nname: ONU Mujeres\nsummary: Igualdad.\n"
            "---\nTexto.\n",
            "content/partners/un-women/en.md": "---\nname: UN Women\nsummary: Equality.\n"
            "---\nText.\n",
        }
    )
    assert placeholder_paths(site.root) == set()


def test_new_partner_defaults_to_the_default_language(make_site: MakeSite) -> None:
    site = make_site()
    assert run("new", "partner", "beta", "--site", str(site.root)).exit_code == 0
    assert sorted(p.name for p in (site.root / "content/partners/beta").iterdir()) == [
        "es.md",
        "partner.yaml",
    ]


def test_new_partner_refusals(make_site: MakeSite) -> None:
    site = make_site()
    bad_slug = run("new", "partner", "UN Women", "--site", str(site.root))
    assert bad_slug.exit_code == 1 and "is not a valid slug" in bad_slug.stderr
    exists = run("new", "partner", "alpha", "--site", str(site.root))
    assert exists.exit_code == 1 and "content/partners/alpha/ exists already" in exists.stderr
    language = run("new", "partner", "beta", "--site", str(site.root), "--langs", "fr")
    assert language.exit_code == 1
    assert "not among the site's languages (es, en, ar)" in language.stderr
    assert "allysite new language" in language.stderr
    unknown = run("new", "partner", "beta", "--site", str(site.root), "--langs", "xx-nope")
    assert unknown.exit_code == 2 and "not a language code known to CLDR" in unknown.output
    assert not (site.root / "content/partners/beta").exists()


def test_new_language_flow_list(make_site: MakeSite) -> None:
    site = make_site()
    result = run("new", "language", "fr", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    text = (site.root / "site.yaml").read_text()
    assert "languages: [es, en, ar, fr]\n" in text
    catalog = site.root / "locales/fr/LC_MESSAGES/messages.po"
    assert catalog.is_file()
    assert 'Language: fr\\n"' in catalog.read_text()
    assert subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(catalog)]).returncode == 0
    assert site.build().exit_code == 0
    assert site.html("/fr/").find("html")["lang"] == "fr"


def test_new_language_block_list_keeps_comments(make_site: MakeSite) -> None:
    site = make_site(
        {
            "site.yaml": "# our settings\ntitle: Partners\nbase_url: https://p.example.org/\n"
            "default_language: es\nlanguages:   # in menu order\n  - es\n  - en\n"
            "# end\n",
        }
    )
    assert run("new", "language", "pt-BR", "--site", str(site.root)).exit_code == 0
    assert (site.root / "site.yaml").read_text() == (
        "# our settings\ntitle: Partners\nbase_url: https://p.example.org/\n"
        "default_language: es\nlanguages:   # in menu order\n  - es\n  - en\n  - pt-BR\n"
        "# end\n"
    )
    config, _ = load_config(site.root)
    assert config is not None and config.language_codes == ("es", "en", "pt-BR")


def test_new_language_refusals(make_site: MakeSite) -> None:
    site = make_site()
    before = (site.root / "site.yaml").read_text()
    again = run("new", "language", "EN", "--site", str(site.root))
    assert again.exit_code == 1 and "is a site language already" in again.stderr
    unknown = run("new", "language", "qq-zz-nope", "--site", str(site.root))
    assert unknown.exit_code == 1 and "not a language code known to CLDR" in unknown.stderr
    assert (site.root / "site.yaml").read_text() == before


def test_new_language_of_a_site_language_hints_at_what_works(make_site: MakeSite) -> None:
    """The hint named `new partner SLUG --langs en`, which refuses an existing partner and
    a --langs without the default language: the way to translate is a file, en.md."""
    site = make_site()
    again = run("new", "language", "en", "--site", str(site.root))
    assert again.exit_code == 1
    lines = again.stderr.splitlines()
    assert lines[0] == "site.yaml: error: 'en' is a site language already"
    assert lines[1] == "  hint: to translate a partner or page, add en.md to its folder in content/"
    followed = run("new", "partner", "alpha", "--langs", "en", "--site", str(site.root))
    assert followed.exit_code == 1  # what the old hint said to do


def test_a_code_not_in_the_usual_case_is_refused_with_its_spelling(tmp_path: Path) -> None:
    """`new language FR` wrote FR into site.yaml: the site's addresses became /FR/."""
    site = tmp_path / "s"
    refused = run("new", "site", str(site), "--langs", "es,EN")
    assert refused.exit_code != 0 and "write EN as en" in refused.output + refused.stderr
    assert not site.exists()
    assert run("new", "site", str(site), "--langs", "es,en").exit_code == 0
    before = (site / "site.yaml").read_text()
    for command in (("new", "language"), ("i18n", "init")):
        for code, good in (("FR", "fr"), ("pt-br", "pt-BR"), ("SR-latn-rs", "sr-Latn-RS")):
            result = run(*command, code, "--site", str(site))
            assert result.exit_code == 1, result.stderr
            lines = result.stderr.splitlines()
            assert lines[0] == f"error: '{code}' is not in BCP 47's usual case"
            assert lines[1].startswith(f"  hint: write {code} as {good} ")
    assert (site / "site.yaml").read_text() == before
    assert not list(site.glob("locales/*/LC_MESSAGES"))
    assert run("new", "language", "pt-BR", "--site", str(site)).exit_code == 0
    assert "pt-BR" in (site / "site.yaml").read_text()


def test_i18n_init_checks_the_code_as_new_language_does(tmp_path: Path) -> None:
    """A code the build refuses ('pt_BR'), or a site language in other letters ('EN'),
    made a catalog no build reads; init now refuses it as `new language` does."""
    site = tmp_path / "s"
    assert run("new", "site", str(site)).exit_code == 0
    assert run("i18n", "extract", "--site", str(site)).exit_code == 0
    for code, message, hint in [
        (
            "pt_BR",
            "error: 'pt_BR' is not a language code known to CLDR",
            "  hint: write pt_BR as pt-BR",
        ),
        (
            "EN",
            "site.yaml: error: 'EN' is a site language already",
            "  hint: site.yaml writes it 'en'",
        ),
    ]:
        init = run("i18n", "init", code, "--site", str(site))
        new = run("new", "language", code, "--site", str(site))
        assert init.exit_code == new.exit_code == 1
        assert init.stderr.splitlines()[:2] == new.stderr.splitlines()[:2] == [message, hint]
        assert "Nothing was written." in init.stderr
    assert not (site / "locales" / "pt_BR").exists()
    assert not (site / "locales" / "EN").exists()
    assert run("i18n", "init", "pt-BR", "--site", str(site)).exit_code == 0  # the right way
    assert run("i18n", "init", "en", "--site", str(site)).exit_code == 0  # a site language


def test_a_new_language_that_cannot_be_written_leaves_site_yaml_as_it_was(tmp_path: Path) -> None:
    """site.yaml was written first: the catalog then failed (an internal error), and the
    language, named in site.yaml already, could never be started again."""
    site = tmp_path / "s"
    assert run("new", "site", str(site), "--langs", "en,es").exit_code == 0
    before = (site / "site.yaml").read_bytes()
    (site / "locales").write_text("in the way\n")
    result = run("new", "language", "fr", "--site", str(site))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "locales: error: cannot write locales: File exists"
    assert (site / "site.yaml").read_bytes() == before
    (site / "locales").unlink()
    assert run("new", "language", "fr", "--site", str(site)).exit_code == 0


def test_an_error_of_the_system_about_a_path_is_the_paths_not_an_internal_error(
    tmp_path: Path,
) -> None:
    """A file in the way of a folder, or a name too long: the editor can act on them."""
    (tmp_path / "f").write_text("a file\n")
    command = [sys.executable, "-m", "allysite", "new", "site", "f/sub"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "f/sub: error: Not a directory",
        "  hint: a file is in the way where a folder is needed: move or rename it",
    ]
    long = "c" * 300
    command = [sys.executable, "-m", "allysite", "check", "--site", long]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1 and "internal error" not in result.stderr
    assert result.stderr.startswith(f"{long}/site.yaml: error: File name too long")


def test_a_build_of_a_folder_without_site_yaml_makes_nothing(tmp_path: Path) -> None:
    """The output's lock, beside it, made the mistyped folder (and left a file in it)."""
    missing = tmp_path / "typo-folder"
    result = run("build", "--site", str(missing))
    assert result.exit_code == 1
    assert result.stderr.startswith("site.yaml: error: no site.yaml in ")
    assert not missing.exists()


def test_new_partner_without_the_default_language_is_refused(make_site: MakeSite) -> None:
    """`--langs en` on a site whose default is es wrote a partner without es.md: the build
    then failed on it ('has no es.md, the default language's text')."""
    site = make_site()
    config, _ = load_config(site.root)
    assert config is not None
    default = config.default_language.code
    other = next(code for code in config.language_codes if code != default)
    result = run("new", "partner", "beta", "--site", str(site.root), "--langs", other)
    assert result.exit_code == 1, result.output
    assert f"a partner needs {default}.md" in result.stderr
    assert f"--langs {default},{other}" in result.stderr
    assert not (site.root / "content/partners/beta").exists()
    assert site.build().exit_code == 0
    # as the hint says, it works
    fixed = run("new", "partner", "beta", "--site", str(site.root), "--langs", f"{default},{other}")
    assert fixed.exit_code == 0, fixed.output
    assert site.build().exit_code == 0


def added_text(before: str, after: str) -> str:
    """What was inserted in `before` to give `after` (one run of characters), or raise."""
    start = next(
        (i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), len(before)
    )
    end = len(after) - len(before) + start
    assert after[:start] + after[end:] == before, (before, after)
    return after[start:end]


SETTINGS = "# settings\ntitle: Partners\nbase_url: https://p.example.org/\ndefault_language: es\n"


@pytest.mark.parametrize(
    ("languages", "added"),
    [
        ("languages: [\n  es,  # first\n  en,\n]  # end\n", " fr,"),  # a comma last
        ("languages:\n- es\n- en\n", "- fr\n"),  # a block at the key's indentation
        ("languages:\n  - es  # first\n  # then\n  - en\n# end\n", "  - fr\n"),
        ("languages:\n    -   es\n    -   en", "\n    -   fr"),  # no line end last
    ],
)
def test_new_language_finds_the_list_as_yaml_reads_it(
    make_site: MakeSite, languages: str, added: str
) -> None:
    """The list was found with regular expressions: a comma after the last item of a list
    in brackets gave '[es, en,, fr]' (site.yaml broken, and left so); a block at the key's
    indentation was not found, and one with a comment between its items got the new code
    in the middle."""
    site = make_site({"site.yaml": SETTINGS + languages})
    result = run("new", "language", "fr", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    after = (site.root / "site.yaml").read_text()
    assert added_text(SETTINGS + languages, after) == added
    assert yaml.safe_load(after)["languages"] == ["es", "en", "fr"]
    assert site.build().exit_code == 0
    assert site.html("/fr/").find("html")["lang"] == "fr"


def test_new_language_in_a_site_yaml_that_starts_with_a_bom(make_site: MakeSite) -> None:
    """With a BOM before 'languages:' on the first line the list was not found."""
    text = "languages: [es, en]\n" + SETTINGS
    site = make_site()
    (site.root / "site.yaml").write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = run("new", "language", "fr", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    after = (site.root / "site.yaml").read_bytes()
    assert after.startswith(b"\xef\xbb\xbf")
    assert added_text(text, after[3:].decode()) == ", fr"
    config, problems = load_config(site.root)
    assert config is not None and config.language_codes == ("es", "en", "fr"), problems


@pytest.mark.parametrize(
    "languages", ["languages: [es, en]  # menu order\n", "languages:\n  - es\n  - en\n"]
)
def test_new_language_keeps_crlf_line_ends(make_site: MakeSite, languages: str) -> None:
    """site.yaml was read and written as text: every CRLF of a Windows editor's file became
    LF, a change to each line of it."""
    text = (SETTINGS + languages + "# end\n").replace("\n", "\r\n")
    site = make_site()
    (site.root / "site.yaml").write_bytes(text.encode())
    result = run("new", "language", "fr", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    after = (site.root / "site.yaml").read_bytes().decode()
    assert after.count("\n") == after.count("\r\n")
    assert added_text(text, after) in {", fr", "  - fr\r\n"}
    config, problems = load_config(site.root)
    assert config is not None and config.language_codes == ("es", "en", "fr"), problems


def test_a_new_site_that_cannot_be_written_whole_leaves_nothing(tmp_path: Path) -> None:
    """site.yaml, taxonomies.yaml and .gitignore were written, then content/ failed (a path
    too long here; a disk full alike): the folder was left half made, and running the
    command again was refused, the folder 'exists and is not empty'."""
    limit = os.pathconf(tmp_path, "PC_PATH_MAX")
    remaining = limit - 20 - len(str(tmp_path))  # the folder's path: 20 short of the limit
    names = []
    while remaining > 202:
        names.append("d" * 200)
        remaining -= 201
    folder = tmp_path.joinpath(*names, "e" * (remaining - 1))
    assert len(str(folder / "taxonomies.yaml")) < limit
    assert len(str(folder / "content/partners/example-partner")) >= limit
    command = [sys.executable, "-m", "allysite", "new", "site", str(folder)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert "error: File name too long" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_language_keeps_a_catalog_that_i18n_init_started(tmp_path: Path) -> None:
    """`i18n init fr` says to add fr to site.yaml; `new language fr` did, then failed on the
    catalog ('exists already', 'Not finished.', exit 1) and could not be run again."""
    site = tmp_path / "s"
    assert run("new", "site", str(site), "--langs", "en,es").exit_code == 0
    assert run("i18n", "extract", "--site", str(site)).exit_code == 0
    assert run("i18n", "init", "fr", "--site", str(site)).exit_code == 0
    catalog = site / "locales/fr/LC_MESSAGES/messages.po"
    before = catalog.read_bytes()
    result = run("new", "language", "fr", "--site", str(site))
    assert result.exit_code == 0, result.output
    assert "locales/fr/LC_MESSAGES/messages.po exists already: kept as it is" in result.stderr
    assert catalog.read_bytes() == before
    config, problems = load_config(site)
    assert config is not None and config.language_codes == ("en", "es", "fr"), problems
    out = tmp_path / "out"
    assert run("build", "--site", str(site), "--out", str(out)).exit_code == 0
    page = BeautifulSoup((out / "fr/index.html").read_text(), "lxml")
    assert page.find("html")["lang"] == "fr"


def test_a_second_new_language_gets_every_string_to_translate(tmp_path: Path) -> None:
    """`new language fr` wrote a POT without the theme's strings (the theme translates them
    into en, es and fr); `new language it` then started Italian from that POT: an empty
    catalog, and 46 strings left in English on the Italian pages."""
    site = tmp_path / "s"
    assert run("new", "site", str(site), "--langs", "en,es").exit_code == 0
    assert run("new", "language", "fr", "--site", str(site)).exit_code == 0
    result = run("new", "language", "it", "--site", str(site))
    assert result.exit_code == 0, result.output
    assert "updated locales/messages.pot" in result.stdout
    assert "updated site.yaml" in result.stdout and "created site.yaml" not in result.stdout
    catalog = site / "locales/it/LC_MESSAGES/messages.po"
    with catalog.open("rb") as handle:
        italian = read_po(handle)
    assert "Page not found" in italian and len(italian) > 40
    assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(catalog)]).returncode == 0
    assert run("i18n", "update", "--site", str(site)).exit_code == 0
    with catalog.open("rb") as handle:  # the POT holds them too: update keeps them live
        assert "Page not found" in read_po(handle)


def test_new_language_keeps_what_an_extract_with_the_theme_put_in_the_pot(
    tmp_path: Path,
) -> None:
    site = tmp_path / "s"
    assert run("new", "site", str(site), "--langs", "en,es").exit_code == 0
    assert run("i18n", "extract", "--include-theme", "--site", str(site)).exit_code == 0
    pot = site / "locales/messages.pot"
    with pot.open("rb") as handle:
        before = {message.id for message in read_po(handle)}
    assert run("new", "language", "fr", "--site", str(site)).exit_code == 0
    with pot.open("rb") as handle:
        assert {message.id for message in read_po(handle)} == before


def test_an_empty_language_code_is_told_as_such(tmp_path: Path) -> None:
    """`new language ""` answered 'give each language once', with a hint about --langs,
    an option it does not have."""
    site = tmp_path / "s"
    assert run("new", "site", str(site)).exit_code == 0
    before = (site / "site.yaml").read_bytes()
    for command in (("new", "language"), ("i18n", "init")):
        result = run(*command, " ", "--site", str(site))
        assert result.exit_code == 1
        assert result.stderr.splitlines()[:2] == [
            "error: no language code given",
            "  hint: e.g. fr or pt-BR",
        ]
    empty = run("new", "site", str(tmp_path / "t"), "--langs", ",")
    assert empty.exit_code == 2 and "no language code given" in empty.output
    assert (site / "site.yaml").read_bytes() == before and not (tmp_path / "t").exists()


def test_new_site_on_a_file_says_it_is_a_file(tmp_path: Path) -> None:
    """A file given as the site's folder was refused as a folder 'not empty'."""
    (tmp_path / "notes.txt").write_text("keep me")
    result = run("new", "site", str(tmp_path / "notes.txt"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"error: {tmp_path / 'notes.txt'} exists and is a file"
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_a_bad_langs_option_is_named_in_the_usage_error(tmp_path: Path) -> None:
    """The usage error said 'Invalid value: ...' without naming the option."""
    result = run("new", "site", str(tmp_path / "s"), "--langs", "es,xx")
    assert result.exit_code == 2
    assert "Error: Invalid value for '--langs': 'xx' is not a language code" in result.output
    assert not (tmp_path / "s").exists()


def _with_file_size_limit(limit: int, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """allysite run with writes beyond `limit` bytes refused by the system (EFBIG), as a
    full disk refuses them: the write fails part way, the way no test can fill a disk."""
    import resource

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    command = [sys.executable, "-m", "allysite", *args]
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, preexec_fn=limited, check=False
    )


def test_new_language_on_a_full_disk_leaves_site_yaml_whole(tmp_path: Path) -> None:
    """site.yaml was rewritten in place: a disk full cut it short (the list's ']' lost,
    the site unreadable) and the command ended as an internal error."""
    site = tmp_path / "s"
    assert run("new", "site", str(site), "--langs", "en,es").exit_code == 0
    before = (site / "site.yaml").read_bytes()
    result = _with_file_size_limit(len(before), "new", "language", "fr", cwd=site)
    assert result.returncode == 1, result.stderr
    assert (
        result.stderr.splitlines()[0] == "site.yaml: error: cannot write site.yaml: File too large"
    )
    assert "internal error" not in result.stderr
    assert (site / "site.yaml").read_bytes() == before
    assert sorted(path.name for path in site.iterdir()) == [
        ".gitignore",
        "content",
        "site.yaml",
        "taxonomies.yaml",
    ]


def test_new_site_on_a_full_disk_names_the_file_and_leaves_nothing(tmp_path: Path) -> None:
    """A write refused part way names no file: it was told as a bug of allysite (exit 70)."""
    result = _with_file_size_limit(100, "new", "site", "starter", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[0] == "starter/site.yaml: error: File too large"
    assert "internal error" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_site_stopped_by_ctrl_c_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only an error of the system removed what was made: Ctrl-C left half a site, which
    the command then refused to start again ('exists and is not empty')."""
    from allysite import scaffold

    opened = Path.open
    count = [0]

    def interrupted(self: Path, *args: object, **kwargs: object) -> object:
        count[0] += 1
        if count[0] == 3:
            raise KeyboardInterrupt
        return opened(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", interrupted)
    with pytest.raises(KeyboardInterrupt):
        scaffold.new_site(tmp_path / "starter", ["en", "es"])
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_new_language_leaves_a_read_only_site_yaml_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """site.yaml is replaced by a rename, which a read-only file does not stop: it must be
    refused as a write in place was, and a link to it must stay a link."""
    site = tmp_path / "s"
    assert run("new", "site", str(site), "--langs", "en,es").exit_code == 0
    (site / "real.yaml").write_bytes((site / "site.yaml").read_bytes())
    (site / "site.yaml").unlink()
    (site / "site.yaml").symlink_to("real.yaml")
    before = (site / "real.yaml").read_bytes()
    real_access = os.access
    monkeypatch.setattr(
        "allysite.scaffold.os.access",
        lambda path, mode: mode != os.W_OK and real_access(path, mode),
    )
    result = run("new", "language", "fr", "--site", str(site))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "site.yaml: error: site.yaml is read-only"
    assert (site / "real.yaml").read_bytes() == before
    monkeypatch.undo()
    assert run("new", "language", "fr", "--site", str(site)).exit_code == 0
    assert (site / "site.yaml").is_symlink()
    assert load_config(site)[0].language_codes == ("en", "es", "fr")  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["my partners", "-drafts", "it's"])
def test_the_next_step_after_new_site_can_be_pasted_into_a_shell(tmp_path: Path, name: str) -> None:
    """'Next: cd my partners && allysite serve' failed when pasted: cd got two arguments
    (and '-drafts' was read as an option of cd)."""
    result = subprocess.run(
        [sys.executable, "-m", "allysite", "new", "site", "--", name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    step = result.stdout.splitlines()[-1]
    assert step.startswith("Next: cd ")
    command = step.removeprefix("Next: ").split(" — ")[0].replace("allysite serve", "pwd")
    shown = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert shown.returncode == 0, shown.stderr
    assert Path(shown.stdout.strip()) == tmp_path / name


def test_new_partner_fills_an_empty_folder_of_its_slug(make_site: MakeSite) -> None:
    """An empty folder is no item yet (the build ignores it), but `new partner` refused it
    as existing, with 'edit the files that are there' when there were none."""
    site = make_site()
    (site.root / "content/partners/gamma").mkdir()
    result = run("new", "partner", "gamma", "--site", str(site.root))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (site.root / "content/partners/gamma").iterdir()) == [
        "es.md",
        "partner.yaml",
    ]
    assert site.build().exit_code == 0
    assert site.html("/es/partners/gamma/").find("h1") is not None
    (site.root / "content/partners/delta").mkdir()
    (site.root / "content/partners/delta/notes.txt").write_text("mine\n")
    refused = run("new", "partner", "delta", "--site", str(site.root))
    assert refused.exit_code == 1
    assert "content/partners/delta/ exists already" in refused.stderr
    assert (site.root / "content/partners/delta/notes.txt").read_text() == "mine\n"


def test_new_partner_writes_nothing_through_a_link_out_of_the_site(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """content/partners/ linked to a folder elsewhere: the build refuses it, but `new
    partner` wrote the partner's files there, outside the site."""
    site = make_site()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site.root / "content/pages").mkdir(parents=True, exist_ok=True)
    partners = site.root / "content/partners"
    partners.rename(tmp_path / "moved")
    partners.symlink_to(elsewhere, target_is_directory=True)
    result = run("new", "partner", "gamma", "--site", str(site.root))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "content/partners: error: content/partners/ is a symbolic link that leads outside the site"
    )
    assert list(elsewhere.iterdir()) == []


def test_the_starter_s_placeholder_kind_is_listed_once_not_as_a_term_without_labels(
    tmp_path: Path,
) -> None:
    """`kind: todo` is flagged as a placeholder; a warning that it has no label in any
    language repeated it, as if the editor should translate the placeholder."""
    site = tmp_path / "starter"
    assert run("new", "site", str(site), "--langs", "es,en").exit_code == 0
    result = run("check", "--site", str(site), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    codes = [f["code"] for f in findings]
    assert "missing-label" not in codes, [f for f in findings if f["code"] == "missing-label"]
    assert any("'todo' in kinds is a placeholder" in f["message"] for f in findings)
    # a real term without labels is still reported
    yaml = site / "content" / "partners" / "example-partner" / "partner.yaml"
    yaml.write_text(yaml.read_text().replace("kind: todo", "kind: faith-group"))
    findings = json.loads(run("check", "--site", str(site), "--format", "json").stdout)["findings"]
    assert any(
        f["code"] == "missing-label" and "kinds.faith-group" in f["message"] for f in findings
    )
