"""HTTP entry points for registration (spec §2.2). ApiKey only: no bearer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from hawiya.auth.dependencies import Ctx, RuntimeDep, SessionDep
from hawiya.envelope import Envelope, ok
from hawiya.i18n import pick_language
from hawiya.registration import login_service, oauth_service
from hawiya.registration import service as registration_service
from hawiya.registration.schemas import (
    CheckExistenceInput,
    ExistenceOutput,
    OAuthTokenInput,
    OAuthVerificationOutput,
    RegisterInput,
    RegistrationResult,
    StepVerifyEmailInput,
    StepVerifyPhoneInput,
    UserLoginInput,
    UserLoginResult,
)

router = APIRouter(tags=["registration"])


def registration_deps(request: Request, runtime: RuntimeDep) -> registration_service.Deps:
    return registration_service.Deps(
        runtime=runtime,
        messenger=request.app.state.messenger,
        language=pick_language(request.headers),
        keyring=request.app.state.data_keys,
    )


DepsDep = Annotated[registration_service.Deps, Depends(registration_deps)]


@router.post("/api/DigitalIdentity/CheckExistenceOfEmailOrPhone")
async def check_existence_of_email_or_phone(
    body: CheckExistenceInput, ctx: Ctx, session: SessionDep
) -> Envelope[ExistenceOutput]:
    exists = await registration_service.check_existence(session, ctx, body)
    return ok(ExistenceOutput(exists=exists))


@router.post("/api/DigitalIdentity/Register/StepVerifyPhone")
async def register_step_verify_phone(
    body: StepVerifyPhoneInput, ctx: Ctx, session: SessionDep, deps: DepsDep
) -> Envelope[RegistrationResult]:
    return ok(await registration_service.step_verify_phone(session, deps, ctx, body))


@router.post("/api/DigitalIdentity/Register/StepVerifyEmail")
async def register_step_verify_email(
    body: StepVerifyEmailInput, ctx: Ctx, session: SessionDep, deps: DepsDep
) -> Envelope[RegistrationResult]:
    return ok(await registration_service.step_verify_email(session, deps, ctx, body))


@router.post("/api/DigitalIdentity/Register")
async def register(
    body: RegisterInput, ctx: Ctx, session: SessionDep, deps: DepsDep
) -> Envelope[RegistrationResult]:
    return ok(await registration_service.register(session, deps, ctx, body))


# The old docs and the OAuth diagram call the same step Register/StepCreate (spec §2.2).
@router.post("/api/DigitalIdentity/Register/StepCreate")
async def register_step_create(
    body: RegisterInput, ctx: Ctx, session: SessionDep, deps: DepsDep
) -> Envelope[RegistrationResult]:
    return await register(body, ctx, session, deps)


@router.post("/api/DigitalIdentity/Register/StepVerifyOAuthToken")
async def register_step_verify_oauth_token(
    body: OAuthTokenInput, ctx: Ctx, session: SessionDep, request: Request
) -> Envelope[OAuthVerificationOutput]:
    verification = await oauth_service.verify_token(session, request.app.state.oidc, ctx, body)
    return ok(oauth_service.output(verification))


@router.post("/api/DigitalIdentity/VerifyOAuthToken")
async def verify_oauth_token(
    body: OAuthTokenInput, ctx: Ctx, session: SessionDep, request: Request
) -> Envelope[OAuthVerificationOutput]:
    verification = await oauth_service.verify_token(session, request.app.state.oidc, ctx, body)
    await oauth_service.confirm_existing_email(session, ctx, verification)
    return ok(oauth_service.output(verification))


@router.post("/api/DigitalIdentity/Login")
async def login_user(
    body: UserLoginInput, ctx: Ctx, session: SessionDep, deps: DepsDep
) -> Envelope[UserLoginResult]:
    return ok(await login_service.login(session, deps, ctx, body))
