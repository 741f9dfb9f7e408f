"""Reading untrusted media files within a size limit, and describing decoder errors."""

from __future__ import annotations

from pathlib import Path

from simkyc.domain.errors import InputError, MediaTooLargeError


def read_limited(path: str | Path, *, max_bytes: int) -> bytes:
    """The bytes of ``path``; the size is checked before reading.

    Raises:
        InputError: the file cannot be read (missing, a directory, no permission).
        MediaTooLargeError: it is larger than ``max_bytes``.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from exc
    if size > max_bytes:
        raise MediaTooLargeError(f"{p.name}: {size} bytes exceeds the {max_bytes}-byte limit")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from exc


def one_line(exc: BaseException) -> str:
    """A decoder's error as one short line (160 characters at most) for a user message."""
    return " ".join(str(exc).split())[:160] or type(exc).__name__


__all__ = ["one_line", "read_limited"]
