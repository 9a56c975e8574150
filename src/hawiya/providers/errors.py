"""The two ways a provider call fails."""

from __future__ import annotations


class ProviderError(Exception):
    def __init__(self, provider: str, reason: str) -> None:
        super().__init__(f"{provider}: {reason}")
        self.provider = provider
        self.reason = reason


class ProviderUnavailable(ProviderError):
    """Network failure, timeout, 5xx, missing configuration at run time: retrying may help."""


class ProviderRejected(ProviderError):
    """The provider refused the input (bad number, bad token, 4xx): retrying will not help."""
