"""The generic HTTP gateway against a local receiver: templates rendered with the right escaping
(never an injection), the exact request, message ids, in-body verdicts and failure mapping."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from hawiya.providers.errors import ProviderRejected, ProviderUnavailable
from hawiya.providers.sms import GenericHttpSmsGateway, SmsMessage
from tests.providers.receivers import HttpReceiver, Reply, closed_port

ARABIC = "رمز التحقق: 739164"
NUMBER = "+201234567890"
JSON_TEMPLATE = (
    '{"account": {"user": "hawiya"}, "to": "{to}", "digits": "{to_digits}", '
    '"text": "{text}", "sender": "{sender}", "flags": [1, true, null]}'
)
FORM_TEMPLATE = "user=hawiya&to={to_digits}&e164={to}&text={text}&sender={sender}&lang=ar"
FORM = "application/x-www-form-urlencoded"
HTTPX_HEADERS = {"host", "accept", "accept-encoding", "connection", "user-agent", "content-length"}


def json_gateway(receiver: HttpReceiver, **kwargs: object) -> GenericHttpSmsGateway:
    options: dict[str, object] = {
        "headers": {"X-Api-Key": "gw-secret-key"},
        "body_template": JSON_TEMPLATE,
        "sender": "Hawiya",
    }
    options.update(kwargs)
    return GenericHttpSmsGateway("cequens", receiver.url + "/v1/sms?route=otp", **options)  # type: ignore[arg-type]


async def test_json_template_request_is_exact(http_receiver: HttpReceiver) -> None:
    receipt = await json_gateway(http_receiver).send(SmsMessage(NUMBER, ARABIC))

    assert receipt.gateway == "cequens"
    assert receipt.message_id is None  # no message_id_path configured
    [request] = http_receiver.requests
    assert request.method == "POST"
    assert request.path == "/v1/sms?route=otp"
    assert request.headers["x-api-key"] == "gw-secret-key"
    assert request.headers["content-type"] == "application/json"
    assert set(request.header_names) == HTTPX_HEADERS | {"x-api-key", "content-type"}
    assert request.json() == {
        "account": {"user": "hawiya"},
        "to": NUMBER,
        "digits": "201234567890",
        "text": ARABIC,
        "sender": "Hawiya",
        "flags": [1, True, None],
    }
    assert ARABIC.encode() in request.body


@pytest.mark.parametrize(
    "text",
    [
        '", "to": "+19999999999", "admin": true, "x": "',
        "\\",
        '"}',
        "{sender}{to}",
        "\u2028\u0000\x1f",
    ],
    ids=["close-string", "backslash", "close-object", "placeholders", "controls"],
)
async def test_json_values_cannot_break_out_of_their_string(
    http_receiver: HttpReceiver, text: str
) -> None:
    await json_gateway(http_receiver).send(SmsMessage(NUMBER, text, sender='S"}'))

    body = http_receiver.requests[0].json()
    assert body["text"] == text
    assert body["sender"] == 'S"}'
    assert body["to"] == NUMBER
    assert set(body) == {"account", "to", "digits", "text", "sender", "flags"}


async def test_form_template_request_is_exact(http_receiver: HttpReceiver) -> None:
    gw = GenericHttpSmsGateway(
        "victorylink",
        http_receiver.url + "/SendSMS",
        headers={"Authorization": "Basic dXNlcjpwYXNz"},
        body_template=FORM_TEMPLATE,
        content_type=FORM,
    )
    text = f"{ARABIC} & more=yes + 100% #1"

    await gw.send(SmsMessage(NUMBER, text, sender="Hawiya"))

    [request] = http_receiver.requests
    assert request.method == "POST"
    assert request.path == "/SendSMS"
    assert request.headers["authorization"] == "Basic dXNlcjpwYXNz"
    assert request.headers["content-type"] == FORM
    assert set(request.header_names) == HTTPX_HEADERS | {"authorization", "content-type"}
    assert request.body.isascii()  # percent-encoded, nothing raw
    assert parse_qs(request.body.decode(), keep_blank_values=True, strict_parsing=True) == {
        "user": ["hawiya"],
        "to": ["201234567890"],
        "e164": [NUMBER],
        "text": [text],
        "sender": ["Hawiya"],
        "lang": ["ar"],
    }


async def test_get_puts_the_form_in_the_query(http_receiver: HttpReceiver) -> None:
    gw = GenericHttpSmsGateway(
        "ezagel",
        http_receiver.url + "/api/send?account=7",
        method="get",
        body_template="to={to_digits}&text={text}&sender={sender}",
        content_type=FORM,
    )

    await gw.send(SmsMessage(NUMBER, ARABIC))

    [request] = http_receiver.requests
    assert request.method == "GET"
    assert request.body == b""
    assert "content-type" not in request.headers
    parts = urlsplit(request.path)
    assert parts.path == "/api/send"
    assert parse_qs(parts.query, keep_blank_values=True) == {
        "account": ["7"],
        "to": ["201234567890"],
        "text": [ARABIC],
        "sender": [""],
    }


async def test_put_and_a_configured_content_type_are_kept(http_receiver: HttpReceiver) -> None:
    gw = json_gateway(
        http_receiver,
        method="PUT",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

    await gw.send(SmsMessage(NUMBER, ARABIC))

    [request] = http_receiver.requests
    assert request.method == "PUT"
    assert request.header_names.count("content-type") == 1
    assert request.headers["content-type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("data.id", {"data": {"id": "abc-1"}}, "abc-1"),
        ("messages.0.messageId", {"messages": [{"messageId": 42}]}, "42"),
        ("data.id", {"data": {}}, None),
        ("data.id", {"data": {"id": {"nested": 1}}}, None),
        ("messages.3.id", {"messages": []}, None),
        ("data.id", "plain text", None),
    ],
)
async def test_message_id_path(
    http_receiver: HttpReceiver, path: str, body: object, expected: str | None
) -> None:
    http_receiver.script(Reply(200, body))  # type: ignore[arg-type]

    receipt = await json_gateway(http_receiver, message_id_path=path).send(SmsMessage(NUMBER, "x"))

    assert receipt.message_id == expected


async def test_in_body_verdict_by_path(http_receiver: HttpReceiver) -> None:
    gw = json_gateway(
        http_receiver, success_path="status.code", success_values=["0", "1"], message_id_path="id"
    )
    http_receiver.script(Reply(200, {"status": {"code": 0}, "id": "ok-1"}))
    assert (await gw.send(SmsMessage(NUMBER, "x"))).message_id == "ok-1"

    http_receiver.script(Reply(200, {"status": {"code": 17}}))
    with pytest.raises(ProviderRejected, match=r"failure \(17\)"):
        await gw.send(SmsMessage(NUMBER, "x"))

    http_receiver.script(Reply(200, {"status": "weird"}))
    with pytest.raises(ProviderRejected):
        await gw.send(SmsMessage(NUMBER, "x"))


async def test_in_body_verdict_of_a_plain_text_body(http_receiver: HttpReceiver) -> None:
    gw = json_gateway(http_receiver, success_values=["0"])
    http_receiver.script(Reply(200, "0\r\n"))
    await gw.send(SmsMessage(NUMBER, "x"))

    http_receiver.script(Reply(200, f"-5 invalid text {ARABIC}"))
    with pytest.raises(ProviderRejected) as caught:
        await gw.send(SmsMessage(NUMBER, ARABIC))
    assert "739164" not in str(caught.value)  # the echoed body is never quoted


@pytest.mark.parametrize("status", [400, 401, 404, 422])
async def test_4xx_is_rejected(http_receiver: HttpReceiver, status: int) -> None:
    http_receiver.script(Reply(status, {"error": f"bad text {ARABIC}"}))

    with pytest.raises(ProviderRejected) as caught:
        await json_gateway(http_receiver).send(SmsMessage(NUMBER, ARABIC))

    assert caught.value.reason == f"HTTP {status}"


@pytest.mark.parametrize("status", [429, 500, 503, 302])
async def test_429_5xx_and_redirects_are_unavailable(
    http_receiver: HttpReceiver, status: int
) -> None:
    http_receiver.script(Reply(status, "", headers={"Location": "http://127.0.0.1:9/x"}))

    with pytest.raises(ProviderUnavailable) as caught:
        await json_gateway(http_receiver).send(SmsMessage(NUMBER, ARABIC))

    assert caught.value.reason == f"HTTP {status}"
    assert len(http_receiver.requests) == 1  # the redirect was not followed


async def test_timeout_is_unavailable(http_receiver: HttpReceiver) -> None:
    http_receiver.script(Reply(200, {}, delay=5))
    started = time.monotonic()

    with pytest.raises(ProviderUnavailable, match=r"timed out after 0\.3 s"):
        await json_gateway(http_receiver, timeout=0.3).send(SmsMessage(NUMBER, ARABIC))

    assert time.monotonic() - started < 3


async def test_refused_connection_is_unavailable() -> None:
    gw = GenericHttpSmsGateway(
        "orange", f"http://127.0.0.1:{closed_port()}/send", body_template='{"t": "{text}"}'
    )

    with pytest.raises(ProviderUnavailable) as caught:
        await gw.send(SmsMessage(NUMBER, ARABIC))

    assert "739164" not in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"body_template": '{"t": "{txt}"}'}, "unknown placeholder"),
        ({"body_template": '{"t": {text}}'}, "not valid JSON"),
        ({"body_template": '{"t": "{text}"'}, "not valid JSON"),
        ({"body_template": "t={text}", "method": "GET"}, "GET"),
        ({"body_template": "t={text}", "method": "PATCH"}, "method"),
        ({"body_template": "t={text}", "content_type": "text/xml"}, "content_type"),
        ({"body_template": "{}", "success_path": "a"}, "success_values"),
        ({"body_template": "{}", "timeout": 0}, "timeout"),
    ],
)
def test_bad_configuration_is_refused_at_construction(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        GenericHttpSmsGateway("gw", "https://sms.example/send", **kwargs)  # type: ignore[arg-type]


def test_url_needs_a_scheme_and_headers_stay_out_of_repr() -> None:
    with pytest.raises(ValueError, match="http"):
        GenericHttpSmsGateway("gw", "sms.example/send", body_template="{}")
    gw = GenericHttpSmsGateway(
        "gw", "https://sms.example/send", headers={"X-Key": "hidden"}, body_template="{}"
    )
    assert "hidden" not in repr(gw)
