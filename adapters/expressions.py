"""Derived features: a small, safe expression language over a record's fields, evaluated with numpy.

``expr = "sum(`LD-ACCT-BAL(*)`) / `LD-ANNUAL-INCOME`"`` in a mapping makes a feature of several
fields. An expression is parsed once, at configuration load, by Python's ``ast`` and checked
against a whitelist; anything else is refused there with one line. What is allowed:

- field names: a bare identifier (``income``) or any path in backquotes (```LD-ANNUAL-INCOME```,
  ```Applicant/Income```); a path with ``*`` names a table (an OCCURS item ``NAME(*)``, a repeated
  element ``Accounts/Account[*]/Balance``), one value per occurrence;
- numbers; ``+ - * / // % **``; comparisons (``<`` ... ``!=``, chained); ``and``, ``or``, ``not``;
  ``a if condition else b``;
- the functions ``min``, ``max`` (of several values, or over a table), ``sum``, ``mean``, ``count``
  (over a table; ``count`` counts true, non-missing entries, so ``count(`BAL(*)` > 0)``), ``abs``,
  ``round(x, digits)``, ``where(condition, a, b)``.

No attribute, subscript, lambda, comprehension, string or call of anything else: an expression
reads the record's fields and nothing more. Evaluation is vectorised: every field is a column of
shape (rows, 1), a table (rows, occurrences); a batch of a million records is a handful of numpy
operations, and a single request is the same code with one row. A missing value (NaN) stays
missing through arithmetic (``sum``/``count`` skip it); a result that is not finite (a ratio over
zero) is missing.

Why not numexpr: it evaluates whole columns fast, but its reductions must be the last operation of
an expression (``sum(balances) / income`` is refused), and it has no count of present entries.
"""

from __future__ import annotations

import ast
import operator
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

#: what the refusal message lists
ALLOWED = ("fields, numbers, + - * / // % **, comparisons, and/or/not, x if c else y, "
           "min max sum mean count abs round where")

_QUOTED = re.compile(r"`([^`]+)`")
_PLACEHOLDER = "__field"  # a backquoted path becomes __field0, __field1, ... for Python's parser
_BINARY: dict[type, Callable] = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.true_divide,
    ast.FloorDiv: np.floor_divide, ast.Mod: np.mod, ast.Pow: np.power,
}
_COMPARE: dict[type, Callable] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne,
}
_REDUCERS = {"sum", "mean", "count"}
_FUNCTIONS = {"min", "max", "abs", "round", "where", *_REDUCERS}

Column = np.ndarray
"""float64, shape (rows, 1) for a field or (rows, occurrences) for a table."""
_Node = Callable[[Mapping[str, Column]], Column]


class ExpressionError(ValueError):
    """An expression that is not allowed or does not parse; the message is one line."""


def _truth(x: Column) -> Column:
    return np.where(np.isnan(x), False, x != 0)


def _as_float(x: Column | bool) -> Column:
    return np.asarray(x, dtype=np.float64)


def _reduce(name: str, x: Column) -> Column:
    if x.shape[1] == 0:
        return np.full((x.shape[0], 1), 0.0 if name in ("sum", "count") else np.nan)
    # All-missing rows make nanmin/nanmean warn; such a row's result is simply missing.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        match name:
            case "sum":
                out = np.nansum(x, axis=1, keepdims=True)
            case "count":
                out = _truth(x).sum(axis=1, keepdims=True).astype(np.float64)
            case "mean":
                out = np.nanmean(x, axis=1, keepdims=True)
            case "min":
                out = np.nanmin(x, axis=1, keepdims=True)
            case _:
                out = np.nanmax(x, axis=1, keepdims=True)
    return out


@dataclass(frozen=True)
class Expression:
    """A checked, compiled expression; ``fields`` are the paths it reads (tables contain ``*``)."""

    text: str
    fields: tuple[str, ...]
    _root: _Node

    def evaluate(self, columns: Mapping[str, Column]) -> np.ndarray:
        """``columns``: each of ``fields`` as a 2-D float64 array -> one float64 value per row, NaN
        for missing (including any result that is not finite)."""
        with np.errstate(all="ignore"):
            out = _as_float(self._root(columns))
        rows = max((c.shape[0] for c in columns.values()), default=1)
        out = np.broadcast_to(out, (rows, 1))[:, 0].copy()
        out[~np.isfinite(out)] = np.nan
        return out


def parse_expression(text: str) -> Expression:
    """Check and compile ``text``; raises ExpressionError naming what is not allowed."""
    fields: dict[str, str] = {}

    if _PLACEHOLDER in text:
        raise ExpressionError(f"expression {text!r}: names starting with {_PLACEHOLDER} are reserved")

    def placeholder(match: re.Match[str]) -> str:
        name = f"{_PLACEHOLDER}{len(fields)}"
        fields[name] = match.group(1)
        return name

    try:
        tree = ast.parse(_QUOTED.sub(placeholder, text.strip()), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"expression {text!r} does not parse: {exc.msg} (field names with - / ( go in backquotes)") from None
    compiler = _Compiler(text, fields)
    root, table = compiler.compile(tree.body)
    if table:
        raise ExpressionError(f"expression {text!r} gives a table, not one value: reduce it with sum, min, max, mean or count")
    return Expression(text, tuple(dict.fromkeys(compiler.used)), root)


class _Compiler:
    """AST -> a tree of closures over numpy; tracks which subtrees are tables (checked statically)."""

    def __init__(self, text: str, quoted: dict[str, str]) -> None:
        self.text = text
        self.quoted = quoted
        self.used: list[str] = []

    def refuse(self, what: str) -> ExpressionError:
        return ExpressionError(f"expression {self.text!r}: {what} is not allowed (only {ALLOWED})")

    def compile(self, node: ast.expr) -> tuple[_Node, bool]:
        match node:
            case ast.Constant(value=bool() | None) | ast.Constant(value=str() | bytes()):
                raise self.refuse(f"the constant {node.value!r}")
            case ast.Constant(value=int() | float() as value):
                constant = np.array([[float(value)]])
                return (lambda env: constant), False
            case ast.Name(id=name):
                path = self.quoted.get(name, name)
                self.used.append(path)
                return (lambda env: env[path]), "*" in path
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                inner, table = self.compile(operand)
                return (lambda env: -inner(env)), table
            case ast.UnaryOp(op=ast.UAdd(), operand=operand):
                return self.compile(operand)
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                inner, table = self.compile(operand)
                return (lambda env: _as_float(~_truth(inner(env)))), table
            case ast.BinOp(op=op, left=left, right=right) if type(op) in _BINARY:
                fn = _BINARY[type(op)]
                (a, ta), (b, tb) = self.compile(left), self.compile(right)
                return (lambda env: fn(a(env), b(env))), ta or tb
            case ast.BoolOp(op=op, values=values):
                parts = [self.compile(v) for v in values]
                combine = np.logical_and if isinstance(op, ast.And) else np.logical_or

                def boolean(env: Mapping[str, Column]) -> Column:
                    out = _truth(parts[0][0](env))
                    for part, _ in parts[1:]:
                        out = combine(out, _truth(part(env)))
                    return _as_float(out)
                return boolean, any(t for _, t in parts)
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                if not all(type(op) in _COMPARE for op in ops):
                    raise self.refuse("the operators 'in' and 'is'")
                parts = [self.compile(v) for v in (left, *comparators)]
                fns = [_COMPARE[type(op)] for op in ops]

                def compare(env: Mapping[str, Column]) -> Column:
                    values = [p(env) for p, _ in parts]
                    out = fns[0](values[0], values[1])
                    for i, fn in enumerate(fns[1:], 1):
                        out = out & fn(values[i], values[i + 1])
                    missing = np.zeros_like(out, dtype=bool)
                    for v in values:
                        missing = missing | np.isnan(v)
                    return np.where(missing, np.nan, _as_float(out))
                return compare, any(t for _, t in parts)
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return self._where(test, body, orelse)
            case ast.Call(func=ast.Name(id=name), args=args, keywords=[]) if name in _FUNCTIONS and name not in self.quoted:
                return self._call(name, args)
            case ast.Call(keywords=[_, *_]):
                raise self.refuse("a keyword argument")
            case ast.Call(func=func):
                raise self.refuse(f"calling {ast.unparse(func)!r}")
            case ast.Attribute():
                raise self.refuse(f"the attribute {ast.unparse(node)!r}")
            case ast.Subscript():
                raise self.refuse(f"the subscript {ast.unparse(node)!r}")
            case ast.Lambda():
                raise self.refuse("lambda")
            case _:
                raise self.refuse(f"{type(node).__name__} ({ast.unparse(node)!r})")

    def _where(self, test: ast.expr, body: ast.expr, orelse: ast.expr) -> tuple[_Node, bool]:
        (c, tc), (a, ta), (b, tb) = self.compile(test), self.compile(body), self.compile(orelse)

        def where(env: Mapping[str, Column]) -> Column:
            condition = c(env)
            return np.where(np.isnan(condition), np.nan, np.where(_truth(condition), a(env), b(env)))
        return where, tc or ta or tb

    def _call(self, name: str, args: list[ast.expr]) -> tuple[_Node, bool]:
        if name == "where":
            if len(args) != 3:
                raise ExpressionError(f"expression {self.text!r}: where takes (condition, a, b)")
            return self._where(*args)
        if name == "round":
            if not 1 <= len(args) <= 2 or (len(args) == 2 and not isinstance(args[1], ast.Constant)):
                raise ExpressionError(f"expression {self.text!r}: round takes (x) or (x, digits) with a constant digits")
            inner, table = self.compile(args[0])
            digits = int(args[1].value) if len(args) == 2 else 0  # type: ignore[attr-defined]
            return (lambda env: np.round(inner(env), digits)), table
        parts = [self.compile(a) for a in args]
        if not parts:
            raise ExpressionError(f"expression {self.text!r}: {name}() needs an argument")
        if name == "abs":
            if len(parts) != 1:
                raise ExpressionError(f"expression {self.text!r}: abs takes one argument")
            inner, table = parts[0]
            return (lambda env: np.abs(inner(env))), table
        if len(parts) == 1 and (name in _REDUCERS or parts[0][1]):
            inner, _ = parts[0]
            return (lambda env: _reduce(name, inner(env))), False  # over the occurrences of a table
        if name in _REDUCERS:
            raise ExpressionError(f"expression {self.text!r}: {name} takes one table (use + for several values)")
        if any(t for _, t in parts):
            raise ExpressionError(f"expression {self.text!r}: {name} of several values takes no table; reduce it first")
        fn = np.fmin if name == "min" else np.fmax  # skip a missing value, as nanmin does over a table

        def extreme(env: Mapping[str, Column]) -> Column:
            out = parts[0][0](env)
            for part, _ in parts[1:]:
                out = fn(out, part(env))
            return out
        return extreme, False


def fraction_source(text: str) -> str | None:
    """What in an expression can make a whole-number result fractional (a ``/``, a ``mean``, a
    number with decimals), outside a ``round(x)`` or ``//`` that makes it whole again; None if
    nothing does. Fields are taken as whole: their types are the contract's, not known here."""
    try:
        tree = ast.parse(_QUOTED.sub("__field", text.strip()), mode="eval").body
    except SyntaxError:
        return None

    def visit(node: ast.AST) -> str | None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "round":
            digits = node.args[1] if len(node.args) > 1 else None
            return None if digits is None or isinstance(digits, ast.Constant) and digits.value == 0 else "round(..., digits)"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.FloorDiv):
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return "a division"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "mean":
            return "mean(...)"
        if isinstance(node, ast.Constant) and isinstance(node.value, float) and not node.value.is_integer():
            return f"the number {node.value!r}"
        return next((found for child in ast.iter_child_nodes(node) if (found := visit(child))), None)

    return visit(tree)
