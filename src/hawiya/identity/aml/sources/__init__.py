"""Readers for sanctions and watch lists: one module per format, all yielding `ListedParty`
records and counting in `ParseStats` what they skipped and why. Pure and streaming: no database,
memory bounded by one record whatever the file's size.

`FORMATS` names each format as the CLI does (`hawiya aml import FORMAT PATH`).
"""

from __future__ import annotations

from dataclasses import dataclass

from hawiya.identity.aml.sources import blacklist, eu, ftm, ofac, un
from hawiya.identity.aml.sources.base import (
    ENTITY,
    NATIONAL_ID,
    PASSPORT,
    PERSON,
    IdDocument,
    ListedParty,
    ParseOptions,
    Parser,
    ParseStats,
    SourceError,
    SourceFile,
    Tally,
    UnsafeXmlError,
)


@dataclass(frozen=True, slots=True)
class Format:
    name: str  # as the CLI names it
    source: str  # the list family: re-importing the same family and name replaces a list
    parse: Parser
    default_name: str  # "": the file name without its extension
    tenant_only: bool = False  # a tenant's own list (never global)
    description: str = ""


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("un", "UN", un.parse, "un-sc-consolidated", description="UN Security Council "
               "consolidated list (XML)"),
        Format("ofac-xml", "OFAC", ofac.parse_xml, "ofac-sdn", description="OFAC SDN list (XML)"),
        Format("ofac-csv", "OFAC", ofac.parse_csv, "ofac-sdn", description="OFAC SDN list "
               "(legacy sdn.csv, optional alt.csv)"),
        Format("eu", "EU", eu.parse, "eu-fsf", description="EU consolidated financial "
               "sanctions list (XML)"),
        Format("ftm", "FTM", ftm.parse, "", description="FollowTheMoney entities (JSON lines); "
               "named after the file unless --name is given"),
        Format("blacklist", "BLACKLIST", blacklist.parse, "blacklist", tenant_only=True,
               description="a tenant's own blacklist (CSV)"),
    )
}  # fmt: skip

__all__ = [
    "ENTITY",
    "FORMATS",
    "NATIONAL_ID",
    "PASSPORT",
    "PERSON",
    "Format",
    "IdDocument",
    "ListedParty",
    "ParseOptions",
    "ParseStats",
    "Parser",
    "SourceError",
    "SourceFile",
    "Tally",
    "UnsafeXmlError",
]
