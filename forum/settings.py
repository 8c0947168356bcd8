"""Settings: one frozen value read from FORUM_* environment variables."""

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SECRET_KEY_FILE = "secret_key"


class SettingsError(ValueError):
    """A FORUM_* variable holds a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to know about its environment.

    Every field maps to a FORUM_<NAME> variable; the README lists them all.
    """

    data_dir: Path = Path("forum-data")
    database_url: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    login_suffix: str = ""
    default_locale: str = "fr"
    session_days: int = 30
    ratelimit_url: str = "memory://"
    pubsub_url: str = "memory://"
    max_upload_mb: int = 50
    member_quota_mb: int = 2000
    board_quota_mb: int = 10000
    login_attempts_per_ip: int = 20
    login_attempts_per_account: int = 8
    login_window_seconds: int = 900
    setup_link_days: int = 7
    site_name: str = "Espace membres du PCM"
    timezone: str = "Europe/Paris"
    page_cache_mb: int = 64
    trusted_proxies: tuple[str, ...] = field(default_factory=tuple)

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'forum.db').resolve()}"

    @property
    def secure_cookies(self) -> bool:
        """Cookies get the Secure flag when the public URL is https."""
        return urlsplit(self.base_url).scheme == "https"

    @property
    def origin(self) -> str:
        """scheme://host[:port] of the public URL, as browsers send it in Origin."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def with_secret(self) -> "Settings":
        """Return these settings with a secret key, kept in the data dir if none was given."""
        if self.secret_key:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / SECRET_KEY_FILE
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
        return replace(self, secret_key=path.read_text().strip())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Read the FORUM_* variables (unset ones keep their defaults)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}

        def get(name: str) -> str | None:
            raw = env.get(f"FORUM_{name.upper()}")
            return raw.strip() if raw is not None and raw.strip() != "" else None

        for name in ("database_url", "secret_key", "ratelimit_url", "site_name"):
            if (raw := get(name)) is not None:
                values[name] = raw
        if (raw := get("pubsub_url")) is not None:
            if urlsplit(raw).scheme not in ("memory", "redis", "rediss"):
                raise SettingsError("FORUM_PUBSUB_URL must be memory:// or a redis:// URL")
            values["pubsub_url"] = raw
        if (raw := get("timezone")) is not None:
            try:
                ZoneInfo(raw)
            except (ZoneInfoNotFoundError, ValueError):
                raise SettingsError(f"FORUM_TIMEZONE: unknown time zone {raw!r}") from None
            values["timezone"] = raw
        if (raw := get("data_dir")) is not None:
            values["data_dir"] = Path(raw)
        if (raw := get("base_url")) is not None:
            parts = urlsplit(raw)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise SettingsError(f"FORUM_BASE_URL must be an http(s) URL, not {raw!r}")
            values["base_url"] = raw.rstrip("/")
        if (raw := get("login_suffix")) is not None:
            values["login_suffix"] = raw.lower()
        if (raw := get("default_locale")) is not None:
            if raw not in ("fr", "en"):
                raise SettingsError("FORUM_DEFAULT_LOCALE must be 'fr' or 'en'")
            values["default_locale"] = raw
        for name in (
            "session_days",
            "login_attempts_per_ip",
            "login_attempts_per_account",
            "login_window_seconds",
            "setup_link_days",
            "max_upload_mb",
            "member_quota_mb",
            "board_quota_mb",
        ):
            if (raw := get(name)) is not None:
                try:
                    number = int(raw)
                except ValueError:
                    raise SettingsError(f"FORUM_{name.upper()} must be a whole number") from None
                if number <= 0:
                    raise SettingsError(f"FORUM_{name.upper()} must be positive")
                values[name] = number
        if (raw := get("page_cache_mb")) is not None:
            if not re.fullmatch(r"[0-9]+", raw):
                raise SettingsError("FORUM_PAGE_CACHE_MB must be a whole number (0: no cache)")
            values["page_cache_mb"] = int(raw)
        if (raw := get("trusted_proxies")) is not None:
            values["trusted_proxies"] = tuple(p.strip() for p in raw.split(",") if p.strip())
        return cls(**values)  # type: ignore[arg-type]
