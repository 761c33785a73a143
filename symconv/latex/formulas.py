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
import re

from .. import formulas

__all__ = ["formula_latex", "definitions_latex", "IDENTIFIERS"]

IDENTIFIERS = {
    "p_l": "p_{l}",
    "p_r": "p_{r}",
    "left": "L",
    "per_group": "c_{g}",
    "group": r"\gamma",
    "local": "c_{l}",
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


@functools.cache
def formula_latex(name: str) -> str:
    r"""latexify-py's rendering of one function of :mod:`symconv.formulas`, with the names used on the page.

    >>> formula_latex("flip_tap")
    '\\operatorname{flip}(m, k) = k - 1 - m'
    >>> formula_latex("tap_position")
    '\\operatorname{tap}(i, m, s, p_{l}, d) = s i + d m - p_{l}'
    """
    if name not in formulas.__all__:
        raise KeyError(f"{name!r} is not a formula of symconv.formulas")
    import latexify  # imported on first use: it is not needed to build or prove anything

    return _rename(latexify.get_latex(getattr(formulas, name)))


def definitions_latex(names: tuple[str, ...] | None = None) -> str:
    """An ``align*`` block defining the given formulas (default: all of them)."""
    names = tuple(formulas.__all__) if names is None else names
    lines = [formula_latex(name).replace(" = ", " &= ", 1) for name in names]
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"
