"""The index maps of :mod:`symconv.formulas`, rendered by latexify-py from their source.

The formulas printed in a derivation are the functions symconv executed.
latexify-py writes a multi-letter identifier such as ``p_l`` as
``\\mathrm{p\\_l}``; a small table turns the known identifiers into the names the
proofs use (``p_{l}``), and each function gets its name on the page from
:data:`symconv.formulas.LATEX_NAMES` (``tap_position`` is
:math:`\\operatorname{tap}`), so that the definitions and the proof claims use
the same names.
"""

from __future__ import annotations

import functools
import inspect
import re
from typing import Any

from .. import formulas

__all__ = ["formula_latex", "definitions_latex", "IDENTIFIERS"]

IDENTIFIERS = {
    "p_l": "p_{l}",
    "p_r": "p_{r}",
    "left": "p'_{l}",  # pad(t, p'_l) = t + p'_l: the amount on the left, as the gather view applies it (DESIGN.md's L)
    "per_group": "b",  # the channels per group: applied to c_i = C_in/g and to c_o = C_out/g
    "group": r"\gamma",
    "local": "c_{l}",
    "m_prime": r"\mu",  # the second tap of a pair (the Gram partner), not the flipped kernel's tap m'
    "phases": r"N_{\mathrm{ph}}",  # the number of phases (s^N, N the number of axes): the polyphase proof's letter
}
"""How the arguments of the formulas that are not one letter are typeset."""


def _rename(tex: str) -> str:
    def identifier(match: re.Match) -> str:
        name = match.group(1).replace(r"\_", "_")
        if name in formulas.LATEX_NAMES:
            return formulas.LATEX_NAMES[name]
        if name in IDENTIFIERS:
            return IDENTIFIERS[name]
        raise KeyError(f"latexify-py produced the identifier {name!r}, which has no name on the page; add it to IDENTIFIERS")

    out = re.sub(r"\\mathrm\{([A-Za-z_\\]+)\}", identifier, tex)
    out = out.replace(r"\mathbin{\%}", r"\bmod")
    return out


def formula_latex(name: str, module: Any = None) -> str:
    r"""The definition of one formula, rendered from the function that runs, with the names used on the page.

    ``module`` is the namespace the proof executed (default :mod:`symconv.formulas`); the rendering is
    never taken from a cache keyed by name, so a replaced formula is shown as it is.  latexify-py renders
    a function defined in a source file; a function it cannot read (a lambda) is applied to symbols and
    printed by sympy.

    Parameters
    ----------
    name : str
        A formula of :mod:`symconv.formulas` (one of its ``__all__`` or ``PADDING_FORMULAS``).
    module : module, optional
        The namespace whose function of that name is rendered.

    Returns
    -------
    str
        ``name(arguments) = definition`` in LaTeX, with the page's names for the arguments.

    Raises
    ------
    KeyError
        For a name that is not a formula, or an identifier that has no name on the page.

    Examples
    --------
    >>> formula_latex("flip_tap")
    '\\operatorname{flip}(m, k) = k - 1 - m'
    >>> formula_latex("tap_position")
    '\\operatorname{tap}(i, m, s, p_{l}, d) = s i + d m - p_{l}'
    """
    if name not in formulas.__all__ and name not in formulas.PADDING_FORMULAS:
        raise KeyError(f"{name!r} is not a formula of symconv.formulas")
    function = getattr(formulas if module is None else module, name)
    return _render(function, name)


@functools.lru_cache(maxsize=256)
def _render(function: Any, name: str) -> str:
    """Cached by the function object itself: a different function is a different rendering."""
    import latexify  # imported on first use: it is not needed to build or prove anything

    try:
        return _rename(latexify.get_latex(function))
    except Exception:  # latexify reads source: lambdas and built functions are printed through sympy
        return _sympy_rendering(function, name)


def _sympy_rendering(function: Any, name: str) -> str:
    import sympy

    from .printing import math_latex

    parameters = list(inspect.signature(function).parameters)
    symbols = [sympy.Symbol(p, integer=True) for p in parameters]
    names = {sym: IDENTIFIERS.get(p, None) for sym, p in zip(symbols, parameters)}
    value = math_latex(sympy.sympify(function(*symbols)), symbol_names={k: v for k, v in names.items() if v})
    head = formulas.LATEX_NAMES.get(name, name)
    args = ", ".join(IDENTIFIERS.get(p, math_latex(s)) for p, s in zip(parameters, symbols))
    if head.startswith(r"\operatorname") or len(parameters) > 0:
        return f"{head}({args}) = {value}"
    return f"{head} = {value}"


def definitions_latex(names: tuple[str, ...] | None = None, module: Any = None) -> str:
    r"""An ``align*`` block defining the given formulas (default: all of them), from ``module``'s functions.

    Parameters
    ----------
    names : tuple of str, optional
        Formulas of :mod:`symconv.formulas` (default: all of them).
    module : module, optional
        As for :func:`formula_latex`.

    Returns
    -------
    str
        One aligned line per formula, as :func:`formula_latex` renders it.

    Raises
    ------
    KeyError
        As :func:`formula_latex`.

    Examples
    --------
    >>> print(definitions_latex(("flip_tap",)))
    \begin{align*}
    \operatorname{flip}(m, k) &= k - 1 - m
    \end{align*}
    """
    names = tuple(formulas.__all__) if names is None else names
    lines = [formula_latex(name, module).replace(" = ", " &= ", 1) for name in names]
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"
