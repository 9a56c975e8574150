"""OTP-8: a code is bound to its tenant, its purpose, its challenge and, for signing, to the
contract and the hash of its content."""

from __future__ import annotations

import uuid

from fastapi import FastAPI

from hawiya.errors import ErrorCode
from hawiya.otp.codes import binding_hash
from hawiya.otp.policy import OtpPurpose
from tests.fixtures.factories import create_tenant
from tests.otp.helpers import OtpHarness, expected_hmac, new_phone, refused

SIGN = OtpPurpose.CONTRACT_SIGN


async def test_a_code_from_tenant_x_is_rejected_in_tenant_y(otp: OtpHarness, app: FastAPI) -> None:
    tenant_y = uuid.UUID((await create_tenant(app)).id)
    phone = new_phone()
    issued = await otp.issue(phone)

    await refused(
        otp.verify(phone, issued.challenge_id, issued.code, tenant_id=tenant_y),
        ErrorCode.OTP_INVALID,
    )
    # Tenant Y's attempt neither consumed nor even touched tenant X's challenge ...
    row = await otp.challenge(issued.challenge_id)
    assert (row.verified_at, row.attempts) == (None, 0)
    # ... and the code is still good where it was issued.
    await otp.verify(phone, issued.challenge_id, issued.code)


def test_the_stored_hmac_depends_on_tenant_and_challenge() -> None:
    key, challenge, code = b"k" * 32, uuid.uuid4(), "123456"
    x, y = uuid.uuid4(), uuid.uuid4()
    assert expected_hmac(key, x, challenge, code) != expected_hmac(key, y, challenge, code)
    assert expected_hmac(key, x, challenge, code) != expected_hmac(key, x, uuid.uuid4(), code)


async def test_a_code_is_bound_to_its_purpose(otp: OtpHarness) -> None:
    phone = new_phone()
    issued = await otp.issue(phone, purpose=OtpPurpose.REGISTER_PHONE)
    for purpose in (OtpPurpose.LOGIN_DEVICE, OtpPurpose.PASSWORD_RESET, SIGN):
        await refused(
            otp.verify(phone, issued.challenge_id, issued.code, purpose=purpose),
            ErrorCode.OTP_INVALID,
        )
    await otp.verify(phone, issued.challenge_id, issued.code, purpose=OtpPurpose.REGISTER_PHONE)


async def test_a_code_is_bound_to_the_contract_and_its_content(otp: OtpHarness) -> None:
    phone = new_phone()
    contract_a = binding_hash("contract-A", "sha-1")
    issued = await otp.issue(phone, purpose=SIGN, binding=contract_a)

    for binding in (
        binding_hash("contract-B", "sha-1"),  # another contract
        binding_hash("contract-A", "sha-2"),  # the contract was edited after the code was sent
        "",  # no binding at all
    ):
        await refused(
            otp.verify(phone, issued.challenge_id, issued.code, purpose=SIGN, binding=binding),
            ErrorCode.OTP_INVALID,
        )
    assert (await otp.challenge(issued.challenge_id)).verified_at is None

    row = await otp.verify(
        phone, issued.challenge_id, issued.code, purpose=SIGN, binding=contract_a
    )
    assert row.binding == contract_a


async def test_an_unbound_code_cannot_sign_a_contract(otp: OtpHarness) -> None:
    phone = new_phone()
    issued = await otp.issue(phone, purpose=SIGN)
    await refused(
        otp.verify(
            phone,
            issued.challenge_id,
            issued.code,
            purpose=SIGN,
            binding=binding_hash("contract-A", "sha-1"),
        ),
        ErrorCode.OTP_INVALID,
    )


def test_binding_hash_differs_per_contract_and_content() -> None:
    assert binding_hash("contract-A", "sha-1") != binding_hash("contract-B", "sha-1")
    assert binding_hash("contract-A", "sha-1") != binding_hash("contract-A", "sha-2")
    assert len(binding_hash("contract-A", "sha-1")) == 64
    assert binding_hash() == ""
