"""Turning application results into response bodies (and reason codes into texts)."""

from __future__ import annotations

from typing import Any

from simkyc.i18n import reason_text
from simkyc.services.registrations import RegistrationView
from simkyc.services.steps import StepResult


def step_body(result: StepResult) -> dict[str, Any]:
    """``stage``, ``passed``, ``reasons``, ``messages`` (in the customer's language), ``status``."""
    return {"stage": result.step, "passed": result.passed, "reasons": list(result.reasons),
            "messages": [reason_text(r, result.language) for r in result.reasons],
            "status": result.status.value}


def registration_body(view: RegistrationView) -> dict[str, Any]:
    return {
        "id": view.id, "status": view.status.value, "policy_version": view.policy_version,
        "flow_version": view.flow_version, "created_at": view.created_at,
        "updated_at": view.updated_at, "consent_at": view.consent_at,
        "expires_at": view.expires_at, "service_kind": view.service_kind,
        "language": view.language, "assisted_override": view.assisted_override,
        "reasons": list(view.reasons),
        "stages": [{"stage": s.stage, "passed": s.passed, "reasons": list(s.reasons)}
                   for s in view.stages],
        "evidence": [{"id": e.id, "kind": e.kind, "content_type": e.content_type,
                      "size": e.size, "created_at": e.created_at} for e in view.evidence],
    }
