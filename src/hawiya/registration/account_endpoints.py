"""HTTP entry points for password reset (ApiKey only) and a signed-in user's own account (ApiKey
and user token), spec §2.3, plus the administrator's identity cancellation (§2.4)."""

from __future__ import annotations

from fastapi import APIRouter

from hawiya.auth.dependencies import AdminCtx, Ctx, SessionDep, UserCtx
from hawiya.envelope import Envelope, ok
from hawiya.registration import password_service, profile_service
from hawiya.registration.account_schemas import (
    CancelIdentityForAdminInput,
    EmailOtpSent,
    ForgetPasswordByPhoneSendInput,
    ForgetPasswordByPhoneValidateInput,
    ForgetPasswordSendEmailInput,
    ForgetPasswordValidateEmailInput,
    ForgetPasswordValidatePhoneInput,
    IdentityCancelled,
    PhoneOtpSent,
    ResetCodeOutput,
    ResetLinkRequested,
    ResetPasswordInput,
    ResetPasswordOutput,
    SendPasswordResetCodeInput,
    UpdateEmailInput,
    UpdatePhoneInput,
    ValidateUpdateEmailInput,
    ValidateUpdatePhoneInput,
    VerifyEmailInput,
    VerifyEmailOutput,
)
from hawiya.registration.endpoints import DepsDep
from hawiya.registration.schemas import UserOutput

router = APIRouter(tags=["account"])
_DI = "/api/DigitalIdentity"


@router.post(f"{_DI}/ForgetPassword/SendEmailOtp")
async def forget_password_send_email_otp(
    body: ForgetPasswordSendEmailInput, ctx: Ctx, session: SessionDep, deps: DepsDep
) -> Envelope[EmailOtpSent]:
    return ok(await password_service.send_email_otp(session, deps, ctx, body))


@router.post(f"{_DI}/ForgetPassword/ValidateEmailOtp")
async def forget_password_validate_email_otp(
    body: ForgetPasswordValidateEmailInput, ctx: Ctx, session: SessionDep, deps: DepsDep
) -> Envelope[ResetCodeOutput]:
    return ok(await password_service.validate_email_otp(session, deps, ctx, body))


@router.post(f"{_DI}/ForgetPassword/ValidatePhoneOtp")
async def forget_password_validate_phone_otp(
    body: ForgetPasswordValidatePhoneInput, ctx: Ctx, session: SessionDep, deps: DepsDep
) -> Envelope[ResetCodeOutput]:
    return ok(await password_service.validate_phone_otp(session, deps, ctx, body))


@router.post(f"{_DI}/ForgetPassword/Reset")
async def forget_password_reset(
    body: ResetPasswordInput, ctx: Ctx, session: SessionDep, deps: DepsDep
) -> Envelope[ResetPasswordOutput]:
    return ok(await password_service.reset(session, deps, ctx, body))


@router.post(f"{_DI}/ForgetPasswordByPhone/SendPhoneOtp")
async def forget_password_by_phone_send_phone_otp(
    body: ForgetPasswordByPhoneSendInput, ctx: Ctx, session: SessionDep, deps: DepsDep
) -> Envelope[PhoneOtpSent]:
    return ok(await password_service.send_phone_otp(session, deps, ctx, body))


@router.post(f"{_DI}/ForgetPasswordByPhone/ValidatePhoneOtp")
async def forget_password_by_phone_validate_phone_otp(
    body: ForgetPasswordByPhoneValidateInput, ctx: Ctx, session: SessionDep, deps: DepsDep
) -> Envelope[ResetCodeOutput]:
    return ok(await password_service.validate_phone_otp(session, deps, ctx, body))


@router.post(f"{_DI}/SendPasswordResetCode")
async def send_password_reset_code(
    body: SendPasswordResetCodeInput, ctx: Ctx, session: SessionDep, deps: DepsDep
) -> Envelope[ResetLinkRequested]:
    return ok(await password_service.send_reset_link(session, deps, ctx, body))


@router.post(f"{_DI}/VerifyEmail")
async def verify_email(
    body: VerifyEmailInput, me: UserCtx, session: SessionDep, deps: DepsDep
) -> Envelope[VerifyEmailOutput]:
    return ok(await profile_service.verify_email(session, deps, me, body))


@router.post(f"{_DI}/UpdateEmailRequest")
async def update_email_request(
    body: UpdateEmailInput, me: UserCtx, session: SessionDep, deps: DepsDep
) -> Envelope[EmailOtpSent]:
    return ok(await profile_service.request_email_change(session, deps, me, body))


@router.post(f"{_DI}/ValidateUpdateEmailRequestOtp")
async def validate_update_email_request_otp(
    body: ValidateUpdateEmailInput, me: UserCtx, session: SessionDep, deps: DepsDep
) -> Envelope[UserOutput]:
    return ok(await profile_service.confirm_email_change(session, deps, me, body))


# Phone change: the spec documents the workflow but not the names (docs/registration.md).
@router.post(f"{_DI}/UpdatePhoneNumberRequest")
async def update_phone_number_request(
    body: UpdatePhoneInput, me: UserCtx, session: SessionDep, deps: DepsDep
) -> Envelope[PhoneOtpSent]:
    return ok(await profile_service.request_phone_change(session, deps, me, body))


@router.post(f"{_DI}/ValidateUpdatePhoneNumberRequestOtp")
async def validate_update_phone_number_request_otp(
    body: ValidateUpdatePhoneInput, me: UserCtx, session: SessionDep, deps: DepsDep
) -> Envelope[UserOutput]:
    return ok(await profile_service.confirm_phone_change(session, deps, me, body))


@router.post(f"{_DI}/CancelVerifiedDigitalIdentity")
async def cancel_verified_digital_identity(
    me: UserCtx, session: SessionDep
) -> Envelope[IdentityCancelled]:
    return ok(await profile_service.cancel_identity(session, me))


@router.post(f"{_DI}/CancelVerifiedDigitalIdentityForAdmin")
async def cancel_verified_digital_identity_for_admin(
    body: CancelIdentityForAdminInput, admin: AdminCtx, session: SessionDep
) -> Envelope[IdentityCancelled]:
    return ok(await profile_service.cancel_identity_for_admin(session, admin, body.user_id))
