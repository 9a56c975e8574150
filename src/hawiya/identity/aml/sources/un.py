"""The UN Security Council consolidated list, XML form (scsanctions.un.org/resources/xml/en/
consolidated.xml): CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL and ENTITIES/ENTITY.

A person's name is FIRST_NAME .. FOURTH_NAME in order; NAME_ORIGINAL_SCRIPT (often Arabic) is kept
as an alias. Aliases of QUALITY "Low" are weak (kept aside, not matched on); "Good" and "a.k.a."
are strong. The case number is REFERENCE_NUMBER (e.g. QDi.001), the programme UN_LIST_TYPE.
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
    all_text,
    child_text,
    clean,
    partial_date,
    unique,
)

_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _document_kind(label: str) -> str:
    lowered = label.lower()
    if "passport" in lowered:
        return PASSPORT
    if "national" in lowered and "id" in lowered:
        return NATIONAL_ID
    return lowered or "document"


def _birth_dates(node: Element, tag: str) -> list[str]:
    out = []
    for item in node.iterfind(tag):
        value = partial_date(child_text(item, "DATE")) or partial_date(child_text(item, "YEAR"))
        value = value or partial_date(child_text(item, "FROM_YEAR"))
        if value:
            out.append(value)
    return out


def _party(node: Element, stats: ParseStats) -> ListedParty | None:
    person = node.tag == "INDIVIDUAL"
    reference = child_text(node, "REFERENCE_NUMBER")
    data_id = child_text(node, "DATAID")
    primary = " ".join(p for p in (child_text(node, t) for t in _NAME_PARTS) if p)
    strong, weak = [primary, child_text(node, "NAME_ORIGINAL_SCRIPT")], list[str]()
    alias_tag = "INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS"
    for alias in node.iterfind(alias_tag):
        name = child_text(alias, "ALIAS_NAME")
        (weak if child_text(alias, "QUALITY").lower() == "low" else strong).append(name)
    names = unique(strong)
    where = reference or data_id or f"record {stats.read}"
    if not names:
        stats.skip("no name", where)
        return None
    documents = []
    for doc in node.iterfind("INDIVIDUAL_DOCUMENT"):
        number = child_text(doc, "NUMBER")
        if number:
            label = child_text(doc, "TYPE_OF_DOCUMENT") or child_text(doc, "TYPE_OF_DOCUMENT2")
            country = child_text(doc, "ISSUING_COUNTRY") or child_text(doc, "COUNTRY_OF_ISSUE")
            documents.append(IdDocument(_document_kind(label), number, country or None))
    listed = partial_date(child_text(node, "LISTED_ON"))
    listed_on = date.fromisoformat(listed) if listed and len(listed) == 10 else None
    return ListedParty(
        reference=data_id or reference or f"record-{stats.read}",
        names=names,
        kind=PERSON if person else ENTITY,
        weak_aliases=[w for w in unique(weak) if w.casefold() not in {n.casefold() for n in names}],
        documents=documents,
        birth_dates=_birth_dates(node, "INDIVIDUAL_DATE_OF_BIRTH"),
        nationalities=unique(all_text(node, "NATIONALITY/VALUE")),
        case_no=reference or data_id,
        case_year=listed_on.year if listed_on else None,
        listed_on=listed_on,
        programmes=unique([clean(child_text(node, "UN_LIST_TYPE"))]),
    )


def parse(stream: BinaryIO, stats: ParseStats, options: ParseOptions) -> Iterator[ListedParty]:
    reader = SafeXmlReader(
        {"INDIVIDUAL", "ENTITY"}, root={"CONSOLIDATED_LIST"}, what="UN consolidated list"
    )
    for node in reader.elements(stream):
        if not stats.published:
            stats.published = partial_date(reader.root_attrs.get("dateGenerated"))
        stats.read += 1
        party = _party(node, stats)
        if party is not None:
            yield party
