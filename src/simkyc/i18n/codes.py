"""Which reason and error codes the code can emit, found by reading it (``ast``), not by trust.

The catalogue must have a text for every code a customer or an agent can be
shown. Stages *declare* their codes (``simkyc.<stage>.reasons``); this module
finds the codes the source actually emits, so a test (and ``python -m
simkyc.i18n check``) can fail when a new code is emitted but not declared.

A string literal counts as a **reason code** where it is

- a ``reason=`` / ``reasons=`` keyword argument (e.g. ``StageOutcome(..., reasons=(...))``);
- the reason argument of ``Check(name, passed, value, threshold, reason)``,
  ``FieldCheck(valid, reason)`` or ``_fail(reason)``;
- appended, inserted or added to, or assigned to, a name containing
  ``reason`` (``reasons.append("face_lost")``, ``reasons = ("identity_unknown",)``,
  ``REASONS = (...)``);
- returned in a list or tuple by a function that keeps a ``reason``-named
  local or has ``reason`` in its name (``return ["too_few_frames"], {}``).

Inside such a place, literals are followed through tuples, lists, ``a if c
else b``, ``x or y``, ``+`` and comprehensions. An f-string becomes a pattern
with ``*`` for each field (``id_number_*``); one whose last colon-separated
part is only a field (``f"live:{r}"``) relays another code and is skipped.
Only code-shaped literals count (lower case, digits, ``_``, optional
``prefix:``). **Error codes** are the ``error`` values of the API: a dict
literal's ``"error": "<code>"``, an ``(ExceptionType, status, "<code>")`` table
row, and a code-shaped literal passed to a function whose name contains
``error``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

_CODE = re.compile(r"[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)*")
_PATTERN = re.compile(r"[a-z*][a-z0-9_*]*(:[a-z*][a-z0-9_*]*)*")
#: (callee name, index of the reason among its positional arguments)
_REASON_ARGUMENT = {"Check": 4, "FieldCheck": 1, "_fail": 0}


@dataclass(frozen=True)
class CodeUse:
    """One place a code is emitted: ``code`` (``*`` marks an f-string field), file, line."""

    code: str
    path: str
    line: int

    @property
    def is_pattern(self) -> bool:
        return "*" in self.code

    @property
    def bare(self) -> str:
        """The code after its last colon (``live:face_blurry`` -> ``face_blurry``)."""
        return self.code.rsplit(":", 1)[-1]


def _name_of(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _name_of(node.value)
    return ""


def _is_reasonish(node: ast.AST) -> bool:
    return "reason" in _name_of(node).lower()


def _literals(node: ast.AST | None) -> Iterator[tuple[str, int]]:
    """Code-shaped string literals (or f-string patterns) in ``node``, with their lines."""
    if node is None:
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if _CODE.fullmatch(node.value):
            yield node.value, node.lineno
    elif isinstance(node, ast.JoinedStr):
        text = "".join(str(v.value) if isinstance(v, ast.Constant) else "*"
                       for v in node.values)
        if _PATTERN.fullmatch(text):
            yield text, node.lineno
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        for elt in node.elts:
            yield from _literals(elt)
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for v in node.values:
            yield from _literals(v)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        yield from _literals(node.left)
        yield from _literals(node.right)
    elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        yield from _literals(node.elt)


class _ReasonVisitor(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[CodeUse] = []
        self._returns_reasons: list[bool] = []

    def _add(self, node: ast.AST | None) -> None:
        for code, line in _literals(node):
            self.found.append(CodeUse(code, self.path, line))

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        keeps = "reason" in node.name.lower() or any(
            isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and _is_reasonish(n)
            for n in ast.walk(node))
        self._returns_reasons.append(keeps)
        self.generic_visit(node)
        self._returns_reasons.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Return(self, node: ast.Return) -> None:
        if self._returns_reasons and self._returns_reasons[-1] and isinstance(
                node.value, (ast.Tuple, ast.List)):
            self._add(node.value)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        for kw in node.keywords:
            if kw.arg in ("reason", "reasons"):
                self._add(kw.value)
        callee = _name_of(node.func)
        index = _REASON_ARGUMENT.get(callee)
        if index is not None and len(node.args) > index:
            self._add(node.args[index])
        if isinstance(node.func, ast.Attribute) and _is_reasonish(node.func.value):
            if node.func.attr in ("append", "extend", "add"):
                for arg in node.args:
                    self._add(arg)
            elif node.func.attr == "insert" and len(node.args) == 2:
                self._add(node.args[1])
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        if any(_is_reasonish(t) for t in node.targets):
            self._add(node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if _is_reasonish(node.target):
            self._add(node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if _is_reasonish(node.target):
            self._add(node.value)
        self.generic_visit(node)


class _ErrorVisitor(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[CodeUse] = []

    def _add(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _CODE.fullmatch(
                node.value):
            self.found.append(CodeUse(node.value, self.path, node.lineno))

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and (
                    key.value == "error"
                    or (isinstance(key.value, int) and 400 <= key.value <= 599)):
                self._add(value)  # {"error": code} or {status: code}
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        # An exception class's stable code: ``code = "not_found"`` in its body.
        if node.name.endswith(("Error", "Denied")):
            for stmt in node.body:
                if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                        and isinstance(stmt.targets[0], ast.Name)
                        and stmt.targets[0].id == "code"):
                    self._add(stmt.value)
        self.generic_visit(node)

    def visit_Tuple(self, node: ast.Tuple) -> None:
        e = node.elts
        if (len(e) == 3 and isinstance(e[1], ast.Constant) and isinstance(e[1].value, int)
                and 400 <= e[1].value <= 599):
            self._add(e[2])
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if "error" in _name_of(node.func).lower():
            for arg in node.args:
                self._add(arg)
            for kw in node.keywords:
                if kw.arg in ("code", "error"):
                    self._add(kw.value)
        self.generic_visit(node)


def _python_files(paths: Iterable[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            yield from sorted(p.rglob("*.py"))
        elif p.suffix == ".py":
            yield p


def _walk(paths: Iterable[Path], visitor: type[_ReasonVisitor | _ErrorVisitor]) -> list[CodeUse]:
    found: list[CodeUse] = []
    for f in _python_files(paths):
        v = visitor(str(f))
        v.visit(ast.parse(f.read_text(encoding="utf-8"), filename=str(f)))
        found += v.found
    return found


def emitted_reason_codes(paths: Iterable[Path]) -> list[CodeUse]:
    """Every reason code (or pattern) emitted in the ``.py`` files under ``paths``."""
    return _walk(paths, _ReasonVisitor)


def emitted_error_codes(paths: Iterable[Path]) -> list[CodeUse]:
    """Every API error code emitted in the ``.py`` files under ``paths``."""
    return _walk(paths, _ErrorVisitor)


def undeclared(uses: Iterable[CodeUse], declared: Iterable[str]) -> list[CodeUse]:
    """The uses whose code is not declared: a literal's bare code is not in ``declared``;
    a pattern (``id_number_*``) matches no declared code; relays (``live:*``) are skipped."""
    known = frozenset(declared)
    out = []
    for u in uses:
        bare = u.bare
        if bare.strip("*") == "":
            continue
        if u.is_pattern:
            rx = re.compile(".*".join(re.escape(part) for part in bare.split("*")))
            if not any(rx.fullmatch(k) for k in known):
                out.append(u)
        elif bare not in known:
            out.append(u)
    return out


__all__ = ["CodeUse", "emitted_error_codes", "emitted_reason_codes", "undeclared"]
