"""Typed results shared by every verification stage.

A stage returns a frozen result that says what was decided, how (model id,
threshold) and why (reason codes). Raw scores stay on the server: the API shows
clients ``passed`` and ``reasons`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Check:
    """One measured check: ``value`` compared with ``threshold``.

    ``reason`` is the machine-readable code reported when the check fails
    (e.g. ``face_too_small``).
    """

    name: str
    passed: bool
    value: float | int | str | None = None
    threshold: float | int | str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "value": self.value,
            "threshold": self.threshold,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class StageOutcome:
    """What a verification stage reports to the registration workflow.

    ``details`` may hold scores for the server-side record; it is never sent to
    a client (see ``public_view``).
    """

    stage: str
    passed: bool
    reasons: tuple[str, ...] = ()
    model: str | None = None
    policy_version: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def public_view(self) -> dict[str, Any]:
        """The client-safe view: pass/fail and reason codes, no scores."""
        return {"stage": self.stage, "passed": self.passed, "reasons": list(self.reasons)}


__all__ = ["Check", "StageOutcome"]
