"""A tenant's own blacklist as CSV: a header row, then one person per row.

Columns are found by their header, in English or Arabic and in any common spelling (case,
spaces, dashes and underscores do not matter): `name` and/or `national_id` are required, and
`case_no`, `case_year`, `record_date`, `date_of_birth` and `reason` are optional; other columns
are ignored and named in the report. The delimiter may be a comma, semicolon, tab or bar (as the
header shows). The file is UTF-8, with or without a byte-order mark (or UTF-16 with one).

A national ID is validated with hawiya.identity.national_id; a row whose number is invalid is
skipped and reported by line, never imported. A row with neither name nor number is skipped. An
unreadable optional value (a date, a year) is dropped from its row, which is kept, and counted as
a warning: losing a listed person over a bad date would be the worse error.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
from typing import BinaryIO

from hawiya.identity import national_id
from hawiya.identity.aml.sources.base import (
    NATIONAL_ID,
    PERSON,
    IdDocument,
    ListedParty,
    ParseOptions,
    ParseStats,
    SourceError,
    clean,
    full_date,
    partial_date,
    text_lines,
)
from hawiya.identity.national_id import ascii_digits
from hawiya.kit.clock import utcnow

_HEADERS = {
    "name": (
        "name", "full_name", "fullname", "customer_name", "person_name", "client_name",
        "الاسم", "اسم", "الإسم", "الاسم_بالكامل", "الاسم_الكامل", "اسم_العميل",
    ),
    "national_id": (
        "national_id", "nationalid", "national_id_number", "national_id_no", "national_number",
        "nid", "id_number", "idnumber", "id_no", "id", "ssn",
        "الرقم_القومي", "الرقم_القومى", "رقم_قومي", "رقم_قومى", "الرقم_القومي_للعميل",
        "رقم_البطاقة",
    ),
    "case_no": (
        "case_no", "caseno", "case_number", "casenumber", "case", "case_id", "reference",
        "رقم_القضية", "رقم_الدعوى",
    ),
    "case_year": ("case_year", "caseyear", "year", "سنة_القضية", "سنة_الدعوى", "السنة"),
    "record_date": (
        "record_date", "recorddate", "date", "listed_on", "listing_date", "date_listed",
        "تاريخ_القيد", "تاريخ_التسجيل", "تاريخ_الإدراج", "تاريخ_الادراج",
    ),
    "date_of_birth": (
        "date_of_birth", "dateofbirth", "dob", "birth_date", "birthdate", "born",
        "تاريخ_الميلاد",
    ),
    "reason": (
        "reason", "notes", "note", "remarks", "comment", "comments", "programme", "program",
        "السبب", "ملاحظات", "سبب_الإدراج", "سبب_الادراج",
    ),
}  # fmt: skip
_BY_SPELLING = {spelling: field for field, names in _HEADERS.items() for spelling in names}
_SEPARATORS = re.compile(r"[\s\-_.]+")


def header_key(text: str) -> str:
    """A header cell as compared: lower case, separators as one underscore, no BOM."""
    return _SEPARATORS.sub("_", clean(text.replace("\ufeff", "")).lower()).strip("_")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def masked(number: str) -> str:
    """Enough of a number to find the row, never all of it (LOG-1)."""
    digits = ascii_digits(clean(number))
    return f"{digits[:1]}{'*' * max(len(digits) - 4, 0)}{digits[-3:]}" if len(digits) > 4 else "*"


def parse(stream: BinaryIO, stats: ParseStats, options: ParseOptions) -> Iterator[ListedParty]:
    today = options.today or utcnow().date()
    text = text_lines(stream, strict=True)
    try:
        first = text.readline()
        reader = csv.reader([first], delimiter=_delimiter(first))
        header = next(reader, [])
        columns: dict[str, int] = {}
        ignored = []
        for index, cell in enumerate(header):
            field = _BY_SPELLING.get(header_key(cell))
            if field and field not in columns:
                columns[field] = index
            elif clean(cell):
                ignored.append(clean(cell))
        if "name" not in columns and "national_id" not in columns:
            found = ", ".join(clean(c) for c in header if clean(c)) or "nothing"
            raise SourceError(
                "a blacklist needs a header row with a 'name' or 'national_id' column "
                f"(found: {found})"
            )
        for column in ignored:
            stats.warn("column ignored", column)
        rows = csv.reader(text, delimiter=_delimiter(first))
        end = 1
        for row in rows:
            line, end = end + 1, rows.line_num + 1
            yield from _row(row, columns, line, stats, today, options.verify_check_digit)
    except UnicodeDecodeError:
        raise SourceError(
            "the blacklist is not UTF-8 text; save it as 'CSV UTF-8' (or convert it, e.g. "
            "iconv -f cp1256 -t utf-8)"
        ) from None


def _cell(row: list[str], columns: dict[str, int], field: str) -> str:
    index = columns.get(field)
    return clean(row[index]) if index is not None and index < len(row) else ""


def _row(
    row: list[str],
    columns: dict[str, int],
    line: int,
    stats: ParseStats,
    today: date,
    verify_check_digit: bool,
) -> Iterator[ListedParty]:
    if not any(clean(c) for c in row):
        return
    stats.read += 1
    name, number = _cell(row, columns, "name"), _cell(row, columns, "national_id")
    if not name and not number:
        stats.skip("no name or national ID", f"line {line}")
        return
    documents, born_from_number = [], None
    if number:
        try:
            parsed = national_id.parse(number, today=today, verify_check_digit=verify_check_digit)
        except national_id.NationalIdError as exc:
            stats.skip(f"invalid national ID ({exc.reason})", f"line {line}: {masked(number)}")
            return
        documents.append(IdDocument(NATIONAL_ID, parsed.number, "Egypt"))
        born_from_number = parsed.birth_date.isoformat()
    case_year: int | None = None
    if year := ascii_digits(_cell(row, columns, "case_year")):
        if year.isdigit() and 1900 <= int(year) <= 2200:
            case_year = int(year)
        else:
            stats.warn("case_year unreadable (row kept without it)", f"line {line}: {year}")
    record_date = _cell(row, columns, "record_date")
    listed_on = full_date(record_date)
    if record_date and listed_on is None:
        stats.warn("record_date unreadable (row kept without it)", f"line {line}: {record_date}")
    born_text = _cell(row, columns, "date_of_birth")
    born = partial_date(born_text)
    if born_text and born is None:
        stats.warn("date_of_birth unreadable (row kept without it)", f"line {line}")
    born = born or born_from_number  # the number encodes the date of birth
    reason = _cell(row, columns, "reason")
    yield ListedParty(
        reference=f"row-{line}",
        names=[name] if name else [],
        kind=PERSON,
        documents=documents,
        birth_dates=[born] if born else [],
        case_no=_cell(row, columns, "case_no") or None,
        case_year=case_year,
        listed_on=listed_on,
        programmes=[reason] if reason else [],
        line=line,
    )
