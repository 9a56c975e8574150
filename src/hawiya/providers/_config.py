"""Reading a provider's configuration mapping, with errors that name the key at fault."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any


class ConfigReader:
    """Typed access to one provider's config; unknown keys are refused up front (a misspelt
    optional key would otherwise be silently ignored). A "kind" key is tolerated, so a stored
    configuration may carry its own kind."""

    def __init__(self, what: str, config: Mapping[str, Any], allowed: Collection[str]) -> None:
        if not isinstance(config, Mapping):
            raise ValueError(f"{what}: configuration must be a mapping")
        unknown = sorted(set(config) - set(allowed) - {"kind"})
        if unknown:
            raise ValueError(
                f"{what}: unknown configuration key(s) {', '.join(map(str, unknown))}; "
                f"allowed: {', '.join(sorted(allowed))}"
            )
        self.what = what
        self.config = config

    def _missing(self, key: str) -> ValueError:
        return ValueError(f"{self.what}: missing required configuration key {key!r}")

    def _wrong(self, key: str, expected: str) -> ValueError:
        return ValueError(f"{self.what}: configuration key {key!r} must be {expected}")

    def string(self, key: str) -> str:
        value = self.optional_string(key)
        if value is None:
            raise self._missing(key)
        return value

    def optional_string(self, key: str, default: str | None = None) -> str | None:
        value = self.config.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self._wrong(key, "a string")
        if not value.strip():
            raise self._wrong(key, "a non-empty string")
        return value

    def secret(self, key: str) -> str:
        value = self.optional_secret(key)
        if value is None:
            raise self._missing(key)
        return value

    def optional_secret(self, key: str) -> str | None:
        """A string, or anything with get_secret_value() (a pydantic SecretStr)."""
        value = self.config.get(key)
        reveal = getattr(value, "get_secret_value", None)
        if callable(reveal):
            value = reveal()
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self._wrong(key, "a string")
        return value

    def number(self, key: str, default: float) -> float:
        value = self.config.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self._wrong(key, "a positive number")
        return float(value)

    def integer(self, key: str, default: int | None = None) -> int:
        value = self.config.get(key, default)
        if value is None:
            raise self._missing(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
            raise self._wrong(key, "an integer between 1 and 65535")
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.config.get(key, default)
        if not isinstance(value, bool):
            raise self._wrong(key, "true or false")
        return value

    def string_map(self, key: str) -> dict[str, str]:
        value = self.config.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise self._wrong(key, "a mapping of strings to strings")
        return dict(value)

    def string_list(self, key: str) -> list[str] | None:
        value = self.config.get(key)
        if value is None:
            return None
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise self._wrong(key, "a list of strings")
        if not value or not all(isinstance(v, str) for v in value):
            raise self._wrong(key, "a non-empty list of strings")
        return list(value)

    def choice(
        self, key: str, choices: Collection[str], default: str, *, upper: bool = False
    ) -> str:
        value = self.config.get(key, default)
        if upper and isinstance(value, str):
            value = value.upper()
        if value not in choices:
            raise self._wrong(key, "one of " + ", ".join(map(repr, choices)))
        return str(value)
