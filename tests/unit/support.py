"""Small helpers shared by the unit tests: writing a site into a temporary folder."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from allysite.config import SiteConfig, load_config
from allysite.loader import load_content
from allysite.model import Content

if TYPE_CHECKING:
    from jinja2 import Environment

    from allysite.errors import Diagnostic
    from allysite.render import OutputFile, TemplateDirs
    from allysite.routes import SitePlan

SITE_YAML = (
    "title:\n  es: Nuestros aliados\n  en: Our partners\n"
    "base_url: https://partners.example.org/\n"
    "default_language: es\n"
    "languages: [es, en, ar, pt-BR]\n"
)

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>\n'

SMALL_SITE: Mapping[str, str] = {
    "site.yaml": SITE_YAML,
    "taxonomies.yaml": (
        "kinds:\n  ngo: {es: ONG, en: NGO}\ntopics:\n  peace: {es: Paz, en: Peace}\n"
    ),
    # alpha: translated into es and en; ar and pt-BR fall back to es.
    "content/partners/alpha/partner.yaml": (
        "website: https://alpha.example.org/\n"
        "logo: logo.svg\n"
        "partner_since: 2015-04\n"
        "kind: ngo\n"
        "regions: [europe]\n"
        "topics: [peace]\n"
    ),
    "content/partners/alpha/logo.svg": LOGO,
    "content/partners/alpha/es.md": "---\nname: Zeta Alfa\nsummary: Paz.\n---\nTexto.\n",
    "content/partners/alpha/en.md": "---\nname: Alpha\nsummary: Peace.\n---\nText.\n",
    # beta: es only.
    "content/partners/beta/partner.yaml": "website: https://beta.example.org/\nkind: ngo\n",
    "content/partners/beta/es.md": "---\nname: Árbol Beta\nsummary: Bosques.\n---\n",
    # about: es only.
    "content/pages/about/es.md": "---\nname: Acerca de\n---\nUn directorio.\n",
    "static/favicon.ico": "icon",
}


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write path -> text (or bytes) under root, creating folders; returns root."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
    return root


def load_site(root: Path) -> tuple[SiteConfig, Content]:
    """The config and content of a site that must load without any problem."""
    config, problems = load_config(root)
    assert config is not None, problems
    assert problems == []
    content, problems = load_content(config)
    assert problems == [], problems
    return config, content


def render_site(
    root: Path,
) -> tuple[list[OutputFile], list[Diagnostic], SitePlan, Mapping[str, Environment], TemplateDirs]:
    """Every route of a site (that loads, with catalogs that load, without any problem)
    rendered with the packaged theme: the pages, the rendering's problems, and what made them."""
    from allysite.build import THEME
    from allysite.i18n import load_catalogs
    from allysite.plan import make_plan
    from allysite.render import (
        MemoryBytecodeCache,
        TemplateDirs,
        language_environments,
        render_routes,
    )

    config, content = load_site(root)
    catalogs, problems = load_catalogs(config, THEME / "locales")
    assert problems == []
    dirs = TemplateDirs(config.root / "templates", THEME / "templates")
    plan, _ = make_plan(config, content, THEME / "static")
    envs = language_environments(dirs, catalogs, MemoryBytecodeCache())
    outputs, problems = render_routes(plan.routes, envs, dirs)
    return outputs, problems, plan, envs, dirs
