"""Compliance: statistics, abnormal patterns, spot checks, the penalties ledger, reports.

Each module holds one concern; every public function checks the actor's role
itself (:mod:`simkyc.domain.access`): compliance officers may do everything,
auditors read, agents and supervisors see their own outlet's statistics only.
"""
