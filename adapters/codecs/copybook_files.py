"""Copybooks read from files: the COPY members a copybook names are the files beside it.

The layout engine reads no files (``fixedwidth/members.py`` takes the members from a callable);
this is the one place that finds them: ``COPY EPSMTINP`` in ``/copylib/epsmtcom.cpy`` is the file
``EPSMTINP`` in ``/copylib``, with or without one of the usual suffixes, in any case.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from scoregate.adapters.codecs.fixedwidth import Layout, parse_copybook

MEMBER_SUFFIXES = ("", ".cpy", ".cbl", ".cob", ".copy", ".txt")
"""What a member's file name may add to the name the COPY statement gives."""


def read_text(path: Path) -> str:
    # latin-1: public copybooks carry stray non-ASCII bytes in comments; every byte reads.
    return Path(path).read_text(encoding="latin-1")


def members_beside(path: Path) -> Callable[[str], str | None]:
    """``name -> text`` of the COPY members in the folder of the copybook at ``path``."""
    folder = Path(path).parent

    def member(name: str) -> str | None:
        wanted = {(name + suffix).lower() for suffix in MEMBER_SUFFIXES}
        found = sorted(p for p in folder.iterdir() if p.name.lower() in wanted and p.is_file())
        return read_text(found[0]) if found else None
    return member


def read_copybook(path: Path, **options: Any) -> Layout:
    """The layout of the copybook file at ``path`` (``parse_copybook``'s options), its COPY
    statements resolved from its folder. Raises OSError and LayoutError."""
    return parse_copybook(read_text(path), copy_member=members_beside(path), **options)
