"""The versioned registration flow: which steps, in what order, from which status, to which.

A *definition* (this module) is separate from the running *instances* (the
registrations): each registration records the flow version it follows, beside
the policy version it was decided under (as Ballerine separates workflow
definitions from runtime data). The application layer asks the definition
whether a step may run, where it leads and what it keeps; the web app reads
the same definition from ``GET /api/v1/flow``.

Change a step only with a new ``version``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simkyc.domain.errors import IllegalTransitionError, NotFoundError
from simkyc.domain.evidence import EvidenceKind
from simkyc.domain.registration import RegistrationStatus

S = RegistrationStatus
K = EvidenceKind


@dataclass(frozen=True)
class StepDefinition:
    """One step of the flow.

    ``requires``: the statuses it may run from. ``on_pass`` / ``on_fail``: where
    the registration goes (``None``: it stays, so the customer may try again).
    ``keeps``: evidence kinds the step stores. ``uses``: evidence it decides on,
    as ``(step, kind)``: exactly the item that step's passing outcome produced.
    ``requires_evidence``: kinds that must have been attached before it runs.
    ``challenge``: the kind of single-use challenge it answers, if any.
    ``role``: who runs it (``registrar``: agent or supervisor; ``supervisor``).
    ``customer_facing``: shown as a screen of the counter app.
    """

    name: str
    requires: frozenset[RegistrationStatus]
    on_pass: RegistrationStatus | None
    on_fail: RegistrationStatus | None
    keeps: tuple[EvidenceKind, ...] = ()
    uses: tuple[tuple[str, EvidenceKind], ...] = ()
    requires_evidence: tuple[EvidenceKind, ...] = ()
    challenge: str | None = None
    role: str = "registrar"
    customer_facing: bool = True

    def check_can_run(self, status: RegistrationStatus) -> None:
        """Raise :class:`IllegalTransitionError` unless the step may run from ``status``."""
        if status not in self.requires:
            raise IllegalTransitionError(status.value, self.name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "requires": sorted(s.value for s in self.requires),
            "on_pass": self.on_pass.value if self.on_pass else None,
            "on_fail": self.on_fail.value if self.on_fail else None,
            "keeps": [k.value for k in self.keeps],
            "uses": [{"step": step, "kind": kind.value} for step, kind in self.uses],
            "requires_evidence": [k.value for k in self.requires_evidence],
            "challenge": self.challenge,
            "role": self.role,
            "customer_facing": self.customer_facing,
        }


#: Every status in which a registration is still open (not terminal).
OPEN: frozenset[RegistrationStatus] = frozenset(
    s for s in S if s not in (S.REGISTERED, S.REJECTED, S.EXPIRED))


@dataclass(frozen=True)
class FlowDefinition:
    """An ordered, versioned list of steps."""

    version: str
    steps: tuple[StepDefinition, ...]
    _by_name: Mapping[str, StepDefinition] = field(default_factory=dict, repr=False,
                                                   compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {s.name: s for s in self.steps})

    def step(self, name: str) -> StepDefinition:
        try:
            return self._by_name[name]
        except KeyError:
            raise NotFoundError(f"the flow {self.version} has no step {name!r}") from None

    def attachable(self) -> frozenset[EvidenceKind]:
        """Evidence an agent may attach directly (what the ``attach`` step keeps)."""
        return frozenset(self.step("attach").keeps)

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "steps": [s.to_dict() for s in self.steps]}


DEFAULT_FLOW = FlowDefinition(
    version="2026.12-1",
    steps=(
        StepDefinition("consent", requires=frozenset(), on_pass=S.STARTED, on_fail=None),
        StepDefinition("document", requires=frozenset({S.STARTED, S.DOCUMENT_CHECKED}),
                       on_pass=S.DOCUMENT_CHECKED, on_fail=S.REJECTED,
                       keeps=(K.DOCUMENT_IMAGE, K.READER_RECORD, K.DOCUMENT_PHOTO)),
        StepDefinition("live_face", requires=frozenset({S.DOCUMENT_CHECKED}),
                       on_pass=S.LIVE_FACE_CAPTURED, on_fail=None, keeps=(K.LIVE_FACE,)),
        # The upper-body photo the rules require (the article's agent was fined for
        # skipping it): any time while the registration is open, before register.
        StepDefinition("attach", requires=OPEN, on_pass=None, on_fail=None,
                       keeps=(K.UPPER_BODY,)),
        StepDefinition("liveness", requires=frozenset({S.LIVE_FACE_CAPTURED}),
                       on_pass=S.LIVENESS_PASSED, on_fail=None,
                       keeps=(K.LIVENESS_VIDEO, K.LIVE_FACE), challenge="liveness"),
        StepDefinition("voice", requires=frozenset({S.LIVENESS_PASSED}),
                       on_pass=S.VOICE_PASSED, on_fail=None,
                       keeps=(K.VOICE_AUDIO, K.VOICE_VIDEO), challenge="voice"),
        StepDefinition("voice_override", requires=frozenset({S.LIVENESS_PASSED}),
                       on_pass=S.ASSISTED_OVERRIDE, on_fail=None, role="supervisor",
                       customer_facing=False),
        StepDefinition("face_match", requires=frozenset({S.VOICE_PASSED, S.ASSISTED_OVERRIDE}),
                       on_pass=S.FACE_MATCHED, on_fail=S.REJECTED,
                       uses=(("document", K.DOCUMENT_PHOTO), ("liveness", K.LIVE_FACE))),
        StepDefinition("register", requires=frozenset({S.FACE_MATCHED}),
                       on_pass=S.REGISTERED, on_fail=S.REJECTED,
                       requires_evidence=(K.UPPER_BODY,)),
    ),
)

__all__ = ["DEFAULT_FLOW", "FlowDefinition", "OPEN", "StepDefinition"]
