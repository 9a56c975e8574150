"""The same behaviour checks against every SMS gateway that can run offline: the console gateway
(development inbox), Infobip and the generic HTTP gateway (JSON, form and GET flavours) against a
local HTTP receiver. `delivered()` reads what arrived at the far end, in each gateway's own
wire format, so the checks compare what the recipient would get."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from hawiya.providers.errors import ProviderRejected
from hawiya.providers.outbox import read_outbox
from hawiya.providers.sms import (
    ConsoleSmsGateway,
    GenericHttpSmsGateway,
    InfobipSmsGateway,
    SmsGateway,
    SmsMessage,
    SmsReceipt,
)
from tests.providers.receivers import HttpReceiver, Recorded, Reply

ARABIC = "رمز التحقق الخاص بك هو 482913. لا تشاركه مع أحد."
NUMBER = "+201234567890"

Delivery = tuple[str, str, str | None]  # (to as E.164, text, sender)


@dataclass
class Subject:
    gateway: SmsGateway
    delivered: Callable[[], list[Delivery]]


_ids = itertools.count(1)


def _infobip_reply(request: Recorded) -> Reply:
    to = request.json()["messages"][0]["destinations"][0]["to"]
    return Reply(
        200,
        {
            "bulkId": "bulk-1",
            "messages": [
                {
                    "to": to,
                    "messageId": f"ib-{next(_ids)}",
                    "status": {
                        "groupId": 1,
                        "groupName": "PENDING",
                        "id": 26,
                        "name": "PENDING_ACCEPTED",
                    },
                }
            ],
        },
    )


def _generic_reply(request: Recorded) -> Reply:
    return Reply(200, {"result": {"id": f"gw-{next(_ids)}"}})


def _from_json(requests: list[Recorded]) -> list[Delivery]:
    out: list[Delivery] = []
    for r in requests:
        body = r.json()
        out.append(("+" + body["to"], body["body"], body["from"] or None))
    return out


def _from_form(pairs: list[dict[str, list[str]]]) -> list[Delivery]:
    return [("+" + p["to"][0], p["msg"][0], p.get("sender", [None])[0]) for p in pairs]


def _console(outbox_dir: Path, receiver: HttpReceiver) -> Subject:
    return Subject(
        ConsoleSmsGateway(outbox_dir),
        lambda: [(r["to"], r["text"], r["sender"]) for r in read_outbox(outbox_dir, "sms")],
    )


def _infobip(outbox_dir: Path, receiver: HttpReceiver) -> Subject:
    receiver.default = _infobip_reply

    def delivered() -> list[Delivery]:
        out: list[Delivery] = []
        for r in receiver.requests:
            entry = r.json()["messages"][0]
            out.append(("+" + entry["destinations"][0]["to"], entry["text"], entry.get("from")))
        return out

    return Subject(InfobipSmsGateway(receiver.url, "key-1"), delivered)


def _http_json(outbox_dir: Path, receiver: HttpReceiver) -> Subject:
    receiver.default = _generic_reply
    gateway = GenericHttpSmsGateway(
        "cequens",
        receiver.url + "/send",
        body_template='{"to": "{to_digits}", "body": "{text}", "from": "{sender}"}',
        message_id_path="result.id",
    )
    return Subject(gateway, lambda: _from_json(receiver.requests))


def _http_form(outbox_dir: Path, receiver: HttpReceiver) -> Subject:
    receiver.default = _generic_reply
    gateway = GenericHttpSmsGateway(
        "victorylink",
        receiver.url + "/send",
        body_template="to={to_digits}&msg={text}&sender={sender}",
        content_type="application/x-www-form-urlencoded",
        message_id_path="result.id",
    )
    return Subject(
        gateway,
        lambda: _from_form(
            [parse_qs(r.body.decode("ascii"), keep_blank_values=True) for r in receiver.requests]
        ),
    )


def _http_get(outbox_dir: Path, receiver: HttpReceiver) -> Subject:
    receiver.default = _generic_reply
    gateway = GenericHttpSmsGateway(
        "orange",
        receiver.url + "/api/send?account=7",
        method="GET",
        body_template="to={to_digits}&msg={text}&sender={sender}",
        content_type="application/x-www-form-urlencoded",
        message_id_path="result.id",
    )
    return Subject(
        gateway,
        lambda: _from_form(
            [parse_qs(urlsplit(r.path).query, keep_blank_values=True) for r in receiver.requests]
        ),
    )


FACTORIES = {
    "console": _console,
    "infobip": _infobip,
    "http-json": _http_json,
    "http-form": _http_form,
    "http-get": _http_get,
}


@pytest.fixture(params=sorted(FACTORIES))
def subject(
    request: pytest.FixtureRequest, outbox_dir: Path, http_receiver: HttpReceiver
) -> Subject:
    return FACTORIES[request.param](outbox_dir, http_receiver)


def test_is_an_sms_gateway(subject: Subject) -> None:
    assert isinstance(subject.gateway, SmsGateway)
    assert isinstance(subject.gateway.name, str)
    assert subject.gateway.name


async def test_delivers_arabic_text_intact_and_returns_a_receipt(subject: Subject) -> None:
    receipt = await subject.gateway.send(SmsMessage(NUMBER, ARABIC, sender="Hawiya"))

    assert isinstance(receipt, SmsReceipt)
    assert receipt.gateway == subject.gateway.name
    assert isinstance(receipt.message_id, str)
    assert receipt.message_id
    assert subject.delivered() == [(NUMBER, ARABIC, "Hawiya")]


async def test_each_message_gets_its_own_id(subject: Subject) -> None:
    first = await subject.gateway.send(SmsMessage(NUMBER, "code 111111", sender="Hawiya"))
    second = await subject.gateway.send(SmsMessage("+201098765432", "code 222222", sender="Hawiya"))

    assert first.message_id != second.message_id
    assert subject.delivered() == [
        (NUMBER, "code 111111", "Hawiya"),
        ("+201098765432", "code 222222", "Hawiya"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        'quote " backslash \\ brace } {sender} {text} & amp = eq + plus % pct',
        "line one\nline two\r\nline three\ttab",
        '", "to": "+19999999999", "x": "',
        "😀 emoji and ‏RTL mark",
    ],
    ids=["metacharacters", "line-breaks", "json-injection", "astral"],
)
async def test_text_with_metacharacters_arrives_verbatim(subject: Subject, text: str) -> None:
    await subject.gateway.send(SmsMessage(NUMBER, text, sender="Hawiya"))

    assert subject.delivered() == [(NUMBER, text, "Hawiya")]


@pytest.mark.parametrize(
    "number",
    ["01234567890", "201234567890", "+20 1234567890", "+2012345678901234567", "+0123456789", ""],
)
async def test_malformed_number_is_rejected_before_anything_is_sent(
    subject: Subject, number: str
) -> None:
    with pytest.raises(ProviderRejected) as caught:
        await subject.gateway.send(SmsMessage(number, "code 123456"))

    assert caught.value.provider == subject.gateway.name
    assert "123456" not in str(caught.value)
    assert subject.delivered() == []


async def test_empty_text_is_rejected_before_anything_is_sent(subject: Subject) -> None:
    with pytest.raises(ProviderRejected):
        await subject.gateway.send(SmsMessage(NUMBER, ""))

    assert subject.delivered() == []
