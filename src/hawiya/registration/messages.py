"""The password reset email of SendPasswordResetCode, in Arabic and English."""

from __future__ import annotations

from hawiya.otp.messages import OtpText


def reset_email(
    language: str,
    tenant: str,
    *,
    user_id: int,
    code: str,
    url_template: str | None,
    ttl_seconds: int,
) -> OtpText:
    minutes = max(1, ttl_seconds // 60)
    link = (
        url_template.replace("{userId}", str(user_id)).replace("{resetCode}", code)
        if url_template
        else None
    )
    if language == "ar":
        how = (
            f"افتح هذا الرابط: {link}" if link else f"رقم المستخدم: {user_id}\nرمز الإعادة: {code}"
        )
        return OtpText(
            subject=f"إعادة تعيين كلمة المرور لدى {tenant}",
            body=(
                f"طلبت إعادة تعيين كلمة المرور.\n\n{how}\n\n"
                f"صالح لمدة {minutes} دقيقة ولمرة واحدة. إذا لم تطلب ذلك فتجاهل هذه الرسالة."
            ),
        )
    how = f"Open this link: {link}" if link else f"User id: {user_id}\nReset code: {code}"
    return OtpText(
        subject=f"Reset your {tenant} password",
        body=(
            f"You asked to reset your password.\n\n{how}\n\n"
            f"It works once, for {minutes} minutes. If you did not ask, ignore this message."
        ),
    )
