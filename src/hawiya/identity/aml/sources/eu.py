"""The EU consolidated list of persons, groups and entities subject to financial sanctions, XML
form (webgate.ec.europa.eu/fsd/fsf, namespace http://eu.europa.ec/fpi/fsd/export):
export/sanctionEntity, with the values in attributes.

Names are nameAlias wholeName (or firstName middleName lastName when wholeName is empty); aliases
with strong="false" are weak. Documents are identification number (type from
identificationTypeCode: "passport", "id" for national identity cards). The listing date is the
earliest regulation publicationDate, the programme the regulations' programme codes, the case
number euReferenceNumber (logicalId when there is none).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
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
    clean,
    partial_date,
    unique,
)


def _attr(node: Element, name: str) -> str:
    return clean(node.get(name))


def _document_kind(code: str, description: str) -> str:
    lowered = code.lower()
    if lowered == "passport" or "passport" in description.lower():
        return PASSPORT
    if lowered == "id" or "national" in description.lower():
        return NATIONAL_ID
    return description.lower() or lowered or "document"


def _birth_date(node: Element) -> str | None:
    whole = partial_date(_attr(node, "birthdate"))
    if whole:
        return whole
    year, month, day = _attr(node, "year"), _attr(node, "monthOfYear"), _attr(node, "dayOfMonth")
    if not year.isdigit():
        return None
    if month.isdigit() and day.isdigit():
        return partial_date(f"{year}-{month}-{day}")
    return partial_date(f"{year}-{month}") if month.isdigit() else partial_date(year)


def _entity(node: Element, stats: ParseStats) -> ListedParty | None:
    logical_id = _attr(node, "logicalId")
    reference = _attr(node, "euReferenceNumber")
    where = reference or (f"logicalId {logical_id}" if logical_id else f"entity {stats.read}")
    strong: list[str] = []
    weak: list[str] = []
    for alias in node.iterfind("nameAlias"):
        whole = _attr(alias, "wholeName") or " ".join(
            p for p in (_attr(alias, k) for k in ("firstName", "middleName", "lastName")) if p
        )
        (weak if _attr(alias, "strong").lower() == "false" else strong).append(whole)
    names = unique(strong)
    if not names:
        stats.skip("no name", where)
        return None
    documents = []
    for ident in node.iterfind("identification"):
        number = _attr(ident, "number") or _attr(ident, "latinNumber")
        if number:
            kind = _document_kind(
                _attr(ident, "identificationTypeCode"),
                _attr(ident, "identificationTypeDescription"),
            )
            country = _attr(ident, "countryDescription") or _attr(ident, "countryIso2Code")
            documents.append(IdDocument(kind, number, country or None))
    listings = sorted(
        d
        for d in (partial_date(_attr(r, "publicationDate")) for r in node.iterfind("regulation"))
        if d and len(d) == 10
    )
    listed_on = date.fromisoformat(listings[0]) if listings else None
    subject = node.find("subjectType")
    code = _attr(subject, "code").lower() if subject is not None else ""
    nationalities = [
        _attr(c, "countryDescription") or _attr(c, "countryIso2Code")
        for c in node.iterfind("citizenship")
    ]
    return ListedParty(
        reference=logical_id or reference or f"entity-{stats.read}",
        names=names,
        kind=PERSON if code == "person" else ENTITY,
        weak_aliases=[w for w in unique(weak) if w.casefold() not in {n.casefold() for n in names}],
        documents=documents,
        birth_dates=[d for d in (_birth_date(b) for b in node.iterfind("birthdate")) if d],
        nationalities=unique(nationalities),
        case_no=reference or logical_id or None,
        case_year=listed_on.year if listed_on else None,
        listed_on=listed_on,
        programmes=unique(_attr(r, "programme") for r in node.iterfind("regulation")),
    )


def parse(stream: BinaryIO, stats: ParseStats, options: ParseOptions) -> Iterator[ListedParty]:
    reader = SafeXmlReader({"sanctionEntity"}, root={"export"}, what="EU consolidated list")
    for node in reader.elements(stream):
        if not stats.published:
            stats.published = partial_date(reader.root_attrs.get("generationDate"))
        stats.read += 1
        party = _entity(node, stats)
        if party is not None:
            yield party
