"""Wire models for registration (spec §2.2). Field names are the contract, including
`smsProviders`, `IdToken` and `oAuthTokenVerificationRequestId`."""

from __future__ import annotations

from pydantic import EmailStr, Field

from hawiya.schemas import ApiModel, RequestModel


class GeoLocation(RequestModel):
    # The SDKs send numbers or numeric strings ("30"); both are accepted (vlens-clients.md §3.1).
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class CheckExistenceInput(RequestModel):
    phone_number: str | None = Field(default=None, max_length=32)
    email: EmailStr | None = Field(default=None, max_length=256)


class ExistenceOutput(ApiModel):
    exists: bool


class StepVerifyPhoneInput(RequestModel):
    phone_number: str = Field(max_length=32)
    sms_providers: int | None = Field(default=None, ge=0, le=7)
    phone_number_otp_request_id: str | None = Field(default=None, max_length=64)
    phone_number_otp: str | None = Field(default=None, max_length=16)
    transaction_id: str | None = Field(default=None, max_length=64)


class StepVerifyEmailInput(RequestModel):
    email: EmailStr = Field(max_length=256)
    email_otp_request_id: str | None = Field(default=None, max_length=64)
    email_otp: str | None = Field(default=None, max_length=16)
    transaction_id: str | None = Field(default=None, max_length=64)


class RegisterInput(RequestModel):
    phone_number: str = Field(max_length=32)
    email: EmailStr | None = Field(default=None, max_length=256)
    password: str | None = Field(default=None, max_length=4096)
    phone_number_otp: str | None = Field(default=None, max_length=16)
    phone_number_otp_request_id: str | None = Field(default=None, max_length=64)
    email_otp: str | None = Field(default=None, max_length=16)
    email_otp_request_id: str | None = Field(default=None, max_length=64)
    o_auth_token_verification_request_id: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=256)
    surname: str | None = Field(default=None, max_length=256)
    geo_location: GeoLocation | None = None
    sms_providers: int | None = Field(default=None, ge=0, le=7)
    transaction_id: str | None = Field(default=None, max_length=64)


class UserOutput(ApiModel):
    id: int
    name: str | None = None
    surname: str | None = None
    full_name: str | None = None
    user_name: str | None = None
    email_address: str | None = None
    phone_number: str | None = None
    id_number: str | None = None
    address: str | None = None


class RegistrationResult(ApiModel):
    """The shared registration-result object of spec §2.2 (a superset of Register's output)."""

    is_email_confirmation_required: bool
    is_email_confirmed: bool = False
    is_phone_number_confirmation_required: bool
    is_phone_number_confirmed: bool = False
    # Codes are echoed only to sandbox tenants (integration testing), never to others.
    phone_number_otp: str | None = None
    phone_number_otp_request_id: str | None = None
    phone_otp_expire_in_seconds: int | None = None
    email_otp: str | None = None
    email_otp_request_id: str | None = None
    email_otp_expire_in_seconds: int | None = None
    is_digital_identity_verified: bool = False
    access_token: str | None = None
    encrypted_access_token: str | None = None
    expire_in_seconds: int | None = None
    refresh_token: str | None = None
    refresh_token_expire_in_seconds: int | None = None
    user_name: str | None = None
    user_full_name: str | None = None
    user: UserOutput | None = None


class OAuthTokenInput(RequestModel):
    provider: str = Field(max_length=32)  # "Google" or "Microsoft"
    id_token: str = Field(max_length=16_384)  # sent as "IdToken" (keys match in any case)


class OAuthVerificationOutput(ApiModel):
    o_auth_token_verification_request_id: str
    is_verified: bool
    validation_result: str
    email: str


class UserLoginInput(RequestModel):
    """[OLD] POST /api/DigitalIdentity/Login (spec §2.3), as the demo apps send it
    (vlens-clients.md §3.1): imsi may be null, smsProviders may be sent instead of smsProvider."""

    phone_number: str = Field(max_length=32)
    password: str | None = Field(default=None, max_length=4096)
    geo_location: GeoLocation | None = None
    imei: str = Field(min_length=1, max_length=128)
    imsi: str | None = Field(default=None, max_length=128)
    phone_number_otp_request_id: str | None = Field(default=None, max_length=64)
    phone_number_otp: str | None = Field(default=None, max_length=16)
    # When the tenant sends new-device codes by email (loginCodeChannel=email).
    email_otp_request_id: str | None = Field(default=None, max_length=64)
    email_otp: str | None = Field(default=None, max_length=16)
    is_phone2_fa_enabled: bool | None = Field(default=None, alias="isPhone2FAEnabled")
    sms_provider: int | None = Field(default=None, ge=0, le=7)
    sms_providers: int | None = Field(default=None, ge=0, le=7)


class UserLoginResult(RegistrationResult):
    has_pending_request: bool = False
    redirect_uri: str | None = None
    transaction_id: str | None = None
