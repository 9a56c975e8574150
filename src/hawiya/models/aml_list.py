"""Imported sanctions and watch lists (`aml_list`) and their entries (`aml_entry`).

A list with no tenant is a public list every tenant is screened against (UN, OFAC, EU,
FollowTheMoney); a list with a tenant is that tenant's own blacklist, seen by it alone. A list is
imported as a new version in state "importing", invisible to screening, and made "active" in one
short transaction that also retires the version it replaces, so screening never sees half a list
(docs/aml.md). `active_key` is set only on the active version of a source, and is unique, so two
imports racing each other cannot leave two active versions.

In a tenant blacklist the national ID number is personal data: it is kept only encrypted under
the tenant's data key, bound to its list and entry, with a keyed hash for lookups (PRV-3); public
lists keep their document numbers in clear in `id_numbers`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, IdMixin
from hawiya.db.types import JsonDict
from hawiya.kit.clock import utcnow

_BIGINT_ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys

IMPORTING, ACTIVE, RETIRED, FAILED = "importing", "active", "retired", "failed"


class AmlList(IdMixin, Base):
    __tablename__ = "aml_list"
    __table_args__ = (Index("ix_aml_list_tenant_id", "tenant_id", "source", "name"),)

    # NULL: a public list for every tenant; set: that tenant's own blacklist.
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenant.id", ondelete="CASCADE"), default=None
    )
    source: Mapped[str] = mapped_column(String(16))  # UN | OFAC | EU | FTM | BLACKLIST
    format: Mapped[str] = mapped_column(String(16))  # un | ofac-xml | ofac-csv | eu | ftm | ...
    name: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default=IMPORTING)
    # "<tenant or global>|<source>|<name>" on the active version only (unique); NULL otherwise.
    active_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(default=None)
    entry_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    imported_by: Mapped[str] = mapped_column(String(128))
    # Counts of what was read (names, id numbers, skipped and warnings by reason), the files and
    # their sizes, and the list's own publication date. Never personal data.
    details: Mapped[dict[str, Any]] = mapped_column(JsonDict, default=dict)


class AmlEntry(Base):
    __tablename__ = "aml_entry"
    __table_args__ = (Index("ix_aml_entry_tenant_id", "tenant_id", "id_number_hash"),)

    id: Mapped[int] = mapped_column(_BIGINT_ID, primary_key=True, autoincrement=True)
    list_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("aml_list.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenant.id", ondelete="CASCADE"), default=None
    )
    entry_id: Mapped[str] = mapped_column(String(128))  # the list's own id; unique in its list
    kind: Mapped[str] = mapped_column(String(16))  # person | entity
    names: Mapped[list[str]] = mapped_column(JsonDict)  # primary name first, then strong aliases
    case_no: Mapped[str | None] = mapped_column(String(128), default=None)
    case_year: Mapped[int | None] = mapped_column(default=None)
    record_date: Mapped[datetime | None] = mapped_column(default=None)  # listed on
    date_of_birth: Mapped[datetime | None] = mapped_column(default=None)  # when a whole day
    nationality: Mapped[str | None] = mapped_column(String(255), default=None)
    programme: Mapped[str | None] = mapped_column(String(255), default=None)
    dataset: Mapped[str | None] = mapped_column(String(64), default=None)  # FollowTheMoney
    # Public lists: document numbers in clear, national IDs first.
    id_numbers: Mapped[list[str]] = mapped_column(JsonDict, default=list)
    # Tenant blacklists: the national ID encrypted (context "aml:<list id>:<entry id>") and
    # its keyed lookup hash; id_numbers stays empty.
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    # Weak aliases, every date of birth as given, documents with their types, all programmes.
    details: Mapped[dict[str, Any]] = mapped_column(JsonDict, default=dict)
