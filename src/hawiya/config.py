"""Settings: one pydantic-settings class with nested groups, read from HAWIYA_* variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseModel):
    # Plain SQLAlchemy URL (sqlite:///..., postgresql://...); the async driver is chosen for you.
    # Empty means the embedded default: SQLite at <data_dir>/hawiya.db.
    url: str = ""
    pool_size: int = Field(default=10, ge=1, le=200)
    # DUR-1: refuse to start on settings that can lose committed work, unless this is set.
    allow_unsafe_durability: bool = False
    sqlite_busy_timeout_ms: int = Field(default=15_000, ge=0)


class AuthSettings(BaseModel):
    issuer: str = "hawiya"
    audience: str = "hawiya-api"
    # spec §1.8: access 24 h, refresh 7 days (absolute, rotation never extends it).
    access_token_seconds: int = Field(default=86_400, ge=60)
    refresh_token_seconds: int = Field(default=604_800, ge=60)
    clock_skew_seconds: int = Field(default=60, ge=0, le=300)
    # PW-1: argon2-cffi defaults; never below the OWASP floor (m=19 MiB, t=2).
    argon2_time_cost: int = Field(default=3, ge=2)
    argon2_memory_kib: int = Field(default=65_536, ge=19_456)
    argon2_parallelism: int = Field(default=4, ge=1)
    # PW-4: at most this many hashes at once (0 = one per CPU); waiting longer than the timeout is
    # 503.
    hash_concurrency: int = Field(default=0, ge=0)
    hash_wait_seconds: float = Field(default=10.0, gt=0)
    # PW-3: per-account throttle and per-address limits.
    login_delay_after_failures: int = Field(default=5, ge=1)
    login_lock_after_failures: int = Field(default=10, ge=2)
    login_lock_seconds: int = Field(default=900, ge=1)
    login_disable_after_failures: int = Field(default=100, ge=10)
    login_per_address_per_minute: int = Field(default=20, ge=0)  # 0 switches the limit off
    refresh_per_address_per_minute: int = Field(default=60, ge=0)


class HttpSettings(BaseModel):
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_image_body_bytes: int = Field(default=26_214_400, ge=1024)
    # Routes that carry base64 images get the larger cap.
    image_path_prefixes: list[str] = [
        "/api/DigitalIdentity/verify/",
        "/v1/ocr/",
        "/api/BusinessRequest/CustomerSign/StepReValidateLiveness",
        "/api/BusinessRequest/CustomerSign/StepRevalidteLiveness",
        "/api/BusinessRequest/Activate",
    ]
    # Peers whose X-Forwarded-For is believed (reverse proxies); empty = use the socket address.
    trusted_proxies: list[str] = []
    cors_origins: list[str] = []
    hsts: bool = False
    max_page_size: int = Field(default=100, ge=1, le=1000)
    default_page_size: int = Field(default=20, ge=1, le=1000)


class JobSettings(BaseModel):
    in_process: bool = True
    poll_seconds: float = Field(default=1.0, gt=0)
    lease_seconds: int = Field(default=300, ge=1)
    backoff_base_seconds: float = Field(default=5.0, ge=0)
    backoff_max_seconds: float = Field(default=3600.0, ge=0)
    default_max_attempts: int = Field(default=5, ge=1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HAWIYA_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    # Master secret (hex or base64, >= 32 bytes). When unset, one is generated on first start into
    # <data_dir>/secret.key; there is never a built-in default.
    secret_key: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # "vlens": business failures answer HTTP 200 with the code (as Vlens does); "strict": 4xx.
    http_errors: Literal["vlens", "strict"] = "vlens"
    log_level: str = "INFO"
    log_json: bool = True
    shutdown_grace_seconds: int = Field(default=30, ge=1)

    database: DatabaseSettings = DatabaseSettings()
    auth: AuthSettings = AuthSettings()
    http: HttpSettings = HttpSettings()
    jobs: JobSettings = JobSettings()

    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{(self.data_dir / 'hawiya.db').resolve()}"

    def hash_slots(self) -> int:
        return self.auth.hash_concurrency or (os.cpu_count() or 1)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
