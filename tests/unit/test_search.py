"""Pagefind's bundle as published: the same bytes for the same pages."""

from __future__ import annotations

import json
from pathlib import Path

from allysite import search


def test_entry_file_lists_languages_in_order_of_their_codes(tmp_path: Path) -> None:
    written = (
        '{"version":"1.5.2","languages":{"fr":{"hash":"fr_1","page_count":7},'
        '"ar":{"hash":"ar_2","page_count":5},"es":{"hash":"es_3","page_count":8}},'
        '"include_characters":["_","‿"]}'
    )
    entry = tmp_path / search.ENTRY_FILE
    entry.write_text(written, encoding="utf-8")
    stable = search._stable(entry)
    assert list(json.loads(stable)["languages"]) == ["ar", "es", "fr"]
    assert json.loads(stable) == json.loads(written)  # nothing else changed
    shuffled = tmp_path / "other" / search.ENTRY_FILE
    shuffled.parent.mkdir()
    shuffled.write_text(
        '{"version":"1.5.2","languages":{"es":{"hash":"es_3","page_count":8},'
        '"fr":{"hash":"fr_1","page_count":7},"ar":{"hash":"ar_2","page_count":5}},'
        '"include_characters":["_","‿"]}',
        encoding="utf-8",
    )
    assert search._stable(shuffled) == stable
    assert stable.decode().startswith('{"version":"1.5.2","languages":{"ar":')
    assert "‿" in stable.decode()  # written as UTF-8, as Pagefind writes it


def test_other_files_and_unknown_shapes_are_kept_as_they_are(tmp_path: Path) -> None:
    other = tmp_path / "pagefind.js"
    other.write_bytes(b'{"languages":{"fr":1,"ar":2}}')
    assert search._stable(other) == other.read_bytes()
    odd = tmp_path / search.ENTRY_FILE
    odd.write_bytes(b'{"languages":["fr","ar"]}')
    assert search._stable(odd) == odd.read_bytes()
