"""Settings, read once from the environment (and an optional `.env` file)."""

from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.crypto import SecretBox, parse_keys, secret_box

DEFAULT_SECRET = "change-me-development-only"

CadenceName = Literal["half_yearly", "quarterly", "monthly", "continuous"]


class DatabaseSettings(BaseSettings):
    """The part of the settings that migrations need (no secret required)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./data/platform.db"


class LoggingSettings(BaseSettings):
    """How every command logs: `text` lines or `json` objects, one per line."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class ClockSettings(BaseSettings):
    """The business time zone that every "today" is in (`app.core.clock`)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    business_timezone: str = "Asia/Shanghai"

    @field_validator("business_timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"BUSINESS_TIMEZONE {name!r} is not an IANA time zone") from None
        return name


class Settings(DatabaseSettings, LoggingSettings, ClockSettings):
    app_env: Literal["development", "test", "production"] = "production"
    secret_key: str = DEFAULT_SECRET

    # Auth
    jwt_algorithm: str = "HS256"
    jwt_allowed_algorithms: list[str] = ["HS256"]
    access_token_minutes: int = Field(30, ge=1, le=24 * 60)
    app_bootstrap_admin_password: str | None = None

    # Sign-in throttling: failed attempts within the window per account from one address,
    # and per address; and, over a longer window, per account from everywhere (a ceiling
    # high enough that nobody elsewhere locks a user out of their own account soon).
    login_window_seconds: int = 15 * 60
    login_max_failures_per_user: int = 5
    login_max_failures_per_address: int = 30
    login_account_window_seconds: int = 60 * 60
    login_max_failures_per_account: int = 100

    # Requests per client (credential, else address) and minute; 0 turns the limit off.
    rate_limit_per_minute: int = Field(1200, ge=0)
    # Shared counters for the rate limit across processes; without it, per process.
    redis_url: str | None = None

    # When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (else 401).
    metrics_token: str | None = None

    # Concurrency of one serving process: threads that run sync endpoints, transactions at
    # once (fewer than the threads, see `app.api.deps.get_session`) and pooled database
    # connections, kept open (one per transaction slot and one for the webhook dispatcher at
    # least). Unset: slots = threads − 2, connections = slots + 2. 6/4/6 served more
    # requests a second than 12/10/12 or FastAPI's 40 threads, with a p99 half as long
    # under load, on SQLite and PostgreSQL alike (bench/pools.py, bench/README.md): Python
    # runs one thread at a time, and more only fight over it and over the database.
    request_threads: int = Field(6, ge=2, le=256)
    session_slots: int | None = Field(None, ge=1)
    db_pool_size: int | None = Field(None, ge=2)

    # Request limits
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 50 * 1024 * 1024

    # Behind a reverse proxy, trust X-Forwarded-For for the client address.
    trust_forwarded_for: bool = False

    # Browser origins allowed to call the API (CORS): comma-separated origins, or `*`.
    # Unset: `*` in development (the demo), none elsewhere (see `cors_origins`).
    cors_allow_origins: str | None = None

    # A feed search combined with a feed's own filter counts its matches exactly up to this
    # many; beyond, it says "at least this many" (`total_relation`: `gte`), so that a page
    # costs the same at any size. Without such a filter, the term's counts are exact.
    search_exact_total_up_to: int = Field(10_000, ge=1)

    # Student distribution: colleges submit for the current period and the ones before it
    # (2 = current and previous), never for a future one.
    distribution_open_periods: int = Field(2, ge=1, le=10)
    distribution_max_rows: int = Field(200_000, ge=1)
    # Every failing row is reported, up to this many problems (the count is always exact).
    distribution_max_errors: int = Field(100_000, ge=1)
    # Summary cells below this headcount are suppressed for anonymous callers (None: off).
    distribution_min_cell_size: int | None = Field(None, ge=1)

    # Publications: a period's publication is due this many days after the period ends.
    publication_grace_days: int = Field(30, ge=0, le=366)
    enterprise_directory_cadence: CadenceName = "quarterly"
    cooperation_projects_cadence: CadenceName = "quarterly"
    tech_projects_cadence: CadenceName = "continuous"

    # Demands: `valid_until` of a new demand that names none is this many days after today.
    demand_default_validity_days: int = Field(90, ge=1, le=366)

    # Matching: the weight of each factor of the score, in percent; they must sum to 100.
    # score = Σ weight × factor value / 10,000, values being 0–100
    # (see app.services.matching).
    matching_weight_major: int = Field(40, ge=0, le=100)
    matching_weight_level: int = Field(15, ge=0, le=100)
    matching_weight_graduation_year: int = Field(15, ge=0, le=100)
    matching_weight_place: int = Field(10, ge=0, le=100)
    matching_weight_coverage: int = Field(20, ge=0, le=100)

    # Background worker and webhooks
    app_run_worker: bool = True
    worker_poll_seconds: float = Field(0.5, gt=0, le=60)
    # How often the worker closes demands past their last valid day.
    worker_housekeeping_seconds: float = Field(60, gt=0, le=24 * 3600)
    worker_batch_size: int = Field(50, ge=1, le=1000)
    worker_send_threads: int = Field(8, ge=1, le=64)
    webhook_allow_private: bool = False
    webhook_first_retry_seconds: float = Field(5.0, ge=0, le=3600)
    webhook_max_retry_seconds: float = Field(3600.0, ge=0)
    webhook_max_attempts: int = Field(10, ge=1, le=50)
    webhook_disable_after_failures: int = Field(3, ge=1)
    webhook_connect_timeout_seconds: float = Field(3.0, gt=0, le=60)
    webhook_read_timeout_seconds: float = Field(5.0, gt=0, le=120)
    webhook_max_response_bytes: int = Field(64 * 1024, ge=0)
    webhook_lease_seconds: float = Field(60.0, gt=0)
    # Fernet keys encrypting webhook secrets at rest (first encrypts, all decrypt); unset:
    # derived from SECRET_KEY.
    webhook_secret_keys: str | None = None
    # After a rotation the previous secret still signs (beside the new one) this long.
    webhook_secret_grace_hours: float = Field(24.0, ge=0, le=24 * 30)

    @property
    def transaction_slots(self) -> int:
        """Transactions one process runs at once (`SESSION_SLOTS`)."""
        return self.session_slots or max(1, self.request_threads - 2)

    @property
    def pool_size(self) -> int:
        """Database connections one process keeps open (`DB_POOL_SIZE`)."""
        return self.db_pool_size or self.transaction_slots + 2

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.app_env != "development" and self.secret_key == DEFAULT_SECRET:
            raise ValueError(
                "SECRET_KEY must be set to a long random value outside APP_ENV=development"
            )
        if self.app_env != "development" and len(self.secret_key) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters outside development")
        if sum(self.matching_weights.values()) != 100:
            raise ValueError("the MATCHING_WEIGHT_* settings must sum to 100")
        if self.jwt_algorithm not in self.jwt_allowed_algorithms:
            raise ValueError("JWT_ALGORITHM must be one of JWT_ALLOWED_ALGORITHMS")
        timeouts = self.webhook_connect_timeout_seconds + self.webhook_read_timeout_seconds
        if self.webhook_lease_seconds <= 2 * timeouts:
            raise ValueError("WEBHOOK_LEASE_SECONDS must exceed twice the webhook timeouts")
        if "none" in {a.lower() for a in self.jwt_allowed_algorithms}:
            raise ValueError("the 'none' JWT algorithm is never allowed")
        if self.transaction_slots >= self.request_threads:
            raise ValueError("SESSION_SLOTS must be fewer than REQUEST_THREADS")
        if self.pool_size <= self.transaction_slots:
            raise ValueError("DB_POOL_SIZE must exceed SESSION_SLOTS (the dispatcher needs one)")
        try:
            parse_keys(self.webhook_secret_keys, self.secret_key)
        except ValueError as exc:
            raise ValueError(f"WEBHOOK_SECRET_KEYS holds a malformed Fernet key: {exc}") from None
        return self

    @property
    def secret_box(self) -> SecretBox:
        """Encrypts and decrypts the secrets the platform keeps (webhook signing keys)."""
        return secret_box(parse_keys(self.webhook_secret_keys, self.secret_key))

    @property
    def matching_weights(self) -> dict[str, int]:
        """Factor → weight (percent), in the order reasons are listed."""
        return {
            "major": self.matching_weight_major,
            "level": self.matching_weight_level,
            "graduation_year": self.matching_weight_graduation_year,
            "place": self.matching_weight_place,
            "coverage": self.matching_weight_coverage,
        }

    @property
    def cors_origins(self) -> list[str]:
        """The origins CORS admits: listed ones, `["*"]`, or none (no CORS headers at all)."""
        if self.cors_allow_origins is None:
            return ["*"] if self.app_env == "development" else []
        origins = [o.strip().rstrip("/") for o in self.cors_allow_origins.split(",")]
        return ["*"] if "*" in origins else [o for o in origins if o]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
