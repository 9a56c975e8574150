"""Loader of vlens_endpoints.json: every Vlens endpoint the spec documents, one record each.

The JSON is the committed, canonical list (method, path, spec section, tag, auth notation, roadmap
capability). docs/compatibility.md is generated from it and the app's routes by
scripts/gen_docs.py; tests/test_docs.py keeps it in step with shared/spec/vlens-api.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, cast

Tag = Literal["NEW", "OLD", "SDK", "INFERRED"]
TAGS: tuple[Tag, ...] = ("NEW", "OLD", "SDK", "INFERRED")
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
RESOURCE = "vlens_endpoints.json"


@dataclass(frozen=True, slots=True)
class Section:
    source: str  # spec file under shared/spec, e.g. "vlens-api.md"
    section: str  # e.g. "2.4"
    title: str


@dataclass(frozen=True, slots=True)
class VlensEndpoint:
    method: str
    path: str  # exact, case-sensitive; path parameters as {name}
    name: str
    source: str
    section: str
    tag: Tag
    auth: str  # spec §2 notation: K, K+U, K+A, K+(U), with remarks
    capability: int  # roadmap capability that implements it
    alias_of: str | None  # "METHOD /path" of the endpoint this one aliases
    note: str | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class UnknownPath:
    """An operation the spec names without a usable path; listed, never invented."""

    name: str
    source: str
    section: str
    tag: Tag
    auth: str
    capability: int
    note: str
    # Hawiya's own routes that carry the operation ("METHOD /path"), when it has chosen names.
    covered_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Catalogue:
    endpoints: tuple[VlensEndpoint, ...]
    unknown_paths: tuple[UnknownPath, ...]
    sections: tuple[Section, ...]
    capabilities: dict[int, str]
    tags: dict[str, str]
    auth: dict[str, str]

    def find(self, method: str, path: str) -> VlensEndpoint | None:
        for endpoint in self.endpoints:
            if endpoint.key == (method, path):
                return endpoint
        return None


def _tag(value: Any) -> Tag:
    if value not in TAGS:
        raise ValueError(f"{RESOURCE}: unknown tag {value!r}")
    return cast(Tag, value)


def parse(raw: dict[str, Any]) -> Catalogue:
    """Build and check the catalogue; raises ValueError on an inconsistent file."""
    capabilities = {int(k): str(v) for k, v in raw["capabilities"].items()}
    sections = tuple(Section(s["source"], s["section"], s["title"]) for s in raw["sections"])
    known_sections = {(s.source, s.section) for s in sections}
    endpoints = tuple(
        VlensEndpoint(
            method=e["method"],
            path=e["path"],
            name=e["name"],
            source=e["source"],
            section=e["section"],
            tag=_tag(e["tag"]),
            auth=e["auth"],
            capability=int(e["capability"]),
            alias_of=e.get("alias_of"),
            note=e.get("note"),
        )
        for e in raw["endpoints"]
    )
    unknown = tuple(
        UnknownPath(
            name=u["name"],
            source=u["source"],
            section=u["section"],
            tag=_tag(u["tag"]),
            auth=u["auth"],
            capability=int(u["capability"]),
            note=u["note"],
            covered_by=tuple(u.get("covered_by", ())),
        )
        for u in raw["unknown_paths"]
    )
    seen: set[tuple[str, str]] = set()
    labels = {e.label for e in endpoints}
    for e in endpoints:
        if e.method not in METHODS or not e.path.startswith("/"):
            raise ValueError(f"{RESOURCE}: bad method or path in {e.label!r}")
        if e.key in seen:
            raise ValueError(f"{RESOURCE}: duplicate endpoint {e.label!r}")
        seen.add(e.key)
        if e.alias_of is not None and e.alias_of not in labels:
            raise ValueError(f"{RESOURCE}: {e.label!r} aliases unlisted {e.alias_of!r}")
    items: tuple[VlensEndpoint | UnknownPath, ...] = (*endpoints, *unknown)
    for item in items:
        if item.capability not in capabilities:
            raise ValueError(f"{RESOURCE}: {item.name!r} names unknown capability")
        if (item.source, item.section) not in known_sections:
            raise ValueError(f"{RESOURCE}: {item.name!r} names unknown section {item.section}")
    return Catalogue(
        endpoints=endpoints,
        unknown_paths=unknown,
        sections=sections,
        capabilities=capabilities,
        tags=dict(raw["tags"]),
        auth=dict(raw["auth"]),
    )


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    text = resources.files("hawiya.compat").joinpath(RESOURCE).read_text(encoding="utf-8")
    return parse(json.loads(text))
