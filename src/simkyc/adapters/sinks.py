"""Delivery sinks: an HTTP webhook (httpx) and a directory drop (atomic rename).

Both are idempotent by the delivery's key, so a record sent again after a
crash (the outbox delivers at least once) is stored once by the receiver:

- :class:`WebhookSink` POSTs the compact JWS (``Content-Type:
  application/jose``) with an ``Idempotency-Key`` header; any 2xx answer is
  acceptance, anything else (or no answer within the timeout) a failure.
- :class:`DirectorySink` writes ``<key>.jws`` through a temporary file in the
  same folder, fsynced, then ``os.replace``: a reader never sees half a record.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from simkyc.domain.policy import DecisionPolicy, DeliverySink
from simkyc.services.records_ports import DeliveryFailed


class WebhookSink:
    def __init__(self, name: str, url: str, *, timeout_seconds: float = 10.0,
                 client: httpx.Client | None = None) -> None:
        self.name = name
        self.url = url
        self._client = client or httpx.Client(timeout=timeout_seconds)

    def deliver(self, *, idempotency_key: str, record_id: str, jws: str) -> None:
        try:
            r = self._client.post(self.url, content=jws.encode(), headers={
                "Content-Type": "application/jose", "Idempotency-Key": idempotency_key,
                "X-Simkyc-Record-Id": record_id})
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= r.status_code < 300:
            raise DeliveryFailed(f"HTTP {r.status_code}: {r.text[:200]}")

    def close(self) -> None:
        self._client.close()


class DirectorySink:
    def __init__(self, name: str, directory: Path) -> None:
        self.name = name
        self.directory = directory

    def deliver(self, *, idempotency_key: str, record_id: str, jws: str) -> None:
        if not idempotency_key.isalnum():
            raise DeliveryFailed("the idempotency key is not a plain file name")
        final = self.directory / f"{idempotency_key}.jws"
        tmp = self.directory / f".{idempotency_key}.jws.tmp"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(jws.encode())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
            dir_fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise DeliveryFailed(f"cannot write to {self.directory}: {exc.strerror}") from exc

    def close(self) -> None:
        pass


def build_sink(sink: DeliverySink, *, timeout_seconds: float) -> WebhookSink | DirectorySink:
    if sink.kind == "webhook":
        return WebhookSink(sink.name, sink.target, timeout_seconds=timeout_seconds)
    return DirectorySink(sink.name, Path(sink.target))


def build_sinks(policy: DecisionPolicy) -> dict[str, WebhookSink | DirectorySink]:
    """The sinks the policy configures, by name."""
    d = policy.delivery
    return {s.name: build_sink(s, timeout_seconds=d.timeout_seconds) for s in d.sinks}


__all__ = ["DirectorySink", "WebhookSink", "build_sink", "build_sinks"]
