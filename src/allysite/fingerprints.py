"""Fingerprints of the values pages are rendered from: what makes a page's key exact.

A page is a function of its template, its catalog and its context; the context is made of
frozen views (dataclasses, tuples, read-only mappings, text). Their fingerprint is a hash of
their content, the same in every process and every build for equal values, and different
for values a template could tell apart (text and Markup, 1 and "1", ("ab",) and ("a", "b")).
A value that is none of these has no fingerprint: its page is rendered every time.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from types import MappingProxyType
from typing import Any

try:  # hashlib's own blake2b, without hashlib, which loads OpenSSL (2 ms of every start)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python without it: the same, through hashlib
    from hashlib import blake2b


def digest(data: bytes) -> bytes:
    return blake2b(data, digest_size=16).digest()


class Unfingerprintable(TypeError):
    """A value of a type that has no stable fingerprint: its page is always rendered."""


class Fingerprints:
    """Stable hashes of view values (frozen dataclasses, tuples, mappings, text), each object
    hashed once per build: shared views (a partner's card on fifty pages) cost once.

    A type may say how it is hashed, with a method `fingerprint_text()`: a text that tells
    its values apart, made faster than its fields would be walked (a page's links to its
    languages, made for that page alone: not worth remembering either)."""

    def __init__(self, leave_out: frozenset[str] = frozenset()) -> None:
        """`leave_out`: names of dataclass fields left out of every hash (a text's body,
        which a page's key then hashes on its own where the page shows it: bodyreads.py),
        or of one type's field ('PartnerView.website')."""
        self._known: dict[int, tuple[bytes, object]] = {}
        self._fields: dict[type, tuple[Any, ...]] = {}
        self._leave_out = leave_out
        self._mark = "".join(f"-{name}" for name in sorted(leave_out))

    def object_digest(self, value: object) -> bytes:
        """The hash of an object (a view) as the pages that hold it are keyed with."""
        known = self._known.get(id(value))
        return known[0] if known is not None else self._digest(value)

    def remember(self, value: object, known: bytes) -> None:
        """Take `known` as the object's hash without computing it: the last build's, for a
        view made from the same inputs (see publish.PartnerReuse)."""
        self._known[id(value)] = (known, value)

    def forget(self) -> None:
        """Let go of the objects hashed so far, which `_known` keeps (a build's process,
        once a language's pages are made: its views are no other language's, and kept they
        held every language's views and their pages' structured data in memory)."""
        self._known.clear()

    def of(self, value: object) -> bytes:
        parts: list[bytes] = []
        self._feed(parts, value)
        return digest(b"".join(parts))

    def _feed(self, parts: list[bytes], value: object) -> None:
        kind = type(value)
        if kind is str:  # its length in characters, then its bytes: no two texts alike
            parts.append(b"%d:" % len(value) + value.encode("utf-8", "surrogatepass"))  # type: ignore
        elif value is None:
            parts.append(b"n")
        elif kind is bool:
            parts.append(b"T" if value else b"F")
        elif kind is int:
            parts.append(b"i%d;" % value)  # type: ignore[str-format]
        elif isinstance(value, str):  # Markup and other text types render differently
            data = str(value).encode("utf-8", "surrogatepass")
            parts.append(f"S{kind.__module__}.{kind.__qualname__}:{len(data)}:".encode())
            parts.append(data)
        elif kind is float:
            parts.append(b"f" + repr(value).encode() + b";")
        elif kind is bytes:
            parts.append(b"b%d:" % len(value))  # type: ignore[arg-type]
            parts.append(value)  # type: ignore[arg-type]
        elif kind is tuple or kind is list:  # inline: their parts are hashed with the parent's
            parts.append(b"(%d" % len(value))  # type: ignore[arg-type]
            for item in value:  # type: ignore[attr-defined]
                self._feed(parts, item)
            parts.append(b")")
        elif kind is dict or kind is MappingProxyType:
            parts.append(b"{%d" % len(value))  # type: ignore[arg-type]
            for key, item in value.items():  # type: ignore[attr-defined]
                self._feed(parts, key)
                self._feed(parts, item)
            parts.append(b"}")
        else:
            known = self._known.get(id(value))
            if known is not None:
                parts.append(known[0])
            elif (text := getattr(kind, "fingerprint_text", None)) is not None:
                data = text(value).encode("utf-8", "surrogatepass")
                parts.append(f"X{kind.__module__}.{kind.__qualname__}:{len(data)}:".encode())
                parts.append(data)
            else:
                parts.append(self._digest(value))

    def _digest(self, value: object) -> bytes:
        parts: list[bytes] = []
        feed = self._feed
        append = parts.append
        known = self._known
        kind = type(value)
        names = self._fields.get(kind)
        # The loops hash text and known objects inline: this runs for every value of a page.
        if names is not None:
            append(names[0])
            for name in names[1:]:
                item = getattr(value, name)
                if type(item) is str:
                    append(b"%d:" % len(item) + item.encode("utf-8", "surrogatepass"))
                elif (entry := known.get(id(item))) is not None:
                    append(entry[0])
                else:
                    feed(parts, item)
        elif kind is tuple or kind is list or kind is dict or kind is MappingProxyType:
            feed(parts, value)  # at the top only (a page's context): inside, they are inlined
        elif kind is frozenset or kind is set:
            parts.append(b"<")
            parts.extend(sorted(self.of(item) for item in value))  # type: ignore[attr-defined]
        elif dataclasses.is_dataclass(value):
            self._fields[kind] = self._names(kind, value)
            return self._digest(value)
        elif isinstance(value, PurePath | _date() | enum.Enum) or _is_locale(value):
            parts.append(f"V{kind.__qualname__}:{value!s}".encode())
        else:
            raise Unfingerprintable(f"no fingerprint for {kind.__qualname__}")
        result = digest(b"".join(parts))
        self._known[id(value)] = (result, value)  # the value is kept: its id stays its own
        return result

    def _names(self, kind: type, value: object) -> tuple[Any, ...]:
        """The type's tag (its name, and the fields left out of it), then its fields' names
        in order."""
        fields = [f.name for f in dataclasses.fields(value)]  # type: ignore[arg-type]
        out = self._leave_out
        kept = [n for n in fields if n not in out and f"{kind.__qualname__}.{n}" not in out]
        mark = self._mark if len(kept) < len(fields) else ""
        return (f"D{kind.__module__}.{kind.__qualname__}{mark}".encode(), *kept)


def _date() -> type:
    """datetime.date, imported only when a value needs it (a build with nothing to do
    never does)."""
    from datetime import date

    return date


def _is_locale(value: object) -> bool:
    kind = type(value)
    return kind.__name__ == "Locale" and kind.__module__.startswith("babel")


def combine(parts: Iterator[bytes] | Iterable[bytes]) -> bytes:
    h = blake2b(digest_size=16)
    for part in parts:
        h.update(part)
    return h.digest()


def partner_basis(frame: bytes, folder: bytes) -> bytes:
    """What a partner's pages in one language are made from: the language's frame and the
    hash of the partner's folder (publish.PartnerReuse; bodyedit.py makes it anew)."""
    return combine((frame, folder))
