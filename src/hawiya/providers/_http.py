"""One HTTP exchange with a provider, its failures mapped to ProviderUnavailable/ProviderRejected.

Error reasons carry the status code and what the caller chooses to add, never the request (its
body or query may hold an OTP, its headers a credential) and never the raw response body (gateways
echo the message back in errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from hawiya.providers.errors import ProviderRejected, ProviderUnavailable

DEFAULT_TIMEOUT = 10.0


async def exchange(
    provider: str,
    client: httpx.AsyncClient | None,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    content: bytes | None,
    seconds: float,
) -> httpx.Response:
    """Send one request; transport failures and timeouts become ProviderUnavailable.

    With no client a short-lived one is opened for this request; a given client is used as is
    (its connection pool shared) but with this call's timeout. Redirects are not followed.
    """
    try:
        if client is None:
            async with httpx.AsyncClient(timeout=seconds) as own:
                return await _send(own, method, url, headers, content, seconds)
        return await _send(client, method, url, headers, content, seconds)
    except httpx.TimeoutException as exc:
        raise ProviderUnavailable(provider, f"timed out after {seconds:g} s") from exc
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(provider, _describe(exc)) from exc
    except httpx.InvalidURL as exc:
        raise ProviderUnavailable(provider, "invalid gateway URL") from exc


async def _send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: Mapping[str, str],
    content: bytes | None,
    seconds: float,
) -> httpx.Response:
    response = await client.request(
        method, url, headers=dict(headers), content=content, timeout=seconds
    )
    await response.aread()
    return response


def _describe(exc: Exception) -> str:
    detail = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {detail[:200]}" if detail else name


def raise_for_status(provider: str, response: httpx.Response, detail: str | None = None) -> None:
    """2xx passes; 429 and 5xx are ProviderUnavailable; any other 4xx is ProviderRejected; the
    rest (1xx, a redirect: a misconfigured URL) is ProviderUnavailable."""
    status = response.status_code
    if 200 <= status < 300:
        return
    reason = f"HTTP {status}" + (f" ({detail})" if detail else "")
    if 400 <= status < 500 and status != 429:
        raise ProviderRejected(provider, reason)
    raise ProviderUnavailable(provider, reason)


def json_or_none(response: httpx.Response) -> Any:
    """The response body as JSON, or None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None
