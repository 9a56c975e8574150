"""A local JWKS server (http.server on 127.0.0.1, ephemeral port) with generated RSA keys, and
ID tokens signed with PyJWT. Nothing here touches the network beyond the loopback interface."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from hawiya.kit.clock import Clock
from hawiya.providers.oidc import IdTokenVerifier

CLIENT_ID = "hawiya-test-client.apps.example"
SUBJECT = "110169484474386276334"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey

    def jwk(self) -> dict[str, Any]:
        public: dict[str, Any] = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        return jwt.encode(
            claims, self.private, algorithm="RS256", headers={"kid": self.kid, **header}
        )


def _key(kid: str) -> SigningKey:
    return SigningKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))


@dataclass(frozen=True)
class Keys:
    current: SigningKey  # published from the start
    next: SigningKey  # published only after a rotation
    rogue: SigningKey  # never published


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(_key("key-current"), _key("key-next"), _key("key-rogue"))


class JwksServer:
    """Serves {"keys": [...]} at /keys with a Cache-Control header, counting the requests."""

    def __init__(self) -> None:
        self.jwks: list[dict[str, Any]] = []
        self.cache_control: str | None = "public, max-age=300"
        self.status = 200
        self.location: str | None = None
        self._lock = threading.Lock()
        self._requests = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with owner._lock:
                    owner._requests += 1
                body = json.dumps({"keys": owner.jwks}).encode()
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if owner.cache_control is not None:
                    self.send_header("Cache-Control", owner.cache_control)
                if owner.location is not None:
                    self.send_header("Location", owner.location)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/keys"

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    def publish(self, *keys: SigningKey) -> None:
        self.jwks = [k.jwk() for k in keys]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def jwks_server(keys: Keys) -> Iterator[JwksServer]:
    server = JwksServer()
    server.publish(keys.current)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def dead_url() -> str:
    """A loopback URL nobody listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/keys"


@pytest.fixture
def verifier() -> IdTokenVerifier:
    # A fresh cache per test; trust_env=False so no proxy setting can route loopback elsewhere.
    return IdTokenVerifier(lambda: httpx.AsyncClient(trust_env=False))


@pytest.fixture
def now(frozen_clock: Clock) -> int:
    """Time frozen at a whole second; tokens are built relative to it."""
    instant = datetime.now(UTC).replace(microsecond=0)
    frozen_clock.freeze(instant)
    return int(instant.timestamp())


Claims = Callable[..., dict[str, Any]]


def google_claims(now: int, /, **changes: Any) -> dict[str, Any]:
    claims = {
        "iss": "https://accounts.google.com",
        "azp": CLIENT_ID,
        "aud": CLIENT_ID,
        "sub": SUBJECT,
        "email": "salma@example.com",
        "email_verified": True,
        "name": "Salma Hassan",
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def microsoft_claims(now: int, tenant_id: str, /, **changes: Any) -> dict[str, Any]:
    claims = {
        "iss": f"https://login.microsoftonline.com/{tenant_id}/v2.0",
        "aud": CLIENT_ID,
        "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
        "tid": tenant_id,
        "oid": "00000000-0000-0000-66f3-3332eca7ea81",
        "email": "omar@contoso.example",
        "name": "Omar Farouk",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}
