"""Reading a text file as the site's sources must be: UTF-8, no invisible characters; and a
Markdown file's front matter told from its body, without parsing either.

Kept apart from sourcefile.py (which parses YAML) so that a rebuild after an edited body
(bodyedit.py) reads the file exactly as a build does, without loading PyYAML.
"""

from __future__ import annotations

import codecs
import stat
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from allysite.errors import Diagnostic, SourcePos, error
from allysite.fingerprints import digest
from allysite.inputindex import NOT_A_FILE, read_regular
from allysite.textrules import first_forbidden, kind_of, may_hold_forbidden

_MAX_BYTES = 5 * 1024 * 1024


def read_text(path: str | Path, rel: str) -> tuple[str | None, list[Diagnostic]]:
    """UTF-8 text (a BOM is dropped), newlines as LF, normalised to NFC."""
    text, _charset, problems = read_declared_text(path, rel)
    return text, problems


def read_declared_text(
    path: str | Path, rel: str, declared: Callable[[bytes], str | None] | None = None
) -> tuple[str | None, str, list[Diagnostic]]:
    """read_text, and the character set it was read in: a file that is not UTF-8 is read
    in the one its own words name (`declared`: a catalog's Content-Type header, as GNU
    gettext and Babel read it), if it is one that Python knows and writes ASCII as ASCII."""
    found = _decoded(path, rel, declared)
    if isinstance(found, Diagnostic):
        return None, "utf-8", [found]
    text, charset = found
    return text, charset, []


def _decoded(
    path: str | Path, rel: str, declared: Callable[[bytes], str | None] | None
) -> tuple[str, str] | Diagnostic:
    """The file's text and its charset (read_declared_text), or why it cannot be read."""
    charset = "utf-8"
    try:
        status, raw = read_regular(path, _MAX_BYTES)
    except OSError as exc:
        return error("unreadable", f"cannot read file: {exc.strerror}", SourcePos(rel))
    if raw is None:
        if not stat.S_ISREG(status.st_mode):
            why = "it is a folder" if stat.S_ISDIR(status.st_mode) else NOT_A_FILE
            hint = "replace it with a text file"
            return error("unreadable", f"cannot read file: {why}", SourcePos(rel), hint)
        message = f"file is larger than {_MAX_BYTES // 1024 // 1024} MB"
        hint = "split it or move large data out of content/"
        return error("file-too-large", message, SourcePos(rel), hint)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return error(
            "encoding",
            "file is UTF-16; allysite reads UTF-8 only",
            SourcePos(rel, 1),
            "save the file as UTF-8 in your editor",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        named = declared(raw) if declared is not None else None
        known = _known_charset(named)
        failed: UnicodeDecodeError | None = exc
        if known is not None and known != "utf-8":
            charset = known
            try:
                text, failed = raw.decode(charset), None
            except UnicodeDecodeError as other:
                failed = other
        if failed is not None:
            line, column = _line_and_column(raw[: failed.start])
            what = "UTF-8" if charset == "utf-8" else named
            unknown = f", nor in charset={named}, which it names" if named and not known else ""
            return error(
                "encoding",
                f"file is not valid {what} (byte 0x{raw[failed.start]:02x} cannot be "
                f"decoded){unknown}",
                SourcePos(rel, line, column),
                "save the file as UTF-8 in your editor",
            )
    if "\x00" in text:
        line, _ = _line_and_column(text[: text.index("\x00")].encode("utf-8"))
        return error(
            "encoding",
            "file contains a NUL character",
            SourcePos(rel, line),
            "remove it; the file may not be text at all",
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    index = first_forbidden(text) if charset != "utf-8" or may_hold_forbidden(raw) else None
    if index is not None:
        line = text.count("\n", 0, index) + 1
        column = index - text.rfind("\n", 0, index)
        return error(
            "encoding",
            f"file contains {kind_of(text[index])}, which is invisible",
            SourcePos(rel, line, column),
            "delete it (it often comes with text pasted from another program): "
            "no web page or feed may carry it",
        )
    return unicodedata.normalize("NFC", text), charset


def _known_charset(name: str | None) -> str | None:
    """Python's name of a character set, if it knows it and it writes ASCII as ASCII (the
    file's own words named it in ASCII: UTF-16 cannot be what they are written in)."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return None
    probe = "msgid Content-Type charset 09 AZ az"
    try:
        if codec.encode(probe)[0] != probe.encode("ascii"):
            return None
    except UnicodeError:
        return None
    return codec.name


def _line_and_column(before: bytes) -> tuple[int, int]:
    """The position just after `before`, counting CRLF, LF and lone CR as line ends."""
    lines = before.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    last_break = max(before.rfind(b"\n"), before.rfind(b"\r"))
    return lines.count(b"\n") + 1, len(before) - last_break


@dataclass(frozen=True, slots=True)
class MarkdownParts:
    front: str
    """The front matter's lines, between the two '---' lines (for the YAML parser)."""
    body: str
    body_line: int
    """The file's line the body starts on."""
    digest: bytes
    """A hash of the front matter: two files with the same one have the same front matter,
    read the same way, and their bodies start on the same line."""


def split_front_matter(text: str, rel: str) -> MarkdownParts | Diagnostic:
    """A Markdown file's text split at its front matter's '---' lines (or the error)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return error(
            "front-matter",
            "missing front matter: the file must start with a line '---'",
            SourcePos(rel, 1),
            "start the file with '---', the fields (name, summary...), then '---'",
        )
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return error(
            "front-matter",
            "front matter is not closed by a line '---'",
            SourcePos(rel, 1),
            "add a line '---' after the last field",
        )
    front = "\n".join(lines[1:end])  # (which tells the line the body starts on, too)
    return MarkdownParts(front, "\n".join(lines[end + 1 :]), end + 2, digest(front.encode()))


def front_rest(data: Mapping[str, object]) -> bytes:
    """A hash of a front matter's fields but the summary (as sourcefile.parse_yaml reads
    them: plain values): an edit that keeps it changes the summary alone (bodyedit.py)."""
    fields = [(key, value) for key, value in data.items() if key != "summary"]
    return digest(repr(fields).encode("utf-8", "surrogatepass"))
