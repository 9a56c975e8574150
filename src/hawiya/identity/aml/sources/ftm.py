"""FollowTheMoney entities as JSON lines (the format OpenSanctions and Aleph export): one
{"id", "schema", "properties": {name: [values]}, "datasets": [...]} object per line.

Only parties are kept: Person, Organization, Company, LegalEntity, PublicBody; every other schema
(Sanction, Address, Vessel, Ownership ...) is counted as skipped. Names are name, alias and
previousName (firstName + lastName when there is no name); weakAlias is kept aside, not matched
on. Documents are idNumber (national ID), passportNumber, taxNumber and registrationNumber. In
the "nested" export a party's sanctions come inline under properties.sanctions; their program,
listingDate (or startDate), authorityId and reason are used. In the flat export a Sanction is a
separate line and cannot be joined without holding the file in memory, so it is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any, BinaryIO

from hawiya.identity.aml.sources.base import (
    ENTITY,
    NATIONAL_ID,
    PASSPORT,
    PERSON,
    IdDocument,
    ListedParty,
    ParseOptions,
    ParseStats,
    SourceError,
    clean,
    partial_date,
    unique,
)

PARTIES = {"Person", "Organization", "Company", "LegalEntity", "PublicBody"}
_DOCUMENTS = (
    ("idNumber", NATIONAL_ID),
    ("passportNumber", PASSPORT),
    ("taxNumber", "tax number"),
    ("registrationNumber", "registration number"),
)


def _values(props: dict[str, Any], name: str) -> list[str]:
    value = props.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    elif not isinstance(value, list):
        return []
    out = []
    for item in value:
        if isinstance(item, str) and (text := clean(item)):
            out.append(text)
    return out


def _sanctions(props: dict[str, Any]) -> list[dict[str, Any]]:
    found = props.get("sanctions")
    if not isinstance(found, list):
        return []
    out = []
    for item in found:
        if isinstance(item, dict) and isinstance(item.get("properties"), dict):
            out.append(item["properties"])
    return out


def _entity(obj: dict[str, Any], stats: ParseStats, line: int) -> ListedParty | None:
    entity_id = clean(str(obj.get("id") or ""))
    where = f"line {line}" + (f": {entity_id}" if entity_id else "")
    schema = obj.get("schema")
    if schema not in PARTIES:
        stats.skip(f"not a person or organisation ({schema or 'no schema'})", where)
        return None
    props = obj.get("properties")
    if not isinstance(props, dict):
        stats.skip("no properties", where)
        return None
    names = _values(props, "name") + _values(props, "alias") + _values(props, "previousName")
    if not names:
        first, last = _values(props, "firstName"), _values(props, "lastName")
        names = [" ".join([*first[:1], *last[:1]])] if first or last else []
    names = unique(names)
    if not names:
        stats.skip("no name", where)
        return None
    if not entity_id:
        stats.skip("no id", where)
        return None
    documents = [
        IdDocument(kind, number) for prop, kind in _DOCUMENTS for number in _values(props, prop)
    ]
    listed_on, authority_ids, programmes = None, [], []
    if sanctions := _sanctions(props):
        listings = sorted(
            d
            for s in sanctions
            for d in (partial_date(v) for v in _values(s, "listingDate") + _values(s, "startDate"))
            if d and len(d) == 10
        )
        listed_on = date.fromisoformat(listings[0]) if listings else None
        authority_ids = unique(v for s in sanctions for v in _values(s, "authorityId"))
        programmes = unique(v for s in sanctions for v in _values(s, "program"))
    programmes = programmes or unique(_values(props, "program") + _values(props, "topics"))
    datasets = obj.get("datasets")
    dataset = datasets[0] if isinstance(datasets, list) and datasets else None
    weak = _values(props, "weakAlias")
    if weak:
        known = {n.casefold() for n in names}
        weak = [w for w in unique(weak) if w.casefold() not in known]
    born = [d for d in (partial_date(v) for v in _values(props, "birthDate")) if d]
    return ListedParty(
        reference=entity_id,
        names=names,
        kind=PERSON if schema == "Person" else ENTITY,
        weak_aliases=weak,
        documents=documents,
        birth_dates=born,
        nationalities=unique(_values(props, "nationality") + _values(props, "citizenship")),
        case_no=authority_ids[0] if authority_ids else entity_id,
        case_year=listed_on.year if listed_on else None,
        listed_on=listed_on,
        programmes=programmes,
        dataset=clean(dataset) if isinstance(dataset, str) else None,
        line=line,
    )


def parse(stream: BinaryIO, stats: ParseStats, options: ParseOptions) -> Iterator[ListedParty]:
    for line, raw in enumerate(stream, 1):
        text = raw.strip()
        if not text:
            continue
        stats.read += 1
        try:
            obj = json.loads(text)
        except ValueError:
            if stats.read == 1 and line == 1 and not text.startswith(b"{"):
                raise SourceError(
                    "not a FollowTheMoney JSON lines file: the first line is not a JSON object"
                ) from None
            stats.skip("not valid JSON", f"line {line}")
            continue
        if not isinstance(obj, dict):
            stats.skip("not a JSON object", f"line {line}")
            continue
        party = _entity(obj, stats, line)
        if party is not None:
            yield party
