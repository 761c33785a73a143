"""Exact numeric evaluation of proof expressions, for spot checks.

:func:`compile_expr` turns a sympy expression built from integers, symbols,
``+``, ``*``, integer powers, ``floor``, ``Mod``, finite ``Sum``, the
:class:`Indicator`, :class:`InRange` and applied sequences into a Python closure evaluated with
exact integers and fractions.  Sequences (``y[i]``, ``w[m]``, ...) are looked up
by name in the environment as Python callables.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import sympy

__all__ = ["Inner", "Indicator", "InRange", "sequence", "compile_expr", "named", "NAMED"]


class Indicator(sympy.Function):
    """The Iverson bracket ``[a = b]``: 1 when the two arguments are equal, else 0."""

    nargs = 2

    def _latex(self, printer):
        return rf"\left[{printer._print(self.args[0])} = {printer._print(self.args[1])}\right]"

    def _sympystr(self, printer):
        return f"[{printer._print(self.args[0])} = {printer._print(self.args[1])}]"

    def _pretty(self, printer):
        return printer._print_seq([sympy.Eq(*self.args, evaluate=False)], "[", "]")


class InRange(sympy.Function):
    """The Iverson bracket ``[lo <= x < hi]``: 1 when ``x`` lies in the half-open range, else 0."""

    nargs = 3

    def _latex(self, printer):
        lo, x, hi = (printer._print(a) for a in self.args)
        return rf"\left[{lo} \le {x} < {hi}\right]"

    def _sympystr(self, printer):
        lo, x, hi = (printer._print(a) for a in self.args)
        return f"[{lo} <= {x} < {hi}]"


class Inner(sympy.Function):
    """The inner product ``<a, b>`` (unevaluated, for display)."""

    nargs = 2

    def _latex(self, printer):
        return rf"\left\langle {printer._print(self.args[0])}, {printer._print(self.args[1])}\right\rangle"

    def _sympystr(self, printer):
        return f"<{printer._print(self.args[0])}, {printer._print(self.args[1])}>"


def sequence(name: str, tex: str | None = None) -> type:
    """A sympy function class printed as an indexed sequence ``name[index]``."""
    tex = tex or name

    def _latex(self, printer):
        return rf"{tex}\left[{', '.join(printer._print(a) for a in self.args)}\right]"

    def _sympystr(self, printer):
        return f"{name}[{', '.join(printer._print(a) for a in self.args)}]"

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        return prettyForm(*printer._print_seq(self.args, "[", "]", ", ").left(name))

    attrs = {"_latex": _latex, "_sympystr": _sympystr, "_pretty": _pretty, "_symconv_sequence": True}
    return type(name, (sympy.Function,), attrs)


def named(function: str) -> type:
    """A sympy function class standing for the formula ``function`` of :mod:`symconv.formulas`, unevaluated.

    It prints as the formula's name on the page (:data:`symconv.formulas.LATEX_NAMES`), so that a claim
    such as ``flip(flip(m, k), k) = m`` is shown as the statement about the executed function
    that it is, rather than as ``m = m`` after the function has been applied.
    """
    from .. import formulas

    tex = formulas.LATEX_NAMES[function]

    def _latex(self, printer):
        return rf"{tex}\left({', '.join(printer._print(a) for a in self.args)}\right)"

    attrs = {"_latex": _latex, "_symconv_formula": function}
    return type(function, (sympy.Function,), attrs)


class _Named:
    def __getattr__(self, function: str):
        from .. import formulas

        if function not in formulas.LATEX_NAMES:
            raise AttributeError(f"symconv.formulas has no formula {function!r}")
        return named(function)


NAMED = _Named()
"""``NAMED.tap_position(i, m, s, p_l, d)``: the unevaluated, named form of a formula (for display)."""


def _num(value: Fraction | int) -> Fraction | int:
    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    return value


def compile_expr(expr: Any) -> Callable[[dict], Any]:
    """Compile ``expr`` to ``f(env)``; ``env`` maps symbol and sequence names to values/callables."""
    expr = sympy.sympify(expr)
    if expr.is_Integer:
        value = int(expr)
        return lambda env: value
    if expr.is_Rational:
        frac = Fraction(int(expr.p), int(expr.q))
        return lambda env: frac
    if expr.is_Symbol:
        name = expr.name
        return lambda env: env[name]
    if isinstance(expr, sympy.Add):
        parts = [compile_expr(a) for a in expr.args]
        return lambda env: _num(sum(p(env) for p in parts))
    if isinstance(expr, sympy.Mul):
        parts = [compile_expr(a) for a in expr.args]

        def mul(env):
            out: Any = 1
            for p in parts:
                out = out * p(env)
                if out == 0:
                    return 0
            return _num(out)

        return mul
    if isinstance(expr, sympy.Pow) and expr.exp.is_Integer:
        base, exp = compile_expr(expr.base), int(expr.exp)
        return lambda env: _num(Fraction(base(env)) ** exp)
    if isinstance(expr, sympy.floor):
        inner = compile_expr(expr.args[0])
        return lambda env: math.floor(inner(env))
    if isinstance(expr, sympy.Mod):
        a, b = compile_expr(expr.args[0]), compile_expr(expr.args[1])
        return lambda env: _num(a(env) % b(env))
    if isinstance(expr, Indicator):
        a, b = compile_expr(expr.args[0]), compile_expr(expr.args[1])
        return lambda env: int(a(env) == b(env))
    if isinstance(expr, InRange):
        lo, x, hi = (compile_expr(e) for e in expr.args)
        return lambda env: int(lo(env) <= x(env) < hi(env))
    if isinstance(expr, sympy.Sum):
        body = compile_expr(expr.function)
        limits = [(v.name, compile_expr(lo), compile_expr(hi)) for v, lo, hi in expr.limits]

        def total(env, depth=0):
            if depth == len(limits):
                return body(env)
            name, lo, hi = limits[depth]
            acc: Any = 0
            inner = dict(env)
            for value in range(lo(env), hi(env) + 1):
                inner[name] = value
                acc += total(inner, depth + 1)
            return acc

        return total
    if getattr(type(expr), "_symconv_sequence", False) or isinstance(expr, sympy.core.function.AppliedUndef):
        name = type(expr).__name__
        args = [compile_expr(a) for a in expr.args]
        return lambda env: env[name](*(a(env) for a in args))
    raise TypeError(f"cannot evaluate {type(expr).__name__}: {expr}")
