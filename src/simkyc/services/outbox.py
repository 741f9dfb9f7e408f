"""Delivering records through the outbox: at least once, with backoff, never blocking.

The register step writes the outbox rows in the transaction that registers
the service (:func:`simkyc.services.records.issue_records`). :func:`deliver_due`
then, in short transactions of its own: leases the due rows (so two loops
never send one row at once; a loop that dies leaves the lease to run out),
sends each to its sink *outside* any transaction, and records the outcome.
A failure schedules the next attempt after an exponential backoff with jitter
(:func:`backoff_seconds`); after ``policy.delivery.max_attempts`` the row is
``parked`` for an admin (:func:`retry_delivery`). A process stopped between
sending and recording sends again after restart: receivers deduplicate by
the ``Idempotency-Key`` (the record id), so each record is kept once.

:class:`BackgroundLoop` runs the delivery (and the retention purge on its
schedule) in a thread of the API process; ``simkyc outbox deliver`` runs it
from the command line.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from simkyc.domain.access import Permission, require
from simkyc.domain.parties import Agent
from simkyc.domain.policy import DeliveryPolicy
from simkyc.services.context import ServiceContext
from simkyc.services.records_ports import (
    DeliveryFailed,
    DeliverySink,
    DeliveryStatus,
    OutboxItem,
)

log = logging.getLogger("simkyc.outbox")


def backoff_seconds(attempts: int, policy: DeliveryPolicy, rng: random.Random) -> float:
    """Seconds to wait after the ``attempts``-th failure: ``base * 2**(attempts-1)``, capped at
    ``backoff_max_seconds``, times a random factor in [0.5, 1] (jitter spreads retries)."""
    base = min(policy.backoff_max_seconds,
               policy.backoff_base_seconds * 2 ** max(0, attempts - 1))
    return base * (0.5 + 0.5 * rng.random())


@dataclass(frozen=True)
class DeliveryRound:
    attempted: int
    delivered: int
    failed: int
    parked: int


def deliver_due(ctx: ServiceContext, sinks: Mapping[str, DeliverySink], *,
                limit: int = 50) -> DeliveryRound:
    """Send every due delivery once (see the module docstring); returns what happened."""
    d = ctx.policy.delivery
    now = ctx.clock()
    with ctx.uow() as tx:
        items = tx.outbox.claim_due(now=now, lease_seconds=d.lease_seconds,
                                    limit=limit)
        tokens = {i.id: tx.records.get(record_id=i.record_id).jws for i in items}
    rng = ctx.rng("delivery")
    delivered = failed = parked = 0
    for item in items:
        sink = sinks.get(item.sink)
        token = tokens[item.id]
        try:
            if sink is None:
                raise DeliveryFailed(f"no sink named {item.sink!r} is configured")
            if token is None:
                raise DeliveryFailed("the record was purged before it was delivered")
            sink.deliver(idempotency_key=item.idempotency_key, record_id=item.record_id,
                         jws=token)
        except DeliveryFailed as exc:
            failed += 1
            parked += _failed(ctx, item, str(exc), rng)
            continue
        with ctx.uow() as tx:
            tx.outbox.mark_delivered(item_id=item.id, at=ctx.clock())
            tx.audit.append(at=ctx.clock(), actor_id=None, action="record.delivered",
                            detail=f"record={item.record_id} sink={item.sink} "
                                   f"attempt={item.attempts + 1}")
        delivered += 1
    return DeliveryRound(attempted=len(items), delivered=delivered, failed=failed,
                         parked=parked)


def _failed(ctx: ServiceContext, item: OutboxItem, error: str, rng: random.Random) -> int:
    d = ctx.policy.delivery
    attempts = item.attempts + 1
    park = attempts >= d.max_attempts
    now = ctx.clock()
    with ctx.uow() as tx:
        tx.outbox.mark_failed(item_id=item.id, error=error, park=park,
                              next_attempt_at=now + timedelta(
                                  seconds=backoff_seconds(attempts, d, rng)))
        if park:
            tx.audit.append(at=now, actor_id=None, action="record.delivery_parked",
                            detail=f"record={item.record_id} sink={item.sink} "
                                   f"attempts={attempts} error={error[:200]}")
    log.warning("delivery of record %s to %s failed (attempt %d%s): %s", item.record_id,
                item.sink, attempts, ", parked" if park else "", error)
    return int(park)


def list_deliveries(ctx: ServiceContext, *, actor: Agent, status: DeliveryStatus | None = None,
                    limit: int = 200) -> list[OutboxItem]:
    """The outbox, newest first (of one status, if given)."""
    require(actor, Permission.MANAGE_DELIVERY, "list deliveries")
    with ctx.uow() as tx:
        return tx.outbox.list(status=status, limit=limit)


def retry_delivery(ctx: ServiceContext, *, actor: Agent, delivery_id: str) -> OutboxItem:
    """Put a parked (or pending) delivery back in line now, its attempts reset (audited)."""
    require(actor, Permission.MANAGE_DELIVERY, "retry deliveries")
    with ctx.uow() as tx:
        item = tx.outbox.retry(item_id=delivery_id, now=ctx.clock())
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="record.delivery_retry",
                        detail=f"record={item.record_id} sink={item.sink}")
    return item


class BackgroundLoop:
    """Delivery every ``poll_seconds`` and ``purge`` every ``purge_seconds`` (0: never), in a
    daemon thread. An exception in one round is logged; the next round runs."""

    def __init__(self, ctx: ServiceContext, sinks: Mapping[str, DeliverySink], *,
                 purge: Callable[[], object] | None = None) -> None:
        self.ctx = ctx
        self.sinks = sinks
        self.purge = purge
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="simkyc-delivery", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        poll = max(0.1, self.ctx.policy.delivery.poll_seconds)
        purge_every = self.ctx.policy.retention.purge_interval_seconds
        next_purge = 60.0  # the first scheduled purge a minute after start
        waited = 0.0
        while not self._stop.is_set():
            try:
                if self.ctx.policy.delivery.sinks:
                    deliver_due(self.ctx, self.sinks)
                if self.purge is not None and purge_every and waited >= next_purge:
                    self.purge()
                    next_purge = waited + purge_every
            except Exception:  # noqa: BLE001 - keep the loop alive; the round is retried
                log.exception("delivery/purge round failed")
            self._stop.wait(poll)
            waited += poll


__all__ = ["BackgroundLoop", "DeliveryRound", "backoff_seconds", "deliver_due",
           "list_deliveries", "retry_delivery"]
