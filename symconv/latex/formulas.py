"""The index maps of :mod:`symconv.formulas`, rendered by latexify-py from their source.

The formulas printed in a derivation are the functions symconv executed.
"""

from __future__ import annotations

import functools

from .. import formulas

__all__ = ["formula_latex", "definitions_latex"]


@functools.cache
def formula_latex(name: str) -> str:
    r"""latexify-py's rendering of one function of :mod:`symconv.formulas`.

    >>> formula_latex("flip_tap")
    '\\mathrm{flip\\_tap}(m, k) = k - 1 - m'
    """
    if name not in formulas.__all__:
        raise KeyError(f"{name!r} is not a formula of symconv.formulas")
    import latexify  # imported on first use: it is not needed to build or prove anything

    return latexify.get_latex(getattr(formulas, name))


def definitions_latex(names: tuple[str, ...] | None = None) -> str:
    """An ``align*`` block defining the given formulas (default: all of them)."""
    names = tuple(formulas.__all__) if names is None else names
    lines = [formula_latex(name).replace(" = ", " &= ", 1) for name in names]
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"
