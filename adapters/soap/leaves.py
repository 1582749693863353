"""Leaf values of a compiled plan: the text of a simple-typed element or attribute -> its value.

Leaves of the common builtin types (string, the integers, decimal, a plain ``YYYY-MM-DD`` date)
convert without zeep's per-call wrappers, which cost a quarter of a plan's read time. Each fast
converter gives what zeep's ``pythonvalue`` gives for every text (tests/adapters/soap/test_soap_plan.py
pins that), and any other type or text goes to zeep's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from zeep.xsd.types import builtins
from zeep.xsd.types.collection import UnionType

_PLAIN_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# zeep's whitespace "collapse" turns these into spaces, then strips.
_COLLAPSE = str.maketrans("\n\r\t", "   ")


def _decimal(text: str) -> Decimal:
    return Decimal(text.translate(_COLLAPSE).strip())


def converter(simple: Any) -> Callable[[str], Any]:
    """``simple.pythonvalue``, or a plain function that gives the same for every text."""
    method = type(simple).pythonvalue
    if method is builtins.String.pythonvalue or isinstance(simple, UnionType):
        return str  # zeep returns the text as it is
    if method in (builtins.Integer.pythonvalue, builtins.Long.pythonvalue):
        return int  # zeep's own call, unwrapped
    if method is builtins.Decimal.pythonvalue:
        return _decimal
    if method is builtins.Date.pythonvalue:
        zeep_date = simple.pythonvalue

        def _date(text: str) -> Any:
            match = _PLAIN_DATE.fullmatch(text)
            return date(int(match[1]), int(match[2]), int(match[3])) if match else zeep_date(text)

        return _date
    return simple.pythonvalue


_TEXT_TYPE = builtins.String()


def simple(xsd_type: Any) -> Any:
    # zeep gives a union its first member's type (and drops anonymous members): 'OPEN' in a union
    # of xs:int and an enumeration would not parse. The XSD has checked the text, so it stays text.
    return _TEXT_TYPE if isinstance(xsd_type, UnionType) else xsd_type
