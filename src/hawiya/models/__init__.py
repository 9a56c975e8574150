"""All ORM models. Alembic and cross-domain code import them from here."""

from hawiya.db.base import Base
from hawiya.models.admin_user import AdminUser
from hawiya.models.aml_list import AmlEntry, AmlList
from hawiya.models.api_key import ApiKey
from hawiya.models.audit_event import AuditChainHead, AuditEvent
from hawiya.models.auth_token import RefreshToken, TokenFamily
from hawiya.models.data_key import TenantDataKey
from hawiya.models.end_user import EndUser
from hawiya.models.identity_transaction import IdentityTransaction
from hawiya.models.job import Job
from hawiya.models.login_throttle import LoginThrottle
from hawiya.models.oauth_verification import OAuthVerification
from hawiya.models.otp import OtpChallenge, OtpIdentifierState
from hawiya.models.password_reset import PasswordResetCode
from hawiya.models.rate_limit import RateLimitCounter
from hawiya.models.signing_key import SigningKey
from hawiya.models.tenant import Tenant
from hawiya.models.user_device import UserDevice
from hawiya.models.webhook import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "AdminUser",
    "AmlEntry",
    "AmlList",
    "ApiKey",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "EndUser",
    "IdentityTransaction",
    "Job",
    "LoginThrottle",
    "OAuthVerification",
    "OtpChallenge",
    "OtpIdentifierState",
    "PasswordResetCode",
    "RateLimitCounter",
    "RefreshToken",
    "SigningKey",
    "Tenant",
    "TenantDataKey",
    "TokenFamily",
    "UserDevice",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
