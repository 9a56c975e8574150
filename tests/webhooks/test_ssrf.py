"""WH-1: the SSRF guard refuses every URL of the checklist's table with the operator setting off,
at registration (over HTTP, 6152) and again at each delivery; redirects are never followed;
the address checked is the address used (no DNS rebinding window)."""

from __future__ import annotations

import ipaddress
import socket
import uuid

import httpx
import pytest
from fastapi import FastAPI

from hawiya.errors import ErrorCode
from hawiya.webhooks import delivery as engine
from hawiya.webhooks.ssrf import Target, UrlGuard, UrlRefused
from tests.http.support import assert_error, assert_success, scanned, tenant_with_admin
from tests.webhooks.receiver import Reply, receiving
from tests.webhooks.support import (
    EVENT,
    attempts,
    deliveries_of,
    delivery,
    emit,
    runtime_for,
    subscribe,
)

PUBLIC = "93.184.215.14"

# A stub DNS: names the checklist asks about, and what they resolve to.
ZONE: dict[str, list[str]] = {
    "internal.example.com": ["10.0.0.5"],
    "rebind.example.com": [PUBLIC, "127.0.0.1"],
    "metadata.example.com": ["169.254.169.254"],
    "loop6.example.com": ["::1"],
    "mapped.example.com": ["::ffff:7f00:1"],
    "nat64.example.com": ["64:ff9b::7f00:1"],
    "cgnat.example.com": ["100.64.0.1"],
    "ula.example.com": ["fd12:3456::1"],
    "multicast.example.com": ["224.0.0.1"],
    "zero.example.com": ["0.0.0.0"],  # noqa: S104 - an answer to refuse
    "public.example.com": [PUBLIC],
    "public6.example.com": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "localhost": ["127.0.0.1", "::1"],
}


async def stub_resolver(host: str, port: int) -> list[str]:
    if host not in ZONE:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return ZONE[host]


REFUSED = [
    "http://127.0.0.1",
    "http://93.184.215.14/hook",  # plain http to a public address
    "https://localhost",
    "https://localhost./hook",
    "https://api.localhost/hook",
    "https://127.0.0.1",
    "https://127.1",
    "https://2130706433",
    "https://0x7f000001",
    "https://0177.0.0.1",
    "https://127.0.0.1.",
    "https://[::1]",
    "https://[::ffff:127.0.0.1]",
    "https://[::ffff:7f00:1]",
    "https://[::]",
    "https://0.0.0.0",
    "https://169.254.169.254/latest/meta-data",
    "https://[fd00:ec2::254]/latest/meta-data",
    "https://100.100.100.200/latest/meta-data",
    "https://10.0.0.1",
    "https://172.16.5.4",
    "https://192.168.1.1",
    "https://100.64.0.1",
    "https://198.18.0.1",
    "https://224.0.0.1",
    "https://255.255.255.255",
    "https://[fe80::1]",
    "https://[fc00::1]",
    "https://[64:ff9b::7f00:1]",
    "https://[2002:7f00:1::]",
    "https://evil.com@127.0.0.1",
    "https://user:pass@public.example.com",
    "https://127。0。0。1/",  # ideographic full stops
    "https://１２７.０.０.１/",  # full-width digits
    "https://internal.example.com/hook",  # a name the stub resolves to 10.0.0.5
    "https://rebind.example.com/hook",  # public first, loopback second
    "https://metadata.example.com/hook",
    "https://loop6.example.com/hook",
    "https://mapped.example.com/hook",
    "https://nat64.example.com/hook",
    "https://cgnat.example.com/hook",
    "https://ula.example.com/hook",
    "https://multicast.example.com/hook",
    "https://zero.example.com/hook",
    "https://nxdomain.example.com/hook",
    "https://public.example.com:8443/hook",  # a port outside the allowlist
    "https://public.example.com:22/hook",
    "ftp://public.example.com/hook",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "https://public.example.com\\@127.0.0.1/",
    "https://exa mple.com/",
    "https:///hook",
]

ACCEPTED = [
    f"https://{PUBLIC}/hook",
    "https://public.example.com/hooks/vlens?x=1",
    "https://PUBLIC.example.com./hook",
    "https://public6.example.com/hook",
    "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook",
    "https://public.example.com:443/hook",
]


def test_the_table_is_the_checklists_size() -> None:
    assert len(REFUSED) >= 30


@pytest.mark.parametrize("url", REFUSED)
async def test_refused_with_the_setting_off(url: str) -> None:
    guard = UrlGuard(allow_private=False, resolver=stub_resolver)
    with pytest.raises(UrlRefused):
        await guard.check(url)


@pytest.mark.parametrize("url", ACCEPTED)
async def test_public_urls_are_accepted(url: str) -> None:
    target = await UrlGuard(allow_private=False, resolver=stub_resolver).check(url)
    assert ipaddress.ip_address(target.address).is_global
    assert target.pinned_url().host == target.address  # the connection goes to what was checked
    assert target.host in target.host_header()  # the Host header keeps the name


async def test_the_setting_lets_loopback_and_private_through_but_not_metadata() -> None:
    guard = UrlGuard(allow_private=True, resolver=stub_resolver)
    for url in (
        "http://127.0.0.1:8080/hook",
        "http://[::1]:9000/",
        "https://10.0.0.5",
        "http://internal.example.com:5000/",
        "http://localhost:8000/",
    ):
        await guard.check(url)
    for url in (
        "http://169.254.169.254/latest/meta-data",
        "http://metadata.example.com/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:7f00:1]/",
        "http://224.0.0.1/",
        "http://[fe80::1]/",
        "http://evil.com@127.0.0.1/",
        "ftp://127.0.0.1/",
    ):
        with pytest.raises(UrlRefused):
            await guard.check(url)


async def test_the_real_resolver_refuses_a_name_of_this_machine() -> None:
    name = socket.gethostname()
    try:
        resolved = socket.gethostbyname(name)
    except OSError:
        pytest.skip("this machine's name does not resolve")
    if not ipaddress.ip_address(resolved).is_loopback or "." in name:
        pytest.skip("this machine's name does not resolve to loopback")
    with pytest.raises(UrlRefused) as refused:
        await UrlGuard(allow_private=False).check(f"https://{name}/hook")
    assert refused.value.reason == "address"


async def test_the_delivery_client_never_follows_redirects() -> None:
    # A receiver answers 302 to another receiver on loopback: the attempt fails with the 302 and
    # the second receiver never sees a request.
    with receiving(default=Reply(404)) as target:
        location = target.url("/stolen")
        with receiving([Reply(302, {"Location": location})]) as first:
            runtime = runtime_for_guard(allow_private=True)
            checked = await runtime.guard.check(first.url())
            outcome = await engine.post(runtime, checked, b"{}", {})
    assert outcome.status_code == 302 and not outcome.ok
    assert "not followed" in (outcome.error or "")
    assert target.requests == [] and len(first.requests) == 1


def runtime_for_guard(*, allow_private: bool) -> engine.DeliveryRuntime:
    from hawiya.config import WebhookSettings
    from hawiya.datakeys.service import DataKeyring

    return engine.DeliveryRuntime.build(
        WebhookSettings(allow_private_networks=allow_private, timeout_seconds=2),
        DataKeyring.build(b"k" * 32),
    )


async def test_registration_over_http_refuses_and_says_why(app: FastAPI) -> None:
    async with scanned(app) as http:
        tenant, token = await tenant_with_admin(app, http)
        headers = tenant.headers(token)
        for url in (
            "http://127.0.0.1:9/hook",
            "https://[::1]/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://10.1.2.3/hook",
            "https://localhost/hook",
        ):
            response = await http.post(
                "/api/hawiya/Webhooks", json={"url": url, "events": [EVENT]}, headers=headers
            )
            body = assert_error(response, ErrorCode.WEBHOOK_URL_REFUSED)
            (problem,) = body["error_descriptions"]
            assert problem["field"] == "url" and problem["code"] in ("scheme", "address")
        listed = await http.get("/api/hawiya/Webhooks", headers=headers)
        assert assert_success(listed) == []


async def test_each_delivery_is_checked_again(app: FastAPI) -> None:
    """Registered while the host was allowed; by the time of delivery it is not: the attempt is
    refused before any connection, and logged."""
    from tests.fixtures.factories import create_tenant

    tenant = await create_tenant(app)
    with receiving() as receiver:
        subscription_id, _ = await subscribe(app, tenant.id, receiver.url())
        await emit(app, tenant.id)
        (row,) = await deliveries_of(app, subscription_id)
        strict = runtime_for(app, allow_private_networks=False)
        assert await engine.deliver_now(app.state.db.writer, strict, uuid.UUID(tenant.id), row.id)
        assert receiver.requests == []
    (attempt,) = await attempts(app, row.id)
    assert attempt.status_code is None
    assert attempt.error is not None and attempt.error.startswith("refused by the SSRF guard")
    assert (await delivery(app, row.id)).status == "pending"  # retried on the schedule


async def test_a_name_that_changes_its_answer_is_refused_at_delivery(app: FastAPI) -> None:
    """Rebinding between registration and delivery: the name resolved to a public address when
    it was registered and resolves to loopback when the attempt is made."""
    from tests.fixtures.factories import create_tenant

    answers = {"flip.example.com": [PUBLIC]}

    async def flipping(host: str, port: int) -> list[str]:
        return answers[host]

    tenant = await create_tenant(app)
    await UrlGuard(allow_private=False, resolver=flipping).check("https://flip.example.com/h")
    subscription_id, _ = await subscribe(
        app, tenant.id, "https://flip.example.com/h", resolver=flipping
    )
    await emit(app, tenant.id)
    (row,) = await deliveries_of(app, subscription_id)
    answers["flip.example.com"] = ["127.0.0.1"]
    runtime = runtime_for(app, allow_private_networks=False, resolver=flipping)
    await engine.deliver_now(app.state.db.writer, runtime, uuid.UUID(tenant.id), row.id)
    (attempt,) = await attempts(app, row.id)
    assert attempt.error is not None and "127.0.0.1" in attempt.error


def test_the_pinned_request_names_the_host_for_tls() -> None:
    target = Target(
        url=httpx.URL("https://hooks.example.com:8443/a?b=1"),
        host="hooks.example.com",
        port=8443,
        address=PUBLIC,
    )
    assert str(target.pinned_url()) == f"https://{PUBLIC}:8443/a?b=1"
    assert target.host_header() == "hooks.example.com:8443"
