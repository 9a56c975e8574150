"""Wire models of the manual-review endpoints (the project's admin namespace, /api/hawiya)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hawiya.schemas import ApiModel, RequestModel


class ReviewDecisionInput(RequestModel):
    reason: str = Field(min_length=1, max_length=1000)


class StepProblem(ApiModel):
    step: str
    code: int
    field: str | None = None
    message: str


class ReviewItem(ApiModel):
    transaction_id: str
    client_transaction_id: str | None = None
    user_id: int | None = None
    phone_number: str | None = None
    state: str
    reasons: list[str]
    front_state: str
    back_state: str
    liveness_state: str
    is_completed: bool
    creation_time: datetime
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_reason: str | None = None


class ReviewDetail(ReviewItem):
    problems: list[StepProblem]
    # Scores, thresholds and model versions of each step (BIO-1), and the AML hits.
    results: dict[str, Any]
    images: list[str]
    id_front_data: dict[str, Any] | None = None
    id_back_data: dict[str, Any] | None = None
