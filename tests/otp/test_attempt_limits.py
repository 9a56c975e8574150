"""OTP-4: 5 wrong codes kill a challenge; 10 consecutive failures lock the identifier for 15 min
whatever the resends, each later lock doubles, only a success resets the count, and every lock is
audited with a masked identifier."""

from __future__ import annotations

from datetime import datetime, timedelta

from hawiya.errors import ApiError, ErrorCode
from hawiya.kit.clock import Clock
from hawiya.otp.service import IssuedOtp
from tests.otp.helpers import (
    OtpHarness,
    freeze_base,
    move,
    new_phone,
    other_code,
    refused,
    retry_after,
)

LOCKED = "otp.identifier_locked"


async def fail(otp: OtpHarness, phone: str, issued: IssuedOtp, times: int = 1) -> None:
    for _ in range(times):
        await refused(
            otp.verify(phone, issued.challenge_id, other_code(issued.code)), ErrorCode.OTP_INVALID
        )


async def failures(otp: OtpHarness, phone: str) -> int:
    state = await otp.state(phone)
    assert state is not None
    return state.consecutive_failures


async def refused_any(otp: OtpHarness, phone: str, issued: IssuedOtp) -> ErrorCode:
    """A wrong code whose answer may be 1201 or, if it is the one that locks, 1202."""
    try:
        await otp.verify(phone, issued.challenge_id, other_code(issued.code))
    except ApiError as exc:
        return exc.code
    raise AssertionError("a wrong code was accepted")


def assert_masked(masked: str, phone: str) -> None:
    assert masked != phone
    assert "*" in masked
    assert masked.startswith(phone[:4])
    assert masked.endswith(phone[-3:])
    # the middle digits, which identify the subscriber, are gone
    assert phone[4:-3] not in masked


async def test_four_wrong_codes_leave_the_challenge_usable(otp: OtpHarness) -> None:
    phone = new_phone()
    issued = await otp.issue(phone)
    await fail(otp, phone, issued, 4)
    await otp.verify(phone, issued.challenge_id, issued.code)


async def test_five_wrong_codes_kill_the_challenge(otp: OtpHarness) -> None:
    phone = new_phone()
    issued = await otp.issue(phone)
    await fail(otp, phone, issued, 5)
    row = await otp.challenge(issued.challenge_id)
    assert (row.dead, row.attempts) == (True, 5)
    await refused(otp.verify(phone, issued.challenge_id, issued.code), ErrorCode.OTP_INVALID)
    assert (await otp.challenge(issued.challenge_id)).verified_at is None


async def test_lock_at_the_tenth_failure_despite_resends(
    otp: OtpHarness, frozen_clock: Clock
) -> None:
    base = freeze_base()
    phone = new_phone()
    issued = await otp.issue(phone)
    count = 0
    # wrong x3, resend, wrong x3, resend, wrong x3, resend: 9 failures over four challenges
    for resend in range(1, 4):
        await fail(otp, phone, issued, 3)
        count += 3
        assert await failures(otp, phone) == count  # a resend never resets the count
        move(base, 61 * resend)  # past the 60 s cooldown
        issued = await otp.issue(phone)
    state = await otp.state(phone)
    assert state is not None
    assert state.locked_until is None
    assert await otp.audit_events(LOCKED) == []

    # The 10th consecutive failure locks the identifier.
    now = move(base, 61 * 3 + 5)
    tenth = await refused_any(otp, phone, issued)
    assert tenth in {ErrorCode.OTP_INVALID, ErrorCode.OTP_IDENTIFIER_LOCKED}
    state = await otp.state(phone)
    assert state is not None
    assert state.locked_until == now + timedelta(seconds=900)

    # Locked: even the right code of the live challenge, and a resend, get 1202 with Retry-After.
    error = await refused(
        otp.verify(phone, issued.challenge_id, issued.code), ErrorCode.OTP_IDENTIFIER_LOCKED
    )
    assert retry_after(error) in (900, 901)
    error = await refused(otp.issue(phone), ErrorCode.OTP_IDENTIFIER_LOCKED)
    assert retry_after(error) in (900, 901)

    events = await otp.audit_events(LOCKED)
    assert len(events) == 1
    details = events[0].details
    assert details["lockSeconds"] == 900
    assert_masked(details["identifier"], phone)
    assert phone not in repr(events[0].details)
    assert phone not in (events[0].target or "")


async def test_lock_lifts_after_15_minutes_and_the_next_one_lasts_30(
    otp: OtpHarness, frozen_clock: Clock
) -> None:
    base = freeze_base()
    phone = new_phone()
    first = await otp.issue(phone)
    await fail(otp, phone, first, 9)
    await refused_any(otp, phone, first)  # 10th: lock 1 (failures on a dead challenge count too)

    move(base, 899)
    error = await refused(otp.issue(phone), ErrorCode.OTP_IDENTIFIER_LOCKED)
    assert retry_after(error) in (1, 2)
    unlocked = move(base, 901)
    second = await otp.issue(phone)
    state = await otp.state(phone)
    assert state is not None
    assert state.consecutive_failures == 0  # the count starts again after a lock

    await fail(otp, phone, second, 9)
    await refused_any(otp, phone, second)  # lock 2: doubled
    error = await refused(otp.issue(phone), ErrorCode.OTP_IDENTIFIER_LOCKED)
    assert retry_after(error) in (1800, 1801)
    state = await otp.state(phone)
    assert state is not None
    assert state.locked_until == unlocked + timedelta(seconds=1800)
    assert state.lock_count == 2

    move(base, 901 + 1799)
    await refused(otp.issue(phone), ErrorCode.OTP_IDENTIFIER_LOCKED)
    move(base, 901 + 1801)
    third = await otp.issue(phone)
    events = await otp.audit_events(LOCKED)
    assert [e.details["lockSeconds"] for e in events] == [900, 1800]

    # A success resets the doubling too: the next lock is 15 minutes again.
    await otp.verify(phone, third.challenge_id, third.code)
    state = await otp.state(phone)
    assert state is not None
    assert (state.consecutive_failures, state.lock_count) == (0, 0)
    await fail(otp, phone, third, 9)
    await refused_any(otp, phone, third)
    error = await refused(otp.issue(phone), ErrorCode.OTP_IDENTIFIER_LOCKED)
    assert retry_after(error) in (900, 901)


async def test_lock_doubling_is_capped_at_24_hours(otp: OtpHarness, frozen_clock: Clock) -> None:
    base: datetime = freeze_base()
    phone = new_phone()
    issued = await otp.issue(phone)
    elapsed = 0
    for lock in range(9):  # 900 * 2**8 = 230400 s: well past the cap
        await fail(otp, phone, issued, 9)
        await refused_any(otp, phone, issued)
        expected = min(900 * 2**lock, 86_400)
        error = await refused(otp.issue(phone), ErrorCode.OTP_IDENTIFIER_LOCKED)
        assert retry_after(error) in (expected, expected + 1), lock
        elapsed += expected + 1
        move(base, elapsed)


async def test_a_success_resets_the_failure_count(otp: OtpHarness, frozen_clock: Clock) -> None:
    base = freeze_base()
    phone = new_phone()
    first = await otp.issue(phone)
    await fail(otp, phone, first, 4)
    await otp.verify(phone, first.challenge_id, first.code)
    assert await failures(otp, phone) == 0

    move(base, 61)
    second = await otp.issue(phone)
    await fail(otp, phone, second, 9)  # 4 + 9 would have locked without the reset
    state = await otp.state(phone)
    assert state is not None
    assert state.locked_until is None
    assert await failures(otp, phone) == 9
    await refused_any(otp, phone, second)
    await refused(otp.issue(phone), ErrorCode.OTP_IDENTIFIER_LOCKED)


async def test_the_lock_is_per_identifier(otp: OtpHarness) -> None:
    phone, neighbour = new_phone(), new_phone()
    issued = await otp.issue(phone)
    await fail(otp, phone, issued, 9)
    await refused_any(otp, phone, issued)
    await refused(otp.issue(phone), ErrorCode.OTP_IDENTIFIER_LOCKED)
    other = await otp.issue(neighbour)
    await otp.verify(neighbour, other.challenge_id, other.code)
