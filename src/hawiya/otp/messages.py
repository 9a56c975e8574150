"""The texts that carry a code, in Arabic and English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OtpText:
    subject: str
    body: str


def sms_text(language: str, tenant: str, code: str, ttl_seconds: int) -> str:
    minutes = max(1, ttl_seconds // 60)
    if language == "ar":
        return (
            f"رمز التحقق الخاص بك لدى {tenant} هو {code}. "
            f"صالح لمدة {minutes} دقائق. لا تشاركه مع أحد."
        )
    return (
        f"Your {tenant} verification code is {code}. "
        f"It is valid for {minutes} minutes. Never share it."
    )


def email_text(language: str, tenant: str, code: str, ttl_seconds: int) -> OtpText:
    minutes = max(1, ttl_seconds // 60)
    if language == "ar":
        return OtpText(
            subject=f"رمز التحقق من {tenant}",
            body=(
                f"رمز التحقق الخاص بك هو: {code}\n\n"
                f"الرمز صالح لمدة {minutes} دقيقة. إذا لم تطلب هذا الرمز فتجاهل هذه الرسالة، "
                "ولا تشارك الرمز مع أي شخص."
            ),
        )
    return OtpText(
        subject=f"Your {tenant} verification code",
        body=(
            f"Your verification code is: {code}\n\n"
            f"It is valid for {minutes} minutes. If you did not ask for it, ignore this message, "
            "and never share the code with anyone."
        ),
    )
