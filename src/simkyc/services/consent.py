"""The consent receipt a customer takes away: what was captured, why, how long it is kept.

Consent is recorded when the registration starts
(:func:`simkyc.services.registrations.start_registration`); the receipt
restates it from the stored record, in the customer's language, with an id
(``SK-`` and the registration id in groups of four) the customer can quote.
The texts come from the message catalogue (``ui.receipt_*``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from simkyc.domain.access import Permission, require
from simkyc.domain.errors import NotFoundError
from simkyc.domain.parties import Agent
from simkyc.i18n import message, resolve_language, text_direction, ui_language_for_spoken
from simkyc.services.context import ServiceContext
from simkyc.services.registrations import load_visible

#: What is captured, each with why (catalogue keys ``ui.receipt_item_<name>``).
CAPTURED = ("document", "face", "liveness", "voice", "upper_body")


@dataclass(frozen=True)
class ConsentReceipt:
    """One registration's consent, as texts in ``language`` (a UI language tag)."""

    receipt_id: str
    registration_id: str
    consent_at: datetime
    outlet_name: str
    language: str
    direction: str
    title: str
    lines: tuple[str, ...]
    retention: str
    rights: str


def receipt_id(registration_id: str) -> str:
    """``SK-XXXX-XXXX-...`` from the 32 hex digits of a registration id."""
    r = registration_id.upper()
    return "SK-" + "-".join(r[i:i + 4] for i in range(0, len(r), 4))


def consent_receipt(ctx: ServiceContext, *, actor: Agent, registration_id: str,
                    language: str | None = None) -> ConsentReceipt:
    """The receipt of ``registration_id``'s consent (audited as a read).

    ``language``: a UI language tag; by default the customer's (from the
    registration's spoken language).
    """
    require(actor, Permission.RUN_REGISTRATIONS, "print consent receipts")
    with ctx.uow() as tx:
        reg = load_visible(tx, actor, registration_id)
        if reg.consent_at is None:
            raise NotFoundError("this registration has no recorded consent")
        outlet = tx.accounts.get_outlet(outlet_id=reg.outlet_id)
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="consent.receipt",
                        registration_id=reg.id)
    lang = resolve_language(language or ui_language_for_spoken(reg.language or "cmn"))
    lines = tuple(message(f"ui.receipt_item_{name}", lang) for name in CAPTURED)
    return ConsentReceipt(
        receipt_id=receipt_id(reg.id), registration_id=reg.id, consent_at=reg.consent_at,
        outlet_name=outlet.name, language=lang, direction=text_direction(lang),
        title=message("ui.receipt_title", lang), lines=lines,
        retention=message("ui.receipt_retention", lang), rights=message("ui.receipt_rights", lang))


__all__ = ["CAPTURED", "ConsentReceipt", "consent_receipt", "receipt_id"]
