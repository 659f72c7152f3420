"""Theme assets: minified, and named by a hash of what they hold."""

from __future__ import annotations

from pathlib import Path

from allysite.assets import build_assets, fingerprinted


def test_css_and_js_are_minified_and_fingerprinted(tmp_path: Path) -> None:
    (tmp_path / "style.css").write_text("a {\n  color : red ;\n}\n/* note */\n")
    (tmp_path / "site.js").write_text("// note\nvar  answer = 42 ;\n")
    assets = build_assets(tmp_path, "https://example.org/allies/")
    data = {asset.name: asset.data for asset in assets.files}
    assert data == {"site.js": b"var answer=42;", "style.css": b"a{color:red}"}
    expected = "/allies/assets/" + fingerprinted("style.css", b"a{color:red}")
    assert assets.hrefs["style.css"] == expected


def test_fingerprint_changes_with_the_content() -> None:
    one, two = fingerprinted("style.css", b"a"), fingerprinted("style.css", b"b")
    assert one != two and one.startswith("style.") and one.endswith(".css")
    assert fingerprinted("style.css", b"a") == one
