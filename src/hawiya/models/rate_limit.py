"""Fixed-window request counters shared by every app instance (RES-5)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base


class RateLimitCounter(Base):
    __tablename__ = "rate_limit_counter"

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
