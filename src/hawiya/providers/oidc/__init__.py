"""Verifying Google and Microsoft OpenID Connect ID tokens (security checklist OIDC-1).

    verifier = IdTokenVerifier()               # one per process; safe to share across requests
    client = OAuthClient("Google", client_id="1234.apps.googleusercontent.com")
    token = await verifier.verify(id_token, client)   # VerifiedIdToken, or ProviderRejected /
                                                      # ProviderUnavailable

The identity key is (token.issuer, token.subject). Link to an existing account by email only when
token.email_verified is true; that decision belongs to the caller.
"""

from __future__ import annotations

from hawiya.providers.oidc.jwks import (
    DEFAULT_MAX_AGE,
    FETCH_TIMEOUT_SECONDS,
    MAX_MAX_AGE,
    MIN_MAX_AGE,
    REFETCH_INTERVAL,
    HttpClientFactory,
    JwksCache,
)
from hawiya.providers.oidc.verifier import (
    DEFAULT_JWKS_URLS,
    GOOGLE_ISSUERS,
    MAX_SKEW,
    PROVIDERS,
    IdTokenVerifier,
    OAuthClient,
    Provider,
    VerifiedIdToken,
    microsoft_issuer,
)

__all__ = [
    "DEFAULT_JWKS_URLS",
    "DEFAULT_MAX_AGE",
    "FETCH_TIMEOUT_SECONDS",
    "GOOGLE_ISSUERS",
    "MAX_MAX_AGE",
    "MAX_SKEW",
    "MIN_MAX_AGE",
    "PROVIDERS",
    "REFETCH_INTERVAL",
    "HttpClientFactory",
    "IdTokenVerifier",
    "JwksCache",
    "OAuthClient",
    "Provider",
    "VerifiedIdToken",
    "microsoft_issuer",
]
