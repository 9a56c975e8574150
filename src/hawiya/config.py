"""Settings: one pydantic-settings class with nested groups, read from HAWIYA_* variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseModel):
    # Plain SQLAlchemy URL (sqlite:///..., postgresql://...); the async driver is chosen for you.
    # Empty means the embedded default: SQLite at <data_dir>/hawiya.db.
    url: str = Field(
        default="",
        description="Plain SQLAlchemy URL (sqlite:///..., postgresql://...); the async driver is "
        "chosen for you. Empty means the embedded default: SQLite at <data_dir>/hawiya.db.",
    )
    pool_size: int = Field(
        default=10,
        ge=1,
        le=200,
        description="PostgreSQL connection pool size (as many again may overflow); SQLite "
        "ignores it.",
    )
    # DUR-1: refuse to start on settings that can lose committed work, unless this is set.
    allow_unsafe_durability: bool = Field(
        default=False,
        description="Start even when the database's durability settings can lose committed "
        "work (PostgreSQL synchronous_commit off, SQLite not in WAL with synchronous=FULL); "
        "refused otherwise.",
    )
    sqlite_busy_timeout_ms: int = Field(
        default=15_000,
        ge=0,
        description="How long a SQLite connection waits for a lock before failing, in ms.",
    )


class AuthSettings(BaseModel):
    issuer: str = Field(
        default="hawiya", description="JWT `iss` of the tokens this server issues and accepts."
    )
    audience: str = Field(
        default="hawiya-api", description="JWT `aud` of the tokens this server issues and accepts."
    )
    # spec §1.8: access 24 h, refresh 7 days (absolute, rotation never extends it).
    access_token_seconds: int = Field(
        default=86_400, ge=60, description="Access-token lifetime in seconds (spec §1.8: 24 h)."
    )
    refresh_token_seconds: int = Field(
        default=604_800,
        ge=60,
        description="Refresh-token lifetime in seconds (spec §1.8: 7 days); absolute, rotation "
        "never extends it.",
    )
    clock_skew_seconds: int = Field(
        default=60,
        ge=0,
        le=300,
        description="Clock skew tolerated when checking token times, in seconds.",
    )
    # PW-1: argon2-cffi defaults; never below the OWASP floor (m=19 MiB, t=2).
    argon2_time_cost: int = Field(
        default=3,
        ge=2,
        description="Argon2id passes (argon2-cffi default; never below the OWASP floor t=2).",
    )
    argon2_memory_kib: int = Field(
        default=65_536,
        ge=19_456,
        description="Argon2id memory in KiB (never below the OWASP floor m=19 MiB).",
    )
    argon2_parallelism: int = Field(default=4, ge=1, description="Argon2id lanes.")
    # PW-4: at most this many hashes at once (0 = one per CPU); waiting longer than the timeout is
    # 503.
    hash_concurrency: int = Field(
        default=0,
        ge=0,
        description="At most this many password hashes at once (0 = one per CPU).",
    )
    hash_wait_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Waiting longer than this for a hashing slot is answered with 503.",
    )
    # PW-3: per-account throttle and per-address limits.
    login_delay_after_failures: int = Field(
        default=5,
        ge=1,
        description="Per-account throttle: after this many consecutive failed logins each further "
        "attempt waits, the delay doubling each time.",
    )
    login_lock_after_failures: int = Field(
        default=10,
        ge=2,
        description="Per-account throttle: consecutive failed logins that lock the account.",
    )
    login_lock_seconds: int = Field(
        default=900,
        ge=1,
        description="Length of the first lock in seconds; each later lock lasts twice as long "
        "(at most a day).",
    )
    login_disable_after_failures: int = Field(
        default=100,
        ge=10,
        description="Total failed logins that disable the account until an operator sets a new "
        "password.",
    )
    login_per_address_per_minute: int = Field(
        default=20,
        ge=0,
        description="Login attempts per client address per minute (0 switches the limit off).",
    )
    refresh_per_address_per_minute: int = Field(
        default=60,
        ge=0,
        description="Token refreshes per client address per minute (0 switches the limit off).",
    )


class HttpSettings(BaseModel):
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest request body in bytes; a larger one is refused with 413.",
    )
    max_image_body_bytes: int = Field(
        default=26_214_400,
        ge=1024,
        description="Largest request body in bytes on the routes that carry base64 images.",
    )
    # Routes that carry base64 images get the larger cap.
    image_path_prefixes: list[str] = Field(
        default=[
            "/api/DigitalIdentity/verify/",
            "/v1/ocr/",
            "/api/BusinessRequest/CustomerSign/StepReValidateLiveness",
            "/api/BusinessRequest/CustomerSign/StepRevalidteLiveness",
            "/api/BusinessRequest/Activate",
        ],
        description="Path prefixes of the routes that carry base64 images and get the larger cap.",
    )
    # Peers whose X-Forwarded-For is believed (reverse proxies); empty = use the socket address.
    trusted_proxies: list[str] = Field(
        default=[],
        description="Peers whose X-Forwarded-For is believed (reverse proxies); empty = use the "
        "socket address.",
    )
    cors_origins: list[str] = Field(
        default=[], description="Origins allowed by CORS; empty switches CORS off."
    )
    hsts: bool = Field(
        default=False,
        description="Send Strict-Transport-Security (only when served over HTTPS).",
    )
    # RES-3: JSON shape limits, checked on the raw body before it is parsed.
    max_json_depth: int = Field(
        default=32,
        ge=1,
        le=1000,
        description="Deepest nesting of arrays and objects in a JSON body; deeper is refused.",
    )
    max_json_items: int = Field(
        default=100,
        ge=1,
        description="Most elements of one JSON array (or members of one object) in a body.",
    )
    max_json_structure: int = Field(
        default=20_000,
        ge=1,
        description="Most brackets and commas (outside strings) in a JSON body; bounds the work "
        "any body can cause.",
    )
    max_page_size: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="Largest MaxResultCount a list endpoint honours; larger values are capped.",
    )
    default_page_size: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="Page size of list endpoints when MaxResultCount is not given.",
    )


class JobSettings(BaseModel):
    in_process: bool = Field(
        default=True,
        description="Run the job worker inside the server process (off when `hawiya worker` runs "
        "separately).",
    )
    poll_seconds: float = Field(
        default=1.0, gt=0, description="How often an idle worker looks for due jobs, in seconds."
    )
    lease_seconds: int = Field(
        default=300,
        ge=1,
        description="How long a claimed job stays locked to its worker before another may take it.",
    )
    backoff_base_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Retry delay after a job's first failure; it doubles with each attempt.",
    )
    backoff_max_seconds: float = Field(
        default=3600.0, ge=0, description="Upper bound of the retry delay, in seconds."
    )


class IdentitySettings(BaseModel):
    workers: int = Field(
        default=0,
        ge=0,
        description="Processes that read ID cards and faces (0: one per CPU core).",
    )
    queue: int = Field(
        default=0,
        ge=0,
        description="Image jobs that may wait for a free process before new ones get 503 "
        "(0: twice the number of processes).",
    )
    timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=120,
        description="Longest one OCR, face or liveness job may take before the request gets "
        "504 and the process is replaced (checklist RES-6).",
    )

    def process_count(self) -> int:
        return self.workers or (os.cpu_count() or 1)

    def queue_size(self) -> int:
        return self.queue or 2 * self.process_count()


class StorageSettings(BaseModel):
    kind: Literal["local", "s3"] = Field(
        default="local",
        description="Where encrypted identity images are kept: 'local' files or an "
        "S3-compatible service.",
    )
    root: str | None = Field(
        default=None, description="local: directory, relative to data_dir (default blobs)."
    )
    endpoint_url: str | None = Field(default=None, description="s3: service URL.")
    bucket: str | None = Field(default=None, description="s3: bucket name.")
    access_key: str | None = Field(default=None, description="s3: access key id.")
    secret_key: SecretStr | None = Field(default=None, description="s3: secret access key.")
    region: str = Field(default="us-east-1", description="s3: signing region.")
    prefix: str = Field(default="", description="s3: key prefix inside the bucket.")

    def config(self) -> dict[str, Any]:
        """The provider configuration for build_blob_store (unset values left out)."""
        values: dict[str, Any] = {
            "root": self.root,
            "endpoint_url": self.endpoint_url,
            "bucket": self.bucket,
            "access_key": self.access_key,
            "secret_key": self.secret_key.get_secret_value() if self.secret_key else None,
        }
        if self.kind == "s3":
            values.update(region=self.region, prefix=self.prefix)
            values.pop("root")
        else:
            values = {"root": self.root}
        return {k: v for k, v in values.items() if v is not None}


class WebhookSettings(BaseModel):
    # WH-1: off by default. Only an operator turns it on, for development receivers.
    allow_private_networks: bool = Field(
        default=False,
        description="Let webhook receivers on loopback, private (10/8, 172.16/12, 192.168/16, "
        "fc00::/7) and CGNAT addresses through, on any port and over plain http (development "
        "only); link-local, cloud metadata, multicast and reserved addresses stay refused.",
    )
    allowed_ports: list[int] = Field(
        default=[443],
        description="Ports a webhook URL may name (https only) while private networks are not "
        "allowed.",
    )
    timeout_seconds: float = Field(
        default=15.0,
        gt=0,
        le=60,
        description="Longest one delivery attempt may take, connection included; a receiver "
        "that has not answered 2xx by then has failed this attempt (WH-4).",
    )
    connect_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="Longest wait for the receiver's connection."
    )
    per_tenant_concurrency: int = Field(
        default=4,
        ge=1,
        le=100,
        description="Attempts of one tenant in flight at once in a worker process; further "
        "deliveries of that tenant wait their turn without holding the worker (WH-6).",
    )
    max_concurrency: int = Field(
        default=64,
        ge=1,
        le=1000,
        description="Attempts in flight at once in a worker process, all tenants together.",
    )
    disable_after_seconds: int = Field(
        default=432_000,
        ge=3600,
        description="A subscription whose deliveries have failed without a success for this "
        "long is disabled (WH-4: 5 days).",
    )
    max_subscriptions: int = Field(
        default=20, ge=1, le=1000, description="Webhook subscriptions a tenant may have."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HAWIYA_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    env: Literal["development", "test", "production"] = Field(
        default="development", description="Deployment environment."
    )
    data_dir: Path = Field(
        default=Path("var"),
        description="Directory for local state: the SQLite database, the generated secret.key, "
        "demo credentials.",
    )
    # Master secret (hex or base64, >= 32 bytes). When unset, one is generated on first start into
    # <data_dir>/secret.key; there is never a built-in default.
    secret_key: SecretStr | None = Field(
        default=None,
        description="Master secret (hex or base64, >= 32 bytes). When unset, one is generated on "
        "first start into <data_dir>/secret.key; there is never a built-in default.",
    )
    host: str = Field(default="127.0.0.1", description="Address `hawiya serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `hawiya serve` listens on.")
    # "vlens": business failures answer HTTP 200 with the code (as Vlens does); "strict": 4xx.
    http_errors: Literal["vlens", "strict"] = Field(
        default="vlens",
        description='HTTP status of business failures: "vlens" answers HTTP 200 with the code '
        'in the envelope (as Vlens does); "strict" answers 4xx.',
    )
    log_level: str = Field(
        default="INFO", description="Log level: DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )
    log_json: bool = Field(
        default=True, description="Log JSON lines to stderr (false: plain text lines)."
    )
    shutdown_grace_seconds: int = Field(
        default=30,
        ge=1,
        description="Seconds that in-flight requests and the in-process worker get to finish on "
        "shutdown.",
    )

    database: DatabaseSettings = DatabaseSettings()
    auth: AuthSettings = AuthSettings()
    http: HttpSettings = HttpSettings()
    jobs: JobSettings = JobSettings()
    identity: IdentitySettings = IdentitySettings()
    storage: StorageSettings = StorageSettings()
    webhooks: WebhookSettings = WebhookSettings()

    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{(self.data_dir / 'hawiya.db').resolve()}"

    def hash_slots(self) -> int:
        return self.auth.hash_concurrency or (os.cpu_count() or 1)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
