"""Wire models for the account endpoints of spec §2.3: password reset, email confirmation and
change, phone change and cancelling a verified identity. Field names are the contract."""

from __future__ import annotations

from pydantic import EmailStr, Field

from hawiya.schemas import ApiModel, RequestModel


class ForgetPasswordSendEmailInput(RequestModel):
    email_or_phone_number: str = Field(min_length=1, max_length=256)
    # The national ID (spec §2.3): when given, it must be the user's verified identity's number,
    # else the request is answered like one for an unknown account (identity/revalidation.py).
    id_number: str | None = Field(default=None, max_length=32)


class ForgetPasswordValidateEmailInput(ForgetPasswordSendEmailInput):
    email_otp_request_id: str = Field(max_length=64)
    email_otp: str = Field(max_length=16)


class ForgetPasswordValidatePhoneInput(ForgetPasswordSendEmailInput):
    phone_number_otp_request_id: str = Field(max_length=64)
    phone_number_otp: str = Field(max_length=16)


class ForgetPasswordByPhoneSendInput(RequestModel):
    phone_number: str = Field(max_length=32)
    id_number: str | None = Field(default=None, max_length=32)
    sms_providers: int | None = Field(default=None, ge=0, le=7)


class ForgetPasswordByPhoneValidateInput(RequestModel):
    phone_number: str = Field(max_length=32)
    id_number: str | None = Field(default=None, max_length=32)
    phone_number_otp_request_id: str = Field(max_length=64)
    phone_number_otp: str = Field(max_length=16)


class ResetPasswordInput(RequestModel):
    """The ABP-style reset model (spec §2.3): returnUrl, singleSignIn and c are accepted for
    compatibility and change nothing."""

    user_id: int = Field(ge=1, le=2**63 - 1)
    reset_code: str = Field(min_length=1, max_length=128)
    password: str = Field(max_length=4096)
    return_url: str | None = Field(default=None, max_length=2048)
    single_sign_in: bool | None = None
    c: str | None = Field(default=None, max_length=2048)


class SendPasswordResetCodeInput(RequestModel):
    email: EmailStr = Field(max_length=256)


class EmailOtpSent(ApiModel):
    email_otp_request_id: str
    email_otp_expire_in_seconds: int
    email_otp: str | None = None  # sandbox tenants only


class PhoneOtpSent(ApiModel):
    phone_number_otp_request_id: str
    phone_otp_expire_in_seconds: int
    phone_number_otp: str | None = None  # sandbox tenants only
    # Phone change of a verified identity: the change waits for a liveness re-validation.
    is_liveness_revalidation_required: bool = False


class ResetCodeOutput(ApiModel):
    user_id: int
    reset_code: str
    reset_code_expire_in_seconds: int


class ResetLinkRequested(ApiModel):
    """The one answer of SendPasswordResetCode, whether or not the address has an account."""

    reset_code_expire_in_seconds: int


class ResetPasswordOutput(ApiModel):
    can_login: bool
    user_name: str


class VerifyEmailInput(RequestModel):
    email: EmailStr = Field(max_length=256)
    email_otp: str | None = Field(default=None, max_length=16)
    email_otp_request_id: str | None = Field(default=None, max_length=64)
    transaction_id: str | None = Field(default=None, max_length=64)
    return_url: str | None = Field(default=None, max_length=2048)


class VerifyEmailOutput(ApiModel):
    email_otp_request_id: str | None = None
    email_otp_expire_in_seconds: int | None = None
    email_otp: str | None = None  # sandbox tenants only
    is_email_confirmed: bool
    transaction_id: str | None = None


class UpdateEmailInput(RequestModel):
    email: EmailStr = Field(max_length=256)


class ValidateUpdateEmailInput(RequestModel):
    email_otp_request_id: str = Field(max_length=64)
    email_otp: str = Field(max_length=16)


class UpdatePhoneInput(RequestModel):
    phone_number: str = Field(max_length=32)
    sms_providers: int | None = Field(default=None, ge=0, le=7)


class ValidateUpdatePhoneInput(RequestModel):
    phone_number_otp_request_id: str = Field(max_length=64)
    phone_number_otp: str = Field(max_length=16)


class CancelIdentityForAdminInput(RequestModel):
    user_id: int = Field(ge=1, le=2**63 - 1)


class IdentityCancelled(ApiModel):
    user_id: int
    is_digital_identity_verified: bool
