"""Master key rotation: re-wrap every registration's data key under a new master key.

Evidence is never re-encrypted: each registration's *data key* encrypts its
evidence, and only the data key's wrapping changes. The rotation:

1. persists the new master key first (the key file keeps the old ones as
   *previous*, so both unwrap; a crash at any later point loses nothing);
2. re-wraps data keys in batches, one transaction each, with a conditional
   update per row (only where the row still holds the exact wrapped bytes it
   read, so a concurrent crypto-shred or re-wrap wins and is never undone);
3. is resumable and idempotent: rows already under the new key are skipped,
   and a rotation the key file records as unfinished is resumed (no second
   new key) by running it again;
4. is audited (``keys.rotate`` at the start and at the end, with counts).

Running services follow it: their keyring reloads the key file when it
changes (new data keys are wrapped under the new key) and on a data key
wrapped under a master key they do not hold. The keyed hash of identities
is not touched (its key is kept in the key file), so per-identity rules
keep counting older records.

Old master keys are retired (:func:`retire_keys`) only once no data key is
wrapped under them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Protocol

from simkyc.domain.errors import ConflictError, EvidenceError
from simkyc.services.context import ServiceContext
from simkyc.services.ports import Keyring

WRAP_PREFIX = b"MK1"


class RotatingKeyring(Keyring, Protocol):
    @property
    def current_id(self) -> str: ...


@dataclass(frozen=True)
class KeyringState:
    """The keyring as a :class:`MasterKeyStore` reports it (fingerprints only, never keys)."""

    location: str
    current: str
    previous: tuple[str, ...]
    from_environment: tuple[str, ...]
    rotation: str | None
    rotation_to: str | None

    def as_dict(self) -> dict[str, object]:
        return {"location": self.location, "current": self.current,
                "previous": list(self.previous), "from_environment": list(self.from_environment),
                "rotation": self.rotation, "rotation_to": self.rotation_to}


class MasterKeyStore(Protocol):
    """Where the master keys live and how they change (the key file)."""

    def exclusive(self) -> AbstractContextManager[None]: ...
    def keyring(self) -> RotatingKeyring: ...
    def state(self) -> KeyringState: ...
    def begin_rotation(self, now: datetime) -> str: ...
    def finish_rotation(self, now: datetime) -> None: ...
    def retire(self, fingerprints: set[str]) -> list[str]: ...


def master_of(wrapped: bytes) -> str | None:
    """The fingerprint (hex) of the master key a wrapped data key is under; None: legacy."""
    return wrapped[3:11].hex() if wrapped.startswith(WRAP_PREFIX) else None


@dataclass
class RotationResult:
    to: str
    resumed: bool
    rewrapped: int = 0
    already: int = 0
    destroyed: int = 0
    changed_meanwhile: int = 0
    unreadable: int = 0
    remaining: dict[str, int] = field(default_factory=dict)
    complete: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"to": self.to, "resumed": self.resumed, "rewrapped": self.rewrapped,
                "already_under_new_key": self.already, "destroyed": self.destroyed,
                "changed_meanwhile": self.changed_meanwhile, "unreadable": self.unreadable,
                "remaining_under_old_keys": dict(self.remaining), "complete": self.complete}


@dataclass(frozen=True)
class KeyStatus(KeyringState):
    """What ``simkyc keys status`` shows: the keyring and the data keys under each key."""

    #: data keys per master key fingerprint ("legacy": wrapped before key ids were recorded)
    data_keys: dict[str, int]
    destroyed: int
    #: previous keys no data key uses: safe to retire
    retirable: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "data_keys": dict(self.data_keys),
                "destroyed": self.destroyed, "retirable": list(self.retirable)}


def _census(ctx: ServiceContext) -> tuple[dict[str, int], int]:
    with ctx.uow() as tx:
        raw = tx.keys.census()
    out: dict[str, int] = {}
    destroyed = 0
    for prefix, n in raw.items():
        if prefix is None:
            destroyed += n
            continue
        name = master_of(prefix) or "legacy"
        out[name] = out.get(name, 0) + n
    return out, destroyed


def key_status(ctx: ServiceContext, store: MasterKeyStore) -> KeyStatus:
    """The keyring (fingerprints only) and how many data keys are under each master key."""
    st = store.state()
    counts, destroyed = _census(ctx)
    retirable = tuple(fp for fp in st.previous
                      if counts.get(fp, 0) == 0 and fp not in st.from_environment
                      and not counts.get("legacy"))
    return KeyStatus(**{f.name: getattr(st, f.name) for f in fields(KeyringState)},
                     data_keys=counts, destroyed=destroyed, retirable=retirable)


def _batches(ctx: ServiceContext, batch_size: int) -> Iterator[list[tuple[str, bytes | None]]]:
    after = ""
    while True:
        with ctx.uow() as tx:
            rows = tx.keys.page(after=after, limit=batch_size)
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def rotate_keys(ctx: ServiceContext, store: MasterKeyStore, *, batch_size: int = 500,
                progress: Callable[[RotationResult, int], None] | None = None,
                max_passes: int = 3) -> RotationResult:
    """Rotate to a new master key (or resume an unfinished rotation) and re-wrap every
    data key under it. ``progress(result, total)`` is called after each batch."""
    if batch_size < 1:
        from simkyc.domain.errors import InputError

        raise InputError("the batch size is at least 1")
    with store.exclusive():
        st = store.state()
        now = ctx.clock()
        resumed = st.rotation == "in_progress" and st.rotation_to == st.current
        target = st.current if resumed else store.begin_rotation(now)
        keyring = store.keyring()
        if keyring.current_id != target:
            raise ConflictError("the key file changed during the rotation")
        with ctx.uow() as tx:
            tx.audit.append(at=now, actor_id=None, action="keys.rotate",
                            detail=f"{'resumed' if resumed else 'started'} to={target} "
                                   f"from={','.join(st.previous if resumed else (st.current,))}")
        result = RotationResult(to=target, resumed=resumed)
        counts, _ = _census(ctx)
        total = sum(counts.values())
        for _ in range(max_passes):
            before = result.rewrapped
            result.already = result.destroyed = 0
            for rows in _batches(ctx, batch_size):
                with ctx.uow() as tx:
                    for key_id, wrapped in rows:
                        if wrapped is None:
                            result.destroyed += 1
                            continue
                        if master_of(wrapped) == target:
                            result.already += 1
                            continue
                        try:
                            data_key = keyring.unwrap(wrapped, key_id)
                        except EvidenceError:
                            result.unreadable += 1
                            continue
                        if tx.keys.rewrap(key_id=key_id, old=wrapped,
                                          new=keyring.wrap(data_key, key_id)):
                            result.rewrapped += 1
                        else:
                            result.changed_meanwhile += 1
                if progress is not None:
                    progress(result, total)
            counts, _ = _census(ctx)
            result.remaining = {fp: n for fp, n in counts.items() if fp != target}
            if not result.remaining or result.rewrapped == before:
                break  # done, or only rows this keyring cannot unwrap are left
            result.unreadable = 0  # counted again on the next pass
        result.complete = not result.remaining
        end = ctx.clock()
        if result.complete:
            store.finish_rotation(end)
        with ctx.uow() as tx:
            tx.audit.append(
                at=end, actor_id=None, action="keys.rotate",
                detail=(f"{'done' if result.complete else 'incomplete'} to={target} "
                        f"rewrapped={result.rewrapped} destroyed={result.destroyed} "
                        f"unreadable={result.unreadable} "
                        f"remaining={sum(result.remaining.values())}"))
    return result


def retire_keys(ctx: ServiceContext, store: MasterKeyStore) -> tuple[list[str], KeyStatus]:
    """Remove from the key file the previous master keys no data key is wrapped under.

    Refused while a rotation is unfinished. Keys given in SIMKYC_PREVIOUS_MASTER_KEYS
    are reported, not removed (the environment is not ours to change)."""
    with store.exclusive():
        status = key_status(ctx, store)
        if status.rotation == "in_progress":
            raise ConflictError("a rotation is unfinished: run `simkyc keys rotate` to "
                                "resume it before retiring keys")
        dropped = store.retire(set(status.retirable)) if status.retirable else []
        if dropped:
            with ctx.uow() as tx:
                tx.audit.append(at=ctx.clock(), actor_id=None, action="keys.retire",
                                detail=f"retired={','.join(dropped)}")
    return dropped, key_status(ctx, store)


__all__ = ["KeyStatus", "KeyringState", "MasterKeyStore", "RotationResult", "key_status",
           "master_of", "retire_keys", "rotate_keys"]
