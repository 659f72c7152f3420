"""The files a build copies as they are: the theme's static files, logos (resized or
cleaned), an item's own files in every language's folder, and the site's static/ folder,
which may not take the place of a generated file.

A partner's logo is copied once, into the default language's folder, which the pages of
every language show it from (as Hugo publishes a bundle's shared resources): the browser
fetches one file for all languages, and a 1,000-partner site in six languages writes 5,000
files fewer. A profile may still link to the logo by its file name; then, as any other file
of the folder, it is copied into every language's folder, where such a link finds it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from allysite import urls
from allysite.config import SiteConfig
from allysite.errors import Diagnostic, SourcePos, error
from allysite.images import Logos
from allysite.model import Content


@dataclass(frozen=True, slots=True)
class FileCopy:
    out_path: str
    source: Path


def plan_copies(
    config: SiteConfig,
    content: Content,
    theme_static: Path,
    generated: set[str],
    copy_theme_static: bool = True,
    logos: Logos | None = None,
) -> tuple[list[FileCopy], list[Diagnostic]]:
    copies: dict[str, FileCopy] = {}
    if copy_theme_static:
        for path in sorted(theme_static.rglob("*")):
            if path.is_file():
                name = path.relative_to(theme_static).as_posix()
                out = urls.output_path(urls.theme_asset(name))
                copies[out] = FileCopy(out, path)
    if logos is not None:
        for derived in logos.files:
            copies[derived.out_path] = FileCopy(derived.out_path, derived.source)
    cleaned = logos.cleaned if logos is not None else {}
    made = Made(generated)
    problems: list[Diagnostic] = []
    for shown, source, outs in _item_files(config, content, cleaned):
        if any(made.clashes(out) for out in outs):
            problems.append(_collision(shown))
            continue
        for out in outs:
            copies[out] = FileCopy(out, source)
    problems += static_collisions(content, {*generated, *copies})
    for name in content.static_files:
        if name not in generated and name not in copies:
            copies[name] = FileCopy(name, config.root / "static" / name)
    return [copies[key] for key in sorted(copies)], problems


def _item_files(
    config: SiteConfig, content: Content, cleaned: Mapping[str, Path]
) -> Iterator[tuple[str, Path, list[str]]]:
    """Each file of an item's own: its name as shown, its source, and where it is copied
    (item by item, so that each source path is made once for all languages)."""
    for partner in content.partners:
        folder = config.root / partner.folder
        for asset in partner.assets:
            source = folder / asset
            languages = config.languages
            if asset == partner.facts.logo:
                source = cleaned.get(partner.slug, source)  # (an SVG without what may not run)
                if not partner.logo_linked:
                    languages = (config.default_language,)
            outs = [
                urls.output_path(urls.partner(lang.code, partner.slug) + asset)
                for lang in languages
            ]
            yield f"{partner.folder}/{asset}", source, outs
    for page in content.pages:
        folder = config.root / page.folder
        for asset in page.assets:
            outs = [
                urls.output_path(urls.page(lang.code, page.slug) + asset)
                for lang in config.languages
            ]
            yield f"{page.folder}/{asset}", folder / asset, outs


def copy_collisions(config: SiteConfig, content: Content, made: Iterable[str]) -> list[Diagnostic]:
    """The files of static/ and the items' own files that would take the place of a page
    made (or of its folder), checked once every page is made: a build plans its copies
    before its pages, and an item's `index.html`, where its page goes, went unsaid."""
    generated = Made(made)
    items = [
        _collision(shown)
        for shown, _source, outs in _item_files(config, content, {})
        if any(generated.clashes(out) for out in outs)
    ]
    return [*_static_collisions(content, generated), *items]


def static_collisions(content: Content, made: Iterable[str]) -> list[Diagnostic]:
    return _static_collisions(content, Made(made))


def _static_collisions(content: Content, generated: Made) -> list[Diagnostic]:
    """A file of static/ where allysite makes one (a page, a feed, a logo), where it makes
    a folder (a file `static/es`), or below a file it makes (`static/robots.txt/a`) is an
    error: the last two failed at a path of the staging folder ("Not a directory")."""
    return [
        _collision(f"static/{name}") for name in content.static_files if generated.clashes(name)
    ]


def _collision(source: str) -> Diagnostic:
    return error(
        "static-collision",
        f"{source} would replace a file that allysite generates",
        SourcePos(source),
        "rename or move it; to change a generated page, override its template",
    )


class Made:
    """The output paths allysite makes, and the folders they are in."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.files = set(paths)
        self.folders = {
            path[:index] for path in self.files for index, char in enumerate(path) if char == "/"
        }

    def clashes(self, path: str) -> bool:
        """Whether a file copied to `path` would take the place of a file or folder made,
        or need one of the files made to be a folder."""
        if path in self.files or path in self.folders:
            return True
        return any(path[:index] in self.files for index, char in enumerate(path) if char == "/")
