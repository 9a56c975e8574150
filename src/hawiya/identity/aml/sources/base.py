"""What every list parser yields and counts, and the pieces they share: a safe streaming XML
reader (no DTD, no entities), date reading, and a file reader that counts and hashes its bytes.

Parsers are pure: they read a byte stream and yield `ListedParty` records, one per listed person
or organisation, and note in `ParseStats` what they skipped and why. Nothing here touches the
database.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, SubElement
from xml.parsers import expat

from hawiya.identity.national_id import ascii_digits

PERSON, ENTITY = "person", "entity"
NATIONAL_ID, PASSPORT = "national_id", "passport"

EXAMPLES_KEPT = 5


class SourceError(ValueError):
    """The file cannot be read as the format named (or is unsafe); nothing is imported."""


class UnsafeXmlError(SourceError):
    """A DOCTYPE, entity declaration or external reference: refused before any of it is used."""


@dataclass(frozen=True, slots=True)
class IdDocument:
    kind: str  # NATIONAL_ID, PASSPORT, or the list's own label in lower case ("tax id no.")
    number: str
    country: str | None = None


@dataclass(slots=True)
class ListedParty:
    """One listed person or organisation, as any of the formats gives it."""

    reference: str  # the list's own id for the entry (UN DATAID, OFAC uid, EU logicalId, ...)
    names: list[str]  # primary name first, then strong aliases; any script; no duplicates
    kind: str = PERSON  # PERSON | ENTITY
    weak_aliases: list[str] = field(default_factory=list)
    documents: list[IdDocument] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)  # "YYYY-MM-DD", "YYYY-MM", "YYYY"...
    nationalities: list[str] = field(default_factory=list)
    case_no: str | None = None  # the public reference (UN QDi.001, EU.27.28, a court case)
    case_year: int | None = None
    listed_on: date | None = None
    programmes: list[str] = field(default_factory=list)  # sanctions programme, topic or reason
    dataset: str | None = None  # FollowTheMoney dataset
    line: int | None = None  # where it starts in the file (CSV, JSON lines)


@dataclass(slots=True)
class Tally:
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ParseStats:
    """What a parser read: records seen, records skipped by reason (with the first few
    examples), and fields dropped from records that were kept (warnings)."""

    read: int = 0
    skipped: dict[str, Tally] = field(default_factory=dict)
    warnings: dict[str, Tally] = field(default_factory=dict)
    published: str | None = None  # the list's own date of issue, when it gives one

    @staticmethod
    def _note(table: dict[str, Tally], reason: str, example: str) -> None:
        tally = table.setdefault(reason, Tally())
        tally.count += 1
        if len(tally.examples) < EXAMPLES_KEPT:
            tally.examples.append(example)

    def skip(self, reason: str, example: str) -> None:
        self._note(self.skipped, reason, example)

    def warn(self, reason: str, example: str) -> None:
        self._note(self.warnings, reason, example)

    @property
    def skipped_count(self) -> int:
        return sum(t.count for t in self.skipped.values())


@dataclass(frozen=True, slots=True)
class ParseOptions:
    alt: BinaryIO | None = None  # OFAC legacy CSV: alt.csv beside sdn.csv
    today: date | None = None  # blacklist: national IDs born after it are invalid
    verify_check_digit: bool = True  # blacklist: the national ID's check digit


Parser = Callable[[BinaryIO, ParseStats, ParseOptions], Iterator[ListedParty]]


# --- values --------------------------------------------------------------------------------------

_PLACEHOLDERS = frozenset(("-0-", "-", "N/A", "n/a", "NA", "null", "None"))


def clean(text: str | None) -> str:
    """Text with runs of white space as one space; "" for None and list placeholders."""
    if not text:
        return ""
    value = " ".join(text.split())
    return "" if value in _PLACEHOLDERS else value


def unique(values: Iterable[str]) -> list[str]:
    """Cleaned, non-empty values in order, each once (case-insensitively)."""
    seen: set[str] = set()
    out = []
    for value in values:
        text = clean(value)
        key = text.casefold()
        if text and key not in seen:
            seen.add(key)
            out.append(text)
    return out


_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for m in names
}
_ISO = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T ].*)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_D_MON_Y = re.compile(r"^(?:(\d{1,2})[ -])?([A-Za-z]{3,9})\.?[ -](\d{4})$")
_APPROX = re.compile(r"^(?:circa|approximately|approx\.?|about|ca\.?|c\.)\s+", re.IGNORECASE)


def partial_date(text: str | None) -> str | None:
    """A date as the lists write it, as "YYYY-MM-DD", "YYYY-MM" or "YYYY" (None when unreadable).

    Accepts ISO (also with a time), D/M/YYYY (day first, the Egyptian and European order),
    "01 Jan 1960", "Jan 1960", "circa 1960", and any digit script. A range ("1960 to 1962")
    gives its first year.
    """
    value = ascii_digits(clean(text))
    value = _APPROX.sub("", value)
    value = re.split(r"\s+(?:to|-|–)\s+", value, maxsplit=1)[0].strip()
    if not value:
        return None
    parts: tuple[int, int | None, int | None]
    if m := _ISO.match(value):
        parts = (int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)
    elif m := _DMY.match(value):
        parts = (int(m[3]), int(m[2]), int(m[1]))
    elif m := _D_MON_Y.match(value):
        month = _MONTHS.get(m[2].lower())
        if month is None:
            return None
        parts = (int(m[3]), month, int(m[1]) if m[1] else None)
    else:
        return None
    year, month_, day = parts
    if not 1800 <= year <= 2200:
        return None
    if month_ is None:
        return f"{year:04d}"
    if not 1 <= month_ <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month_:02d}"
    try:
        return date(year, month_, day).isoformat()
    except ValueError:
        return None


def full_date(text: str | None) -> date | None:
    """The date when `text` names a whole day; None for a year, a month or nothing."""
    value = partial_date(text)
    if value is None or len(value) != 10:
        return None
    return date.fromisoformat(value)


# --- files ---------------------------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    def __init__(self, raw: BinaryIO, on_read: Callable[[int], None] | None) -> None:
        self._raw = raw
        self._on_read = on_read
        self.digest = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override,unused-ignore]
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if n:
            self.digest.update(data)
            self.bytes_read += n
            if self._on_read is not None:
                self._on_read(n)
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


class SourceFile:
    """A list file opened for reading once, hashing (SHA-256) and counting what is read."""

    def __init__(self, path: Path, on_read: Callable[[int], None] | None = None) -> None:
        self.path = path
        self.size = path.stat().st_size
        self._counter = _CountingReader(path.open("rb"), on_read)
        self.stream: BinaryIO = io.BufferedReader(self._counter, buffer_size=1 << 16)

    @property
    def sha256(self) -> str:
        return self._counter.digest.hexdigest()

    @property
    def bytes_read(self) -> int:
        return self._counter.bytes_read

    def drain(self) -> None:
        """Read what the parser left (a trailing part the format ignores), so the hash covers
        the whole file."""
        while self.stream.read(1 << 16):
            pass

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> SourceFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _KeepOpen(io.BufferedIOBase):
    """The stream under a text reader, left open when the reader goes (the SourceFile owns it
    and still reads the rest for its hash)."""

    def __init__(self, inner: BinaryIO) -> None:
        self._inner = inner

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._inner.read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        read1 = getattr(self._inner, "read1", None)
        return bytes(read1(size) if read1 else self._inner.read(size))

    @property
    def name(self) -> str:
        return str(getattr(self._inner, "name", "<list>"))

    def close(self) -> None:
        pass


def text_lines(stream: BinaryIO, *, strict: bool) -> io.TextIOWrapper:
    """The stream as UTF-8 text for the csv module (a byte-order mark is dropped; UTF-16 with a
    byte-order mark, as some spreadsheets save, is read too). strict: undecodable bytes raise
    UnicodeDecodeError; otherwise they become U+FFFD."""
    head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return io.TextIOWrapper(_KeepOpen(stream), encoding="utf-16", newline="")
    errors = "strict" if strict else "replace"
    return io.TextIOWrapper(_KeepOpen(stream), encoding="utf-8-sig", errors=errors, newline="")


# --- XML -----------------------------------------------------------------------------------------


def local(name: str) -> str:
    """An element or attribute name without its namespace."""
    return name.rsplit("}", 1)[-1]


class SafeXmlReader:
    """Streams the elements named in `wanted` (local names, any namespace) as small trees with
    namespaces stripped; everything outside them is passed over and never kept, so memory stays
    bounded by one record whatever the file's size.

    Refuses any DOCTYPE (and so every entity declaration, internal or external): sanctions lists
    never need one, and refusing it stops XML external entity (XXE) and entity-expansion
    ("billion laughs") attacks before they start.
    """

    def __init__(self, wanted: set[str], *, root: set[str], what: str) -> None:
        self.wanted = wanted
        self.root_names = root
        self.what = what
        self.root_attrs: dict[str, str] = {}
        self._parser = expat.ParserCreate(namespace_separator="}")
        self._parser.buffer_text = True
        self._parser.buffer_size = 1 << 16
        self._parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self._parser.StartDoctypeDeclHandler = self._refuse_doctype
        self._parser.EntityDeclHandler = self._refuse_entity
        self._parser.UnparsedEntityDeclHandler = self._refuse_entity
        self._parser.ExternalEntityRefHandler = self._refuse_entity
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._data
        self._stack: list[Element] = []
        self._ready: list[Element] = []
        self._depth = 0

    def _refuse_doctype(self, *args: object) -> None:
        raise UnsafeXmlError(
            f"refused: the file declares a DOCTYPE (line {self._parser.CurrentLineNumber}); "
            f"{self.what} files never need one, and a DOCTYPE can carry external entities "
            "(XXE) or entity expansion (billion laughs)"
        )

    def _refuse_entity(self, *args: object) -> int:
        raise UnsafeXmlError(
            f"refused: entity declaration or external reference at line "
            f"{self._parser.CurrentLineNumber}"
        )

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        tag = local(name)
        self._depth += 1
        if self._depth == 1:
            if tag not in self.root_names:
                expected = " or ".join(sorted(self.root_names))
                raise SourceError(
                    f"not a {self.what} file: the root element is <{tag}>, expected <{expected}>"
                )
            self.root_attrs = {local(k): v for k, v in attrs.items()}
            return
        if not self._stack and tag not in self.wanted:
            return
        plain = {local(k): v for k, v in attrs.items()}
        node = SubElement(self._stack[-1], tag, plain) if self._stack else Element(tag, plain)
        self._stack.append(node)

    def _end(self, name: str) -> None:
        self._depth -= 1
        if not self._stack:
            return
        node = self._stack.pop()
        if not self._stack:
            self._ready.append(node)

    def _data(self, text: str) -> None:
        if self._stack:
            node = self._stack[-1]
            if len(node):  # text after a child: not used by any list, dropped
                return
            node.text = text if node.text is None else node.text + text

    def elements(self, stream: BinaryIO, chunk: int = 1 << 16) -> Iterator[Element]:
        try:
            while data := stream.read(chunk):
                self._parser.Parse(data, False)
                if self._ready:
                    yield from self._ready
                    self._ready.clear()
            self._parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise SourceError(
                f"not well-formed XML ({self.what}): {expat.ErrorString(exc.code)} at line "
                f"{exc.lineno}, column {exc.offset}"
            ) from None
        yield from self._ready
        self._ready.clear()


def child_text(node: Element, *path: str) -> str:
    """The cleaned text of the first element at `path` under node ("" if absent)."""
    found = node.find("/".join(path))
    return clean(found.text) if found is not None else ""


def all_text(node: Element, *path: str) -> list[str]:
    return [clean(e.text) for e in node.iterfind("/".join(path)) if clean(e.text)]
