"""Base classes for wire models.

Requests: unknown fields are refused (TEN-8) and keys match case-insensitively, as the ASP.NET
backend Vlens runs on accepts them (`IdToken` and `idToken` are the same field there).
Responses: camelCase on the wire unless a field spells its own wire name.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


class RequestModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_max_length=4096
    )
    _wire_names: ClassVar[dict[str, str] | None] = None

    @model_validator(mode="before")
    @classmethod
    def _case_insensitive_keys(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        names = cls.__dict__.get("_wire_names_cache")
        if names is None:
            names = {}
            for name, field in cls.model_fields.items():
                wire = field.alias or name
                names[wire.lower()] = wire
                names[name.lower()] = wire
            cls._wire_names_cache = names  # type: ignore[attr-defined]
        return {names.get(str(k).lower(), k): v for k, v in value.items()}
