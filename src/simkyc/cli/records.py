"""Records, policy, delivery, audit proof, retention and subject rights on the command line.

``simkyc policy show|validate|hash``, ``simkyc record verify|rotate-key``,
``simkyc outbox list|retry|deliver``, ``simkyc audit verify|head|export``,
``simkyc purge``, ``simkyc service end``, ``simkyc subject export|erase``.

Checking commands follow the output contract of :mod:`simkyc.cli.output`
(``--json``: one object; exit 0 valid, 1 checked and failed, 2 could not
check, with a one-line reason). Commands that change something run as the
operator's shell account (``cli``, an admin) and are audited as such; subject
rights need a compliance officer's account id (``--officer``).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from simkyc.cli.admin import fail, runtime
from simkyc.cli.output import EXIT_CANNOT_CHECK, EXIT_FAILED, dumps
from simkyc.config import Settings
from simkyc.domain.errors import SimkycError
from simkyc.domain.parties import Agent, Role

policy_app = typer.Typer(help="The decision policy: show, validate, hash.", no_args_is_help=True)
record_app = typer.Typer(help="Signed registration records.", no_args_is_help=True)
outbox_app = typer.Typer(help="Record deliveries.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
service_app = typer.Typer(help="Registered services.", no_args_is_help=True)
subject_app = typer.Typer(help="A customer's rights: access export, erasure.",
                          no_args_is_help=True)

#: The operator's shell account: commands are audited as ``cli``.
CLI_ACTOR = Agent(id="cli", name="command line", role=Role.ADMIN, outlet_id=None)


def _cannot(reason: str, as_json: bool) -> None:
    reason = " ".join(str(reason).split())
    typer.echo(f"error: {reason}", err=True)
    if as_json:
        typer.echo(dumps({"error": reason}))
    raise typer.Exit(EXIT_CANNOT_CHECK)


def _policy(file: Path | None) -> Any:
    from simkyc.adapters.policy_file import load_configured_policy

    return load_configured_policy(file if file is not None else Settings().policy_file)


# -- policy ------------------------------------------------------------------------------

@policy_app.command("show")
def policy_show(file: Path | None = typer.Option(None, "--file",
                                                 help="A policy file (default: the configured "
                                                      "one, SIMKYC_POLICY_FILE).")) -> None:
    """The whole effective policy as TOML (defaults filled in), and its SHA-256."""
    from simkyc.adapters.policy_file import policy_toml
    from simkyc.services.policy_doc import policy_sha256, policy_warnings

    try:
        policy = _policy(file)
    except SimkycError as exc:
        fail(str(exc))
    for warning in policy_warnings(policy):
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"# sha256 = {policy_sha256(policy)}")
    typer.echo(policy_toml(policy), nl=False)


@policy_app.command("validate")
def policy_validate(file: Path = typer.Argument(..., help="The TOML policy file."),
                    as_json: bool = typer.Option(False, "--json")) -> None:
    """Exit 0 when the file is a valid policy, 1 with the first problem when not."""
    from simkyc.adapters.policy_file import load_policy_file
    from simkyc.services.policy_doc import policy_sha256, policy_warnings

    try:
        policy = load_policy_file(file)
    except SimkycError as exc:
        msg = " ".join(str(exc).split())
        if as_json:
            typer.echo(dumps({"valid": False, "problem": msg}))
        else:
            typer.echo(f"invalid: {msg}")
        raise typer.Exit(EXIT_FAILED) from None
    warnings = policy_warnings(policy)
    out = {"valid": True, "version": policy.version, "sha256": policy_sha256(policy),
           "warnings": warnings}
    typer.echo(dumps(out) if as_json else f"valid: version {policy.version}, "
                                          f"sha256 {out['sha256']}")
    if not as_json:
        for warning in warnings:
            typer.echo(f"warning: {warning}", err=True)


@policy_app.command("hash")
def policy_hash(file: Path | None = typer.Option(None, "--file")) -> None:
    """The canonical SHA-256 of the effective policy (what records carry)."""
    from simkyc.services.policy_doc import policy_sha256

    try:
        typer.echo(policy_sha256(_policy(file)))
    except SimkycError as exc:
        fail(str(exc))


# -- records -----------------------------------------------------------------------------

@record_app.command("verify")
def record_verify(
    file: Path = typer.Argument(..., help="A delivered record (the compact JWS)."),
    jwks: Path | None = typer.Option(None, "--jwks", help="The operator's JWKS "
                                     "(/.well-known/jwks.json); default: this installation's "
                                     "keys."),
    policy: Path | None = typer.Option(None, "--policy", help="The published policy file: "
                                       "the record must have been decided under it."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Verify a record's signature (exit 0), or say why it fails (exit 1)."""
    from simkyc.adapters.record_check import check_record

    try:
        token = file.read_text(encoding="utf-8").strip()
        if jwks is not None:
            keys = json.loads(jwks.read_text(encoding="utf-8"))
        else:
            from simkyc.adapters.jose import SigningKeys

            keys = SigningKeys(Settings().resolved_signing_keys_dir).jwks()
        published = None
        if policy is not None:
            from simkyc.adapters.policy_file import load_policy_file
            from simkyc.services.policy_doc import policy_sha256

            published = policy_sha256(load_policy_file(policy))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, SimkycError) as exc:
        _cannot(f"cannot read the input: {exc}", as_json)
    result = check_record(token, keys, published_policy_sha256=published)
    if as_json:
        typer.echo(dumps(result.to_dict()))
    elif result.valid:
        typer.echo(f"valid: record {result.record_id} ({result.profile}), key {result.kid}, "
                   f"policy {result.policy_sha256}")
    else:
        typer.echo(f"invalid: {result.problem}")
    raise typer.Exit(0 if result.valid else EXIT_FAILED)


@record_app.command("rotate-key")
def record_rotate_key() -> None:
    """A new signing key becomes current; older records still verify with the old ones."""
    from simkyc.adapters.jose import SigningKeys

    keys = SigningKeys(Settings().resolved_signing_keys_dir)
    old = keys.kid
    new = keys.rotate()
    typer.echo(f"signing key {new} is current (was {old})")


# -- outbox ------------------------------------------------------------------------------

@outbox_app.command("list")
def outbox_list(status: str | None = typer.Option(None, "--status",
                                                  help="pending, delivered or parked."),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """Deliveries, newest first."""
    from simkyc.services.outbox import list_deliveries
    from simkyc.services.records_ports import DeliveryStatus

    try:
        st = DeliveryStatus(status) if status else None
    except ValueError:
        fail("--status must be pending, delivered or parked")
    with runtime() as rt:
        items = list_deliveries(rt.context, actor=CLI_ACTOR, status=st)
    if as_json:
        typer.echo(dumps({"deliveries": [_item(i) for i in items]}))
        return
    for i in items:
        typer.echo(f"{i.id}  {i.status.value:<9}  {i.sink:<12}  record {i.record_id}  "
                   f"attempts {i.attempts}  {i.last_error[:80]}")


def _item(i: Any) -> dict[str, Any]:
    return {"id": i.id, "record_id": i.record_id, "sink": i.sink, "status": i.status.value,
            "attempts": i.attempts, "next_attempt_at": i.next_attempt_at,
            "last_error": i.last_error, "delivered_at": i.delivered_at}


@outbox_app.command("retry")
def outbox_retry(delivery_id: str = typer.Argument(..., help="The delivery's id.")) -> None:
    """Put a parked delivery back in line now (audited)."""
    from simkyc.services.outbox import retry_delivery

    with runtime() as rt:
        item = retry_delivery(rt.context, actor=CLI_ACTOR, delivery_id=delivery_id)
    typer.echo(f"delivery {item.id} to {item.sink} is pending again")


@outbox_app.command("deliver")
def outbox_deliver(
    once: bool = typer.Option(False, "--once", help="One round, then exit."),
    seconds: float = typer.Option(0.0, "--for", help="Keep delivering this long (0: until "
                                  "interrupted)."),
) -> None:
    """Deliver due records to the configured sinks (what the in-process loop does)."""
    from simkyc.adapters.sinks import build_sinks
    from simkyc.services.outbox import deliver_due

    with runtime() as rt:
        sinks = build_sinks(rt.context.policy)
        start = time.monotonic()
        while True:
            r = deliver_due(rt.context, sinks)
            if r.attempted:
                typer.echo(f"attempted {r.attempted}, delivered {r.delivered}, "
                           f"failed {r.failed}, parked {r.parked}", err=True)
            if once or (seconds and time.monotonic() - start >= seconds):
                break
            time.sleep(rt.context.policy.delivery.poll_seconds)


# -- audit -------------------------------------------------------------------------------

@audit_app.command("verify")
def audit_verify(
    head: Path | None = typer.Option(None, "--head", help="A head exported with "
                                     "`audit head --sign`: the chain must still hold it."),
    jwks: Path | None = typer.Option(None, "--jwks", help="Keys to check the head's "
                                     "signature (default: this installation's)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Recompute the whole chain: exit 0 intact, 1 naming the first broken entry."""
    from simkyc.services.audit import verify_audit
    from simkyc.services.audit_proof import check_against_head

    exported = None
    if head is not None:
        try:
            exported = _read_head(head, jwks)
        except (OSError, ValueError, SimkycError) as exc:
            _cannot(f"cannot read the exported head: {exc}", as_json)
    with runtime() as rt:
        v = verify_audit(rt.context, actor=CLI_ACTOR)
        checked = (check_against_head(rt.context, actor=CLI_ACTOR, head=exported)
                   if exported is not None else None)
    ok = v.intact and (checked is None or checked.intact)
    problem = v.problem if not v.intact else (checked.problem if checked else None)
    first_bad = v.first_bad_seq if not v.intact else (checked.seq if checked and
                                                      not checked.intact else None)
    if as_json:
        typer.echo(dumps({"intact": ok, "entries": v.entries, "first_bad_seq": first_bad,
                          "problem": problem,
                          "head_seq": exported.get("seq") if exported else None}))
    elif ok:
        typer.echo(f"intact: {v.entries} entries"
                   + (f", exported head {exported['seq']} present" if exported else ""))
    else:
        typer.echo(f"broken at entry {first_bad}: {problem}")
    raise typer.Exit(0 if ok else EXIT_FAILED)


def _read_head(path: Path, jwks: Path | None) -> dict[str, Any]:
    from simkyc.adapters.jose import InvalidSignature, SigningKeys, verify_jws

    text = path.read_text(encoding="utf-8").strip()
    if text.startswith("{"):
        raise ValueError("the head must be the signed JWS (audit head --sign)")
    keys = (json.loads(jwks.read_text(encoding="utf-8")) if jwks is not None
            else SigningKeys(Settings().resolved_signing_keys_dir).jwks())
    try:
        verified = verify_jws(text, keys)
    except InvalidSignature as exc:
        raise ValueError(f"its signature does not verify: {exc}") from exc
    head: dict[str, Any] = json.loads(verified.payload)
    return head


@audit_app.command("head")
def audit_head(sign: bool = typer.Option(False, "--sign", help="As a JWS signed with the "
                                         "record key, for an external notary.")) -> None:
    """The chain's last entry (seq, hash), to keep outside the database."""
    from simkyc.services.audit_proof import chain_head, signed_head

    with runtime() as rt:
        if sign:
            typer.echo(signed_head(rt.context, actor=CLI_ACTOR))
        else:
            typer.echo(dumps(chain_head(rt.context, actor=CLI_ACTOR)))


@audit_app.command("export")
def audit_export(
    since: str | None = typer.Option(None, "--from", help="ISO date or time (inclusive)."),
    until: str | None = typer.Option(None, "--to", help="ISO date or time (exclusive)."),
) -> None:
    """Entries in the period as JSON lines, with their hashes (auditors recompute them)."""
    from simkyc.services.audit_proof import entry_dict, export_entries

    def when(v: str | None, name: str) -> datetime | None:
        if v is None:
            return None
        try:
            t = datetime.fromisoformat(v)
        except ValueError:
            fail(f"{name} must be an ISO date or time, e.g. 2026-12-01")
        from datetime import UTC

        return t if t.tzinfo else t.replace(tzinfo=UTC)

    with runtime() as rt:
        rows = export_entries(rt.context, actor=CLI_ACTOR, since=when(since, "--from"),
                              until=when(until, "--to"))
    for e in rows:
        sys.stdout.write(json.dumps(entry_dict(e), ensure_ascii=False) + "\n")


# -- retention, services, subject rights ----------------------------------------------------

def purge_command(dry_run: bool = typer.Option(False, "--dry-run",
                                               help="List what is due; change nothing."),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """Destroy what the retention schedule no longer allows to keep (tombstoned, audited)."""
    from simkyc.services.retention import purge

    with runtime() as rt:
        report = purge(rt.context, actor=CLI_ACTOR, dry_run=dry_run)
    if as_json:
        typer.echo(dumps(report.to_dict()))
        return
    verb = "due" if dry_run else "purged"
    typer.echo(f"{len(report.items)} item(s) {verb}, {len(report.keys_destroyed)} data key(s) "
               f"{'to destroy' if dry_run else 'destroyed'}, {len(report.expired)} expired")
    for i in report.items:
        typer.echo(f"  {i.registration_id}  {i.kind:<16}  {i.item_id}  due {i.due:%Y-%m-%d}")


@service_app.command("end")
def service_end(registration_id: str = typer.Argument(...),
                reason: str = typer.Option(..., "--reason", help="ported_out or cancelled.")
                ) -> None:
    """Record that a registered service ended: it frees its count and its number."""
    from simkyc.services.records import end_service

    with runtime() as rt:
        end_service(rt.context, actor=CLI_ACTOR, registration_id=registration_id, reason=reason)
    typer.echo(f"service of {registration_id} ended ({reason})")


def _officer(rt: Any, officer: str) -> Agent:
    with rt.context.uow() as tx:
        return tx.accounts.get_agent(agent_id=officer)  # type: ignore[no-any-return]


@subject_app.command("export")
def subject_export(number: str = typer.Option(..., "--number", help="The document number."),
                   state: str = typer.Option("CHN", "--state", help="Issuing state."),
                   officer: str = typer.Option(..., "--officer",
                                               help="The compliance officer's account id."),
                   out: Path = typer.Option(..., "--out", help="The ZIP to write.")) -> None:
    """A customer's records and evidence as a ZIP (access request; audited)."""
    from simkyc.services.subject_rights import export_subject

    with runtime() as rt:
        data = export_subject(rt.context, actor=_officer(rt, officer), number=number,
                              issuing_state=state)
    out.write_bytes(data)
    typer.echo(f"wrote {out} ({len(data)} bytes)")


@subject_app.command("erase")
def subject_erase(number: str = typer.Option(..., "--number"),
                  state: str = typer.Option("CHN", "--state"),
                  officer: str = typer.Option(..., "--officer"),
                  reason: str = typer.Option(..., "--reason", help="The request's reference."),
                  ) -> None:
    """Erase (crypto-shred) what the law allows of a customer's data (audited)."""
    from simkyc.services.subject_rights import erase_subject

    with runtime() as rt:
        report = erase_subject(rt.context, actor=_officer(rt, officer), number=number,
                               issuing_state=state, reason=reason)
    typer.echo(dumps(report.to_dict()))


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
    app.add_typer(record_app, name="record")
    app.add_typer(outbox_app, name="outbox")
    app.add_typer(audit_app, name="audit")
    app.add_typer(service_app, name="service")
    app.add_typer(subject_app, name="subject")
    app.command("purge")(purge_command)


__all__ = ["CLI_ACTOR", "register"]
