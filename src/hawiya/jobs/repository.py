"""Claiming and finishing jobs. On PostgreSQL FOR UPDATE SKIP LOCKED lets several workers claim
side by side; on SQLite the write lock taken by BEGIN IMMEDIATE serialises claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from hawiya.db.repository import Repository
from hawiya.models import Job


class JobRepository(Repository[Job]):
    model = Job

    async def claim(self, now: datetime, names: list[str]) -> Job | None:
        due = or_(
            (Job.status == "pending") & (Job.run_at <= now),
            # A worker that died mid-job leaves it running with an expired lease: take it over.
            (Job.status == "running") & (Job.locked_until < now),
        )
        query = (
            select(Job)
            .where(due, Job.name.in_(names))
            .order_by(Job.run_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def by_status(self, status: str | None, limit: int) -> list[Job]:
        query = select(Job).order_by(Job.created_at.desc()).limit(limit)
        if status:
            query = query.where(Job.status == status)
        return list((await self.session.execute(query)).scalars())
