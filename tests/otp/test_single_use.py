"""OTP-3: a code is accepted once. Of 20 racing correct attempts exactly one wins, and the database
records one verification. redeem=True allows one, and only one, further use inside the redeem
window."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from hawiya.errors import ApiError, ErrorCode
from hawiya.kit.clock import Clock
from hawiya.models import OtpChallenge
from tests.otp.helpers import OtpHarness, freeze_base, move, new_phone, other_code, outcome, refused

RACERS = 20


def split(results: list[object]) -> tuple[list[OtpChallenge], list[ApiError]]:
    wins = [r for r in results if isinstance(r, OtpChallenge)]
    losses = [r for r in results if isinstance(r, ApiError)]
    assert len(wins) + len(losses) == len(results), results  # nothing else escaped
    return wins, losses


async def test_second_use_of_a_code_fails(otp: OtpHarness) -> None:
    phone = new_phone()
    issued = await otp.issue(phone)
    await otp.verify(phone, issued.challenge_id, issued.code)
    await refused(otp.verify(phone, issued.challenge_id, issued.code), ErrorCode.OTP_INVALID)
    await refused(otp.verify(phone, issued.challenge_id, issued.code), ErrorCode.OTP_INVALID)


async def test_twenty_racing_correct_attempts_have_exactly_one_winner(otp: OtpHarness) -> None:
    otp.policy = replace(otp.policy, lock_after_failures=100)  # every loser answers 1201
    phone = new_phone()
    issued = await otp.issue(phone)

    results = await asyncio.gather(
        *(outcome(otp.verify(phone, issued.challenge_id, issued.code)) for _ in range(RACERS))
    )

    wins, losses = split(list(results))
    assert len(wins) == 1
    assert [e.code for e in losses] == [ErrorCode.OTP_INVALID] * (RACERS - 1)
    row = await otp.challenge(issued.challenge_id)
    assert row.verified_at == wins[0].verified_at
    assert row.verified_at is not None
    assert row.redeemed_at is None
    assert (row.attempts, row.dead) == (0, False)
    # Every loser was counted, none lost to a race: the state row serialises the attempts.
    state = await otp.state(phone)
    assert state is not None
    assert state.consecutive_failures == RACERS - 1


async def test_racing_wrong_guesses_are_all_counted(otp: OtpHarness) -> None:
    """20 simultaneous wrong guesses: no lost update lets more than 10 slip past the identifier
    lock, and the challenge ends dead."""
    phone = new_phone()
    issued = await otp.issue(phone)
    wrong = other_code(issued.code)

    results = await asyncio.gather(
        *(outcome(otp.verify(phone, issued.challenge_id, wrong)) for _ in range(RACERS))
    )

    wins, losses = split(list(results))
    assert wins == []
    codes = sorted(e.code for e in losses)
    assert codes == [ErrorCode.OTP_INVALID] * 10 + [ErrorCode.OTP_IDENTIFIER_LOCKED] * 10
    row = await otp.challenge(issued.challenge_id)
    assert row.dead
    assert row.verified_at is None
    state = await otp.state(phone)
    assert state is not None
    assert state.locked_until is not None
    assert state.lock_count == 1


async def test_redeem_allows_exactly_one_more_use(otp: OtpHarness) -> None:
    phone = new_phone()
    issued = await otp.issue(phone)
    verified = await otp.verify(phone, issued.challenge_id, issued.code)
    assert verified.redeemed_at is None

    redeemed = await otp.verify(phone, issued.challenge_id, issued.code, redeem=True)
    assert redeemed.redeemed_at is not None
    assert redeemed.verified_at == verified.verified_at

    await refused(
        otp.verify(phone, issued.challenge_id, issued.code, redeem=True), ErrorCode.OTP_INVALID
    )
    await refused(otp.verify(phone, issued.challenge_id, issued.code), ErrorCode.OTP_INVALID)


async def test_redeem_without_prior_verify_is_the_one_and_final_use(otp: OtpHarness) -> None:
    phone = new_phone()
    issued = await otp.issue(phone)
    row = await otp.verify(phone, issued.challenge_id, issued.code, redeem=True)
    assert row.verified_at is not None
    assert row.redeemed_at is not None
    await refused(
        otp.verify(phone, issued.challenge_id, issued.code, redeem=True), ErrorCode.OTP_INVALID
    )
    await refused(otp.verify(phone, issued.challenge_id, issued.code), ErrorCode.OTP_INVALID)


async def test_twenty_racing_redeems_have_exactly_one_winner(otp: OtpHarness) -> None:
    otp.policy = replace(otp.policy, lock_after_failures=100)
    phone = new_phone()
    issued = await otp.issue(phone)
    await otp.verify(phone, issued.challenge_id, issued.code)

    results = await asyncio.gather(
        *(
            outcome(otp.verify(phone, issued.challenge_id, issued.code, redeem=True))
            for _ in range(RACERS)
        )
    )

    wins, losses = split(list(results))
    assert len(wins) == 1
    assert {e.code for e in losses} == {ErrorCode.OTP_INVALID}
    row = await otp.challenge(issued.challenge_id)
    assert row.redeemed_at == wins[0].redeemed_at


async def test_redeem_works_inside_the_window_even_after_the_ttl(
    otp: OtpHarness, frozen_clock: Clock
) -> None:
    window = otp.policy.redeem_window_seconds
    assert window > otp.policy.ttl_seconds
    base = freeze_base()
    phone = new_phone()
    issued = await otp.issue(phone)
    await otp.verify(phone, issued.challenge_id, issued.code)
    move(base, window - 1)
    await otp.verify(phone, issued.challenge_id, issued.code, redeem=True)


async def test_redeem_fails_after_the_window(otp: OtpHarness, frozen_clock: Clock) -> None:
    base = freeze_base()
    phone = new_phone()
    issued = await otp.issue(phone)
    await otp.verify(phone, issued.challenge_id, issued.code)
    move(base, otp.policy.redeem_window_seconds + 1)
    await refused(
        otp.verify(phone, issued.challenge_id, issued.code, redeem=True), ErrorCode.OTP_INVALID
    )
    row = await otp.challenge(issued.challenge_id)
    assert row.redeemed_at is None
