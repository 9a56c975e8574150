"""OFAC's Specially Designated Nationals list, in its two public forms.

SDN XML (sdn.xml): sdnList/sdnEntry with uid, lastName/firstName, sdnType, programList, idList,
akaList, nationalityList, citizenshipList and dateOfBirthList, in a namespace that has changed
over the years (any is accepted). Aliases of category "weak" are kept aside, not matched on.

Legacy CSV (sdn.csv, no header: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks; "-0-" means empty) with optional
alt.csv (ent_num, alt_num, alt_type, alt_name, alt_remarks). The CSV has no columns for dates of
birth, nationality or documents: they are read from the Remarks ("DOB 01 Jan 1960; nationality
Egypt; Passport A123 (Egypt); National ID No. 123 (Egypt)").

Vessels and aircraft are not parties and are skipped. OFAC gives no listing date per entry; the
case number is the uid (ent_num).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element

from hawiya.identity.aml.sources.base import (
    ENTITY,
    NATIONAL_ID,
    PASSPORT,
    PERSON,
    IdDocument,
    ListedParty,
    ParseOptions,
    ParseStats,
    SafeXmlReader,
    SourceError,
    all_text,
    child_text,
    clean,
    partial_date,
    text_lines,
    unique,
)

# idList types that are not identity documents (contact details, flags, sanctions notes).
_NOT_DOCUMENTS = (
    "email",
    "website",
    "gender",
    "digital currency",
    "sanctions",
    "transactions prohibited",
    "organization established",
    "organization type",
    "target type",
    "phone",
    "fax",
    "vessel",
    "aircraft",
    "executive order",
    "listing date",
    "effective date",
    "ifca determination",
    "caatsa",
    "nationality of registration",
    "other vessel",
    "mmsi",
    "subject to",
)
_NOT_PARTIES = {"vessel", "aircraft"}


def document_kind(label: str) -> str | None:
    """NATIONAL_ID, PASSPORT, another document label, or None when the id is not a document."""
    lowered = clean(label).lower()
    if any(word in lowered for word in _NOT_DOCUMENTS):
        return None
    if "passport" in lowered:
        return PASSPORT
    if lowered.startswith("national id") or "national identification" in lowered:
        return NATIONAL_ID
    return lowered or "document"


def _full_name(first: str, last: str) -> str:
    return " ".join(p for p in (first, last) if p)


# --- XML -----------------------------------------------------------------------------------------


def _entry(node: Element, stats: ParseStats) -> ListedParty | None:
    uid = child_text(node, "uid")
    sdn_type = child_text(node, "sdnType").lower()
    where = f"uid {uid}" if uid else f"entry {stats.read}"
    if sdn_type in _NOT_PARTIES:
        stats.skip(f"not a person or organisation ({sdn_type})", where)
        return None
    strong = [_full_name(child_text(node, "firstName"), child_text(node, "lastName"))]
    weak: list[str] = []
    for aka in node.iterfind("akaList/aka"):
        name = _full_name(child_text(aka, "firstName"), child_text(aka, "lastName"))
        (weak if child_text(aka, "category").lower() == "weak" else strong).append(name)
    names = unique(strong)
    if not names:
        stats.skip("no name", where)
        return None
    documents = []
    for item in node.iterfind("idList/id"):
        kind, number = document_kind(child_text(item, "idType")), child_text(item, "idNumber")
        if kind and number:
            documents.append(IdDocument(kind, number, child_text(item, "idCountry") or None))
    births = [
        d for d in (partial_date(t) for t in all_text(node, "dateOfBirthList/*/dateOfBirth")) if d
    ]
    nationalities = all_text(node, "nationalityList/*/country")
    nationalities += all_text(node, "citizenshipList/*/country")
    return ListedParty(
        reference=uid or f"entry-{stats.read}",
        names=names,
        kind=PERSON if sdn_type == "individual" else ENTITY,
        weak_aliases=[w for w in unique(weak) if w.casefold() not in {n.casefold() for n in names}],
        documents=documents,
        birth_dates=births,
        nationalities=unique(nationalities),
        case_no=uid or None,
        programmes=unique(all_text(node, "programList/program")),
    )


def _us_date(text: str) -> str | None:
    """OFAC's publication date is month first (11/20/2026)."""
    month, _, rest = text.partition("/")
    day, _, year = rest.partition("/")
    return partial_date(f"{year}-{month}-{day}") if year else partial_date(text)


def parse_xml(stream: BinaryIO, stats: ParseStats, options: ParseOptions) -> Iterator[ListedParty]:
    reader = SafeXmlReader(
        {"sdnEntry", "publshInformation", "publishInformation"},
        root={"sdnList"},
        what="OFAC SDN XML",
    )
    for node in reader.elements(stream):
        if node.tag != "sdnEntry":
            stats.published = _us_date(child_text(node, "Publish_Date"))
            continue
        stats.read += 1
        party = _entry(node, stats)
        if party is not None:
            yield party


# --- legacy CSV ----------------------------------------------------------------------------------

_REMARK_DOC = re.compile(
    r"^(?P<label>[A-Za-z .'/]*?\b(?:No\.|Number|Passport|ID|Card))\s+"
    r"(?P<number>[A-Za-z0-9][A-Za-z0-9\-/.]*?)\.?\s*(?:\((?P<country>[^)]*)\))?\s*$"
)


def remarks(text: str) -> tuple[list[IdDocument], list[str], list[str]]:
    """Documents, dates of birth and nationalities from a legacy CSV Remarks field."""
    documents, births, nationalities = [], [], []
    for raw in clean(text).rstrip(".").split(";"):
        part = raw.strip()
        lowered = part.lower()
        if lowered.startswith("dob "):
            if value := partial_date(part[4:]):
                births.append(value)
        elif lowered.startswith(("nationality ", "citizen ")):
            nationalities.append(part.split(" ", 1)[1])
        elif (m := _REMARK_DOC.match(part)) and (kind := document_kind(m["label"])):
            documents.append(IdDocument(kind, m["number"], clean(m["country"]) or None))
    return documents, births, nationalities


def _forename_first(name: str, person: bool) -> str:
    """A person's "LAST, First" as "First LAST", as the XML form gives it (an organisation's
    comma, as in "X, INC.", is left alone)."""
    last, comma, first = name.partition(",")
    if not person or not comma or "," in first or not first.strip():
        return name
    return f"{first.strip()} {last.strip()}"


def _aliases(alt: BinaryIO) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in csv.reader(text_lines(alt, strict=False)):
        if len(row) >= 4 and clean(row[0]).isdigit() and clean(row[3]):
            found.setdefault(clean(row[0]), []).append(clean(row[3]))
    return found


def parse_csv(stream: BinaryIO, stats: ParseStats, options: ParseOptions) -> Iterator[ListedParty]:
    aliases = _aliases(options.alt) if options.alt is not None else {}
    reader = csv.reader(text_lines(stream, strict=False))
    first, end = True, 0
    for row in reader:
        line, end = end + 1, reader.line_num  # where the row starts (a quoted cell may span lines)
        cells = [clean(c) for c in row]
        if not any(c and c != "\x1a" for c in cells):
            continue  # blank line, or the end-of-file character some copies carry
        if first and not cells[0].isdigit():
            first = False
            if len(cells) >= 3 and cells[1].lower().replace(" ", "_") in ("sdn_name", "name"):
                continue  # a header row someone added
            raise SourceError(
                f"not an OFAC sdn.csv file: line {line} does not start with an entry number"
            )
        first = False
        stats.read += 1
        if len(cells) < 4 or not cells[0].isdigit():
            stats.skip("malformed row", f"line {line}")
            continue
        uid, name, sdn_type = cells[0], cells[1], cells[2].lower()
        if sdn_type in _NOT_PARTIES:
            stats.skip(f"not a person or organisation ({sdn_type})", f"line {line}: uid {uid}")
            continue
        person = sdn_type == "individual"
        names = unique(_forename_first(n, person) for n in [name, *aliases.get(uid, [])])
        if not names:
            stats.skip("no name", f"line {line}: uid {uid}")
            continue
        documents, births, nationalities = remarks(cells[11] if len(cells) > 11 else "")
        yield ListedParty(
            reference=uid,
            names=names,
            kind=PERSON if person else ENTITY,
            documents=documents,
            birth_dates=births,
            nationalities=unique(nationalities),
            case_no=uid,
            programmes=unique(p.strip("[] ") for p in cells[3].split("] [")),
            line=line,
        )
