"""Infobip's "Send SMS message" API against a local receiver: the exact request on the wire, and
each scripted answer mapped to a receipt, ProviderRejected or ProviderUnavailable."""

from __future__ import annotations

import time

import httpx
import pytest

from hawiya.providers.errors import ProviderError, ProviderRejected, ProviderUnavailable
from hawiya.providers.sms import InfobipSmsGateway, SmsMessage
from tests.providers.receivers import HttpReceiver, Reply, closed_port

ARABIC = "رمز التحقق: 739164"
NUMBER = "+201234567890"
API_KEY = "0123456789abcdef-secret-api-key"


def accepted(message_id: str = "4173221354493533530", group: str = "PENDING") -> Reply:
    return Reply(
        200,
        {
            "bulkId": "2034072219640523072",
            "messages": [
                {
                    "messageId": message_id,
                    "status": {
                        "description": "Message sent to next instance",
                        "groupId": 1,
                        "groupName": group,
                        "id": 26,
                        "name": "PENDING_ACCEPTED",
                    },
                    "to": "201234567890",
                }
            ],
        },
    )


def gateway(receiver: HttpReceiver, **kwargs: object) -> InfobipSmsGateway:
    return InfobipSmsGateway(receiver.url, API_KEY, "Hawiya", **kwargs)  # type: ignore[arg-type]


def assert_clean(error: ProviderError) -> None:
    """No secret and no OTP in an error that may be logged."""
    text = str(error)
    assert API_KEY not in text
    assert "739164" not in text
    assert "201234567890" not in text


async def test_sends_the_exact_request(http_receiver: HttpReceiver) -> None:
    http_receiver.script(accepted())

    receipt = await gateway(http_receiver).send(SmsMessage(NUMBER, ARABIC))

    assert receipt.gateway == "infobip"
    assert receipt.message_id == "4173221354493533530"
    [request] = http_receiver.requests
    assert request.method == "POST"
    assert request.path == "/sms/2/text/advanced"
    assert request.headers["authorization"] == f"App {API_KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert request.header_names.count("authorization") == 1
    assert set(request.header_names) == {
        "host",
        "accept",
        "accept-encoding",
        "connection",
        "user-agent",
        "content-length",
        "authorization",
        "content-type",
    }
    assert request.json() == {
        "messages": [{"destinations": [{"to": "201234567890"}], "from": "Hawiya", "text": ARABIC}]
    }
    # UTF-8 on the wire, not a lossy or double encoding.
    assert ARABIC.encode("utf-8") in request.body


async def test_the_message_sender_overrides_the_configured_one(
    http_receiver: HttpReceiver,
) -> None:
    http_receiver.script(accepted())
    await gateway(http_receiver).send(SmsMessage(NUMBER, "hi", sender="Bank"))

    assert http_receiver.requests[0].json()["messages"][0]["from"] == "Bank"


async def test_no_sender_anywhere_leaves_from_out(http_receiver: HttpReceiver) -> None:
    http_receiver.script(accepted())
    await InfobipSmsGateway(http_receiver.url, API_KEY).send(SmsMessage(NUMBER, "hi"))

    assert "from" not in http_receiver.requests[0].json()["messages"][0]


async def test_a_shared_client_is_used_and_left_open(http_receiver: HttpReceiver) -> None:
    http_receiver.script(accepted("m-1"), accepted("m-2"))
    async with httpx.AsyncClient() as client:
        gw = gateway(http_receiver, client=client)
        first = await gw.send(SmsMessage(NUMBER, "one"))
        second = await gw.send(SmsMessage(NUMBER, "two"))
        assert not client.is_closed

    assert (first.message_id, second.message_id) == ("m-1", "m-2")
    assert len(http_receiver.requests) == 2


@pytest.mark.parametrize("group", ["REJECTED", "UNDELIVERABLE"])
async def test_a_refused_status_group_is_rejected(http_receiver: HttpReceiver, group: str) -> None:
    http_receiver.script(
        Reply(
            200,
            {
                "messages": [
                    {
                        "messageId": "x",
                        "status": {
                            "groupId": 5,
                            "groupName": group,
                            "id": 6,
                            "name": f"{group}_DESTINATION",
                        },
                    }
                ]
            },
        )
    )

    with pytest.raises(ProviderRejected) as caught:
        await gateway(http_receiver).send(SmsMessage(NUMBER, ARABIC))

    assert caught.value.provider == "infobip"
    assert group in caught.value.reason
    assert_clean(caught.value)


@pytest.mark.parametrize(
    ("status", "code"), [(400, "BAD_REQUEST"), (401, "UNAUTHORIZED"), (403, "FORBIDDEN")]
)
async def test_a_4xx_is_rejected_with_infobips_error_code(
    http_receiver: HttpReceiver, status: int, code: str
) -> None:
    http_receiver.script(
        Reply(
            status,
            {
                "requestError": {
                    "serviceException": {
                        "messageId": code,
                        "text": f"echo of the request: {ARABIC} to 201234567890",
                    }
                }
            },
        )
    )

    with pytest.raises(ProviderRejected) as caught:
        await gateway(http_receiver).send(SmsMessage(NUMBER, ARABIC))

    assert caught.value.reason == f"HTTP {status} ({code})"
    assert_clean(caught.value)


@pytest.mark.parametrize("status", [429, 500, 502, 503])
async def test_429_and_5xx_are_unavailable(http_receiver: HttpReceiver, status: int) -> None:
    http_receiver.script(Reply(status, "<html>upstream trouble</html>"))

    with pytest.raises(ProviderUnavailable) as caught:
        await gateway(http_receiver).send(SmsMessage(NUMBER, ARABIC))

    assert caught.value.reason == f"HTTP {status}"


@pytest.mark.parametrize(
    "body", ["not json", {"bulkId": "1"}, {"messages": []}, {"messages": "x"}], ids=repr
)
async def test_an_unreadable_success_is_unavailable_not_a_fake_receipt(
    http_receiver: HttpReceiver, body: str | dict[str, object]
) -> None:
    http_receiver.script(Reply(200, body))

    with pytest.raises(ProviderUnavailable, match="unreadable"):
        await gateway(http_receiver).send(SmsMessage(NUMBER, ARABIC))


async def test_a_timeout_is_unavailable(http_receiver: HttpReceiver) -> None:
    http_receiver.script(Reply(200, {}, delay=5))
    started = time.monotonic()

    with pytest.raises(ProviderUnavailable) as caught:
        await gateway(http_receiver, timeout=0.3).send(SmsMessage(NUMBER, ARABIC))

    assert time.monotonic() - started < 3
    assert "timed out" in caught.value.reason
    assert_clean(caught.value)


async def test_a_refused_connection_is_unavailable() -> None:
    gw = InfobipSmsGateway(f"http://127.0.0.1:{closed_port()}", API_KEY, "Hawiya")

    with pytest.raises(ProviderUnavailable) as caught:
        await gw.send(SmsMessage(NUMBER, ARABIC))

    assert "ConnectError" in caught.value.reason
    assert_clean(caught.value)


def test_base_url_forms() -> None:
    assert InfobipSmsGateway("abcd.api.infobip.com", "k").url == (
        "https://abcd.api.infobip.com/sms/2/text/advanced"
    )
    assert InfobipSmsGateway("https://abcd.api.infobip.com/", "k").url == (
        "https://abcd.api.infobip.com/sms/2/text/advanced"
    )


def test_configuration_is_checked_and_the_key_never_shown() -> None:
    with pytest.raises(ValueError, match="base_url"):
        InfobipSmsGateway(" ", "k")
    with pytest.raises(ValueError, match="api_key"):
        InfobipSmsGateway("x.api.infobip.com", "")
    with pytest.raises(ValueError, match="timeout"):
        InfobipSmsGateway("x.api.infobip.com", "k", timeout=0)
    assert API_KEY not in repr(InfobipSmsGateway("x.api.infobip.com", API_KEY))
