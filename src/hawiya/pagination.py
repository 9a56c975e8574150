"""SkipCount / MaxResultCount paging (spec §1.5), names matched case-insensitively, bounded
(RES-4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from hawiya.errors import ApiError, ErrorCode


@dataclass(frozen=True, slots=True)
class PageParams:
    skip: int
    limit: int


def _read(request: Request, name: str) -> str | None:
    wanted = name.lower()
    for key, value in request.query_params.multi_items():
        if key.lower() == wanted:
            return value
    return None


def page_params(
    request: Request,
    skip_count: Annotated[int | None, Query(alias="SkipCount", ge=0)] = None,
    max_result_count: Annotated[int | None, Query(alias="MaxResultCount", ge=1)] = None,
) -> PageParams:
    # The Query declarations document the parameters; the values are read case-insensitively
    # because clients send both skipCount and SkipCount (the Vlens docs use both spellings).
    settings = request.app.state.settings
    values: dict[str, int] = {}
    for name in ("SkipCount", "MaxResultCount"):
        raw = _read(request, name)
        if raw is None:
            continue
        try:
            values[name] = int(raw)
        except ValueError:
            raise ApiError(
                ErrorCode.VALIDATION_FAILED,
                descriptions=[
                    {"field": name, "code": "int_parsing", "message": "must be an integer"}
                ],
            ) from None
    skip = values.get("SkipCount", 0)
    limit = values.get("MaxResultCount", settings.http.default_page_size)
    if skip < 0 or skip > 1_000_000_000 or limit < 1:
        raise ApiError(
            ErrorCode.VALIDATION_FAILED,
            descriptions=[
                {
                    "field": "SkipCount/MaxResultCount",
                    "code": "out_of_range",
                    "message": "SkipCount >= 0 and MaxResultCount >= 1",
                }
            ],
        )
    return PageParams(skip=skip, limit=min(limit, settings.http.max_page_size))


Paging = Annotated[PageParams, Depends(page_params)]
