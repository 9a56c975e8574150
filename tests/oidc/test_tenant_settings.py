"""The `oauthProviders` tenant setting: validation, storage shape, and the OAuthClient helper."""

from __future__ import annotations

from typing import Any

import pytest

from hawiya.providers.oidc import OAuthClient
from hawiya.tenants.settings import (
    SettingError,
    TenantSettings,
    apply,
    oauth_client,
    oauth_clients,
)

DEFAULTS = TenantSettings().model_dump()
TID = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def test_unconfigured_tenants_keep_their_stored_shape() -> None:
    assert "oauthProviders" not in DEFAULTS
    assert "oauthProviders" not in apply(DEFAULTS, {"defaultLanguage": "en"})
    assert oauth_clients(DEFAULTS) == {}
    # Once set, the key stays, even emptied (so an audit diff always has both sides).
    assert apply(DEFAULTS, {"oauthProviders": {}})["oauthProviders"] == {}


def test_valid_providers_are_normalized() -> None:
    stored = apply(
        DEFAULTS,
        {
            "oauthProviders": {
                "Microsoft": {
                    "clientId": "ms-client",
                    "allowedTenants": [TID.upper(), TID],
                    "issuer": f"https://login.microsoftonline.com/{TID}/v2.0",
                },
                "Google": {"clientId": "g-client", "jwksUrl": "https://keys.internal/certs"},
            }
        },
    )
    assert list(stored["oauthProviders"]) == ["Google", "Microsoft"]
    assert stored["oauthProviders"]["Google"] == {
        "clientId": "g-client",
        "jwksUrl": "https://keys.internal/certs",
        "issuer": None,
        "allowedTenants": [],
    }
    assert stored["oauthProviders"]["Microsoft"]["allowedTenants"] == [TID]
    assert {k: v for k, v in stored.items() if k != "oauthProviders"} == DEFAULTS

    assert oauth_clients(stored) == {
        "Google": OAuthClient("Google", "g-client", jwks_url="https://keys.internal/certs"),
        "Microsoft": OAuthClient(
            "Microsoft",
            "ms-client",
            issuer=f"https://login.microsoftonline.com/{TID}/v2.0",
            allowed_tenants=(TID,),
        ),
    }
    assert oauth_client(stored, "Google") == oauth_clients(stored)["Google"]
    assert oauth_client(stored, "google") is None  # the API names providers exactly
    assert oauth_client(stored, "Facebook") is None
    assert oauth_client(DEFAULTS, "Google") is None


@pytest.mark.parametrize(
    ("providers", "message"),
    [
        ({"Facebook": {"clientId": "x"}}, "oauthProviders.Facebook: Input should be 'Google'"),
        ({"Google": {}}, "oauthProviders.Google.clientId: Field required"),
        ({"Google": {"clientId": ""}}, "oauthProviders.Google.clientId"),
        ({"Google": {"clientId": "a b"}}, "oauthProviders.Google.clientId"),
        ({"Google": {"clientId": "x", "secret": "s"}}, "oauthProviders.Google.secret"),
        (
            {"Google": {"clientId": "x", "jwksUrl": "http://keys.example/certs"}},
            "jwksUrl must use https",
        ),
        (
            {"Google": {"clientId": "x", "jwksUrl": "https://u:p@keys.example/certs"}},
            "must not carry credentials",
        ),
        ({"Google": {"clientId": "x", "jwksUrl": "file:///etc/keys"}}, "absolute https URL"),
        ({"Google": {"clientId": "x", "allowedTenants": [TID]}}, "Microsoft only"),
        ({"Microsoft": {"clientId": "x", "allowedTenants": ["contoso"]}}, "not a tenant id"),
        ({"Google": "x"}, "oauthProviders.Google"),
    ],
)
def test_invalid_providers_are_refused(providers: Any, message: str) -> None:
    with pytest.raises(SettingError) as info:
        apply(DEFAULTS, {"oauthProviders": providers})
    assert message in str(info.value)


def test_loopback_http_is_allowed_for_local_key_sets() -> None:
    for url in ("http://127.0.0.1:8080/k", "http://localhost/k", "http://[::1]:9/k"):
        stored = apply(DEFAULTS, {"oauthProviders": {"Google": {"clientId": "x", "jwksUrl": url}}})
        assert stored["oauthProviders"]["Google"]["jwksUrl"] == url
