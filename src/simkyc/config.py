"""Settings (pydantic-settings), read from ``SIMKYC_*`` environment variables.

- ``SIMKYC_DATA_DIR`` (default ``./var``): holds the SQLite file, the evidence
  folder and, in development, the generated master key.
- ``SIMKYC_DATABASE_URL`` (default ``sqlite:///<data dir>/simkyc.db``); use
  ``postgresql+psycopg://user@host:5432/db`` for PostgreSQL.
- ``SIMKYC_MASTER_KEY``: 32 bytes, base64 (url-safe or standard), wrapping
  every registration's data key. In development it is generated into
  ``<data dir>/master.key`` (mode 0600) on first run; in production
  (``SIMKYC_ENVIRONMENT=production``) it must be set and not the example value.
- ``SIMKYC_KEY_FILE`` (default ``<data dir>/master.key``): the keyring file that
  ``simkyc keys rotate`` writes (current and previous master keys, the subject
  key) and every process reads; see :mod:`simkyc.adapters.keyfile`.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from simkyc.domain.errors import ConfigurationError

#: The value in the README's example; refused in production.
EXAMPLE_MASTER_KEY = base64.urlsafe_b64encode(b"\0" * 32).decode()

MB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIMKYC_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("./var")
    database_url: str | None = None
    master_key: str | None = Field(default=None, repr=False)
    #: Master keys being rotated out (comma-separated, base64): they still unwrap the
    #: data keys they wrapped until ``simkyc keys rotate`` has re-wrapped them all.
    previous_master_keys: str | None = Field(default=None, repr=False)
    #: The keyring file ``simkyc keys rotate`` writes and every process reads (default
    #: ``<data dir>/master.key``). Needed to rotate a key that comes from SIMKYC_MASTER_KEY.
    key_file: Path | None = None

    #: Upload limits per content family, in bytes.
    max_image_bytes: int = 15 * MB
    max_video_bytes: int = 60 * MB
    max_audio_bytes: int = 20 * MB
    max_json_bytes: int = 2 * MB

    host: str = "127.0.0.1"
    port: int = 8000

    #: The decision policy (TOML; ``simkyc policy validate``); the built-in default if unset.
    policy_file: Path | None = None
    #: Ed25519 record-signing keys (default ``<data dir>/signing``; created on first use).
    signing_keys_dir: Path | None = None
    #: Run the delivery and purge loop inside the API process (off: run ``simkyc outbox
    #: deliver`` / ``simkyc purge`` elsewhere).
    delivery_loop: bool = True
    #: Load every model (face, document, voice, face mesh) in a background thread when
    #: the API starts, so the first customer's checks do not wait for them (the voice
    #: models alone take ~2.5 s). Unset: ``simkyc serve`` warms, a bare ``create_app``
    #: (tests) does not; ``SIMKYC_WARM_MODELS=0`` turns it off for ``serve`` too.
    warm_models: bool | None = None
    #: Where verification runs: ``inline`` (in the web process, the single shop server)
    #: or ``celery`` (workers; step routes answer 202 with a job id).
    workers: Literal["inline", "celery"] = "inline"
    #: Celery broker: Redis by default, RabbitMQ as ``amqp://user:pass@host:5672//``.
    broker_url: str = "redis://127.0.0.1:6379/0"
    #: Redis only: seconds before a task a worker took but never acknowledged (it died)
    #: is delivered again. Longer than the slowest step; RabbitMQ redelivers at once.
    broker_visibility_timeout: int = 600
    #: The queue the web tier sends jobs to and the workers take them from.
    broker_queue: str = "simkyc"
    #: Seconds between the scheduled evidence checks (``simkyc worker --beat``): every
    #: item's decryption and hash, stored for the compliance report.
    evidence_check_interval_s: float = 86400.0
    #: Evidence backend: ``local`` (the folder under the data dir) or ``s3``.
    evidence_backend: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_prefix: str = "simkyc/"
    #: An S3-compatible endpoint (MinIO, Ceph); None for AWS. Credentials come from the
    #: usual AWS variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def resolved_signing_keys_dir(self) -> Path:
        return self.signing_keys_dir or self.data_dir / "signing"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'simkyc.db').resolve()}"

    @property
    def database_dialect(self) -> str:
        return self.resolved_database_url.split(":", 1)[0].split("+", 1)[0]

    @cached_property
    def previous_master_keys_bytes(self) -> tuple[bytes, ...]:
        if not self.previous_master_keys:
            return ()
        return tuple(_decode_key(k) for k in self.previous_master_keys.split(",") if k.strip())

    @cached_property
    def master_key_bytes(self) -> bytes:
        """The 32-byte master key; generated into the data dir in development."""
        if self.master_key:
            key = _decode_key(self.master_key)
            if self.environment == "production" and self.master_key == EXAMPLE_MASTER_KEY:
                raise ConfigurationError("SIMKYC_MASTER_KEY is the example value; set a real key")
            return key
        if self.environment == "production":
            raise ConfigurationError(
                "SIMKYC_MASTER_KEY must be set in production "
                "(32 random bytes, base64: python -c 'import secrets,base64;"
                "print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())')"
            )
        path = self.data_dir / "master.key"
        if path.exists():
            return _decode_key(path.read_text().strip())
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(base64.urlsafe_b64encode(key).decode() + "\n")
        return key


def _decode_key(text: str) -> bytes:
    text = text.strip()
    for decoder in (base64.urlsafe_b64decode, base64.b64decode):
        try:
            key = decoder(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            continue
        if len(key) == 32:
            return key
    raise ConfigurationError("SIMKYC_MASTER_KEY must be 32 bytes encoded in base64")


def get_settings() -> Settings:
    return Settings()


__all__ = ["EXAMPLE_MASTER_KEY", "Settings", "get_settings"]
