"""LaTeX for specs, matrices and user text.

User text never becomes TeX: :func:`escape_text` turns every special character
into its printed form, and non-ASCII characters into their code points.
"""

from __future__ import annotations

from typing import Any

import sympy

from ..errors import SizeLimitError

__all__ = ["escape_text", "spec_latex", "matrix_latex", "band_latex", "FULL_LIMIT", "HARD_LIMIT", "math_latex"]

FULL_LIMIT = 16
"""Matrices with at most this many rows and columns are printed in full by default."""

HARD_LIMIT = 64
"""No matrix with more rows or columns than this is printed in full, even on request."""

_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}


def escape_text(text: Any) -> str:
    r"""Text safe for any TeX context: specials escaped, non-ASCII as code points.

    >>> escape_text(r"\input{/etc/passwd} 50% ^^5c")
    '\\textbackslash{}input\\{/etc/passwd\\} 50\\% \\textasciicircum{}\\textasciicircum{}5c'
    >>> escape_text("naïve")
    'na[U+00EF]ve'
    """
    out = []
    for ch in str(text):
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ch == "\n":
            out.append(" ")
        elif not (32 <= ord(ch) < 127):
            out.append(f"[U+{ord(ch):04X}]")
        else:
            out.append(ch)
    return "".join(out)


def math_latex(value: Any) -> str:
    """A sympy object in LaTeX, or other values as escaped upright text."""
    if isinstance(value, sympy.Basic):
        return sympy.latex(value)
    if isinstance(value, (int, float)):
        return str(value)
    return rf"\text{{{escape_text(value)}}}"


def _axis(values: tuple) -> str:
    return str(values[0]) if len(set(values)) == 1 else "(" + ", ".join(map(str, values)) + ")"


def spec_latex(spec: Any) -> str:
    r"""A layer as a LaTeX formula.

    >>> from symconv import ConvSpec
    >>> spec_latex(ConvSpec(3, stride=2, padding=1))
    '\\mathrm{Conv1d}\\bigl(C_{\\mathrm{in}}=1,\\ C_{\\mathrm{out}}=1,\\ k=3,\\ s=2,\\ p=1,\\ d=1,\\ g=1\\bigr)'
    """
    name = type(spec).__name__
    ndim = spec.ndim
    base = "Conv" if name == "ConvSpec" else "ConvTranspose"
    label = f"{base}{ndim}d" if ndim <= 3 else f"{base}\\ {ndim}\\text{{-D}}"
    if all(left == right for left, right in spec.padding):
        pad = _axis(spec.padding_left)
    else:
        pad = "(" + ", ".join(f"({left}, {right})" for left, right in spec.padding) + ")"
    parts = [rf"C_{{\mathrm{{in}}}}={spec.in_channels}", rf"C_{{\mathrm{{out}}}}={spec.out_channels}",
             f"k={_axis(spec.kernel_size)}", f"s={_axis(spec.stride)}", f"p={pad}"]
    if base == "ConvTranspose":
        parts.append(f"a={_axis(spec.output_padding)}")
    parts += [f"d={_axis(spec.dilation)}", f"g={spec.groups}"]
    return rf"\mathrm{{{label}}}\bigl(" + r",\ ".join(parts) + r"\bigr)"


def _entry(M: Any, i: int, j: int, zeros: str) -> str:
    value = M[i, j]
    if value == 0:
        return r"\cdot" if zeros == "dots" else "0"
    return sympy.latex(value)


def matrix_latex(M: Any, *, zeros: str = "0", full: bool | None = None, corner: int = 5) -> str:
    r"""A ConvMatrix as a bmatrix: in full when small, else elided around its top-left corner.

    ``zeros`` is ``"0"`` or ``"dots"``.  ``full=True`` forces the full matrix up to
    :data:`HARD_LIMIT` rows and columns; larger requests raise :class:`SizeLimitError`.

    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
    >>> spec = ConvSpec(2)
    >>> print(matrix_latex(conv_matrix(spec, kernel_symbols(spec), (3,))))
    \begin{bmatrix} w_{0} & w_{1} & 0 \\ 0 & w_{0} & w_{1} \end{bmatrix}
    """
    if zeros not in ("0", "dots"):
        raise ValueError(f"zeros must be '0' or 'dots', got {zeros!r}")
    rows, cols = M.shape
    if full is None:
        full = max(rows, cols) <= FULL_LIMIT
    if full and max(rows, cols) > HARD_LIMIT:
        raise SizeLimitError(
            f"a {rows}x{cols} matrix is over the full-printing bound HARD_LIMIT={HARD_LIMIT}; print it elided (full=False)"
        )
    if full:
        body = [" & ".join(_entry(M, i, j, zeros) for j in range(cols)) for i in range(rows)]
        return r"\begin{bmatrix} " + r" \\ ".join(body) + r" \end{bmatrix}"
    r_show, c_show = min(corner, rows - 1), min(corner, cols - 1)
    lines = []
    for i in range(r_show):
        cells = [_entry(M, i, j, zeros) for j in range(c_show)] + [r"\cdots", _entry(M, i, cols - 1, zeros)]
        lines.append(" & ".join(cells))
    lines.append(" & ".join([r"\vdots"] * c_show + [r"\ddots", r"\vdots"]))
    lines.append(" & ".join([_entry(M, rows - 1, j, zeros) for j in range(c_show)] + [r"\cdots", _entry(M, rows - 1, cols - 1, zeros)]))
    return r"\begin{bmatrix} " + r" \\ ".join(lines) + r" \end{bmatrix}"


def band_latex(M: Any, *, rows: int = 6, cols: int = 8, zeros: str = "0", printer: Any = None) -> str:
    r"""A large ConvMatrix elided to its first nonzero band, saying which rows and columns are shown.

    With the default 8 columns, at most 10 columns are written (two of
    ellipses): amsmath's default ``MaxMatrixCols``.  The window starts at the first row that holds an entry and at the first
    column holding an entry in those rows (see ``ConvMatrix.band``); ``\cdots``,
    ``dots`` and ``\ddots`` mark the rows and columns left out.  The bmatrix is
    followed by its index ranges.  ``printer`` (a sympy LaTeX printer) prints
    the entries when given.

    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
    >>> spec = ConvSpec(3, stride=2, padding=1)
    >>> print(band_latex(conv_matrix(spec, kernel_symbols(spec), (40,)), rows=2, cols=4))
    \begin{bmatrix} w_{1} & w_{2} & 0 & 0 & \cdots \\ 0 & w_{0} & w_{1} & w_{2} & \cdots \\ \vdots & \vdots & \vdots & \vdots & \ddots \end{bmatrix}_{\text{rows } 0\text{--}1,\ \text{columns } 0\text{--}3 \text{ of } 20 \times 40}
    """
    if zeros not in ("0", "dots"):
        raise ValueError(f"zeros must be '0' or 'dots', got {zeros!r}")
    r0, r1, c0, c1 = M.band(rows, cols)
    n_rows, n_cols = M.shape
    values = M._value_map()
    show = printer._print if printer is not None else sympy.latex
    zero = "0" if zeros == "0" else r"\cdot"
    left, right, top, bottom = c0 > 0, c1 < n_cols, r0 > 0, r1 < n_rows

    def edge() -> str:
        return " & ".join(([r"\ddots"] if left else []) + [r"\vdots"] * (c1 - c0) + ([r"\ddots"] if right else []))

    lines = [edge()] if top else []
    for r in range(r0, r1):
        cells = [show(values[(r, c)]) if (r, c) in values else zero for c in range(c0, c1)]
        lines.append(" & ".join(([r"\cdots"] if left else []) + cells + ([r"\cdots"] if right else [])))
    if bottom:
        lines.append(edge())
    caption = (rf"\text{{rows }} {r0}\text{{--}}{r1 - 1},\ \text{{columns }} {c0}\text{{--}}{c1 - 1} "
               rf"\text{{ of }} {n_rows} \times {n_cols}")
    return r"\begin{bmatrix} " + r" \\ ".join(lines) + r" \end{bmatrix}_{" + caption + "}"


def matrix_columns(M: Any, full: bool | None = None, corner: int = 5) -> int:
    """How many columns :func:`matrix_latex` writes (for MaxMatrixCols)."""
    cols = M.shape[1]
    if full is None:
        full = max(M.shape) <= FULL_LIMIT
    return cols if full else min(corner, cols - 1) + 2


def block_matrix_latex(M: Any, *, zeros: str = "0") -> str:
    r"""A 2-D single-channel ConvMatrix as a block matrix (doubly block-Toeplitz).

    Rows and columns are grouped by their first spatial index; each distinct
    nonzero block is named :math:`B_q` and defined below the block pattern.

    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
    >>> spec = ConvSpec((2, 2))
    >>> print(block_matrix_latex(conv_matrix(spec, kernel_symbols(spec), (3, 3))))
    \begin{bmatrix} B_{0} & B_{1} & 0 \\ 0 & B_{0} & B_{1} \end{bmatrix},\quad B_{0} = \begin{bmatrix} w_{0,0} & w_{0,1} & 0 \\ 0 & w_{0,0} & w_{0,1} \end{bmatrix},\ B_{1} = \begin{bmatrix} w_{1,0} & w_{1,1} & 0 \\ 0 & w_{1,0} & w_{1,1} \end{bmatrix}
    """
    if len(M.row_shape) != 3 or len(M.col_shape) != 3 or M.row_shape[0] != 1 or M.col_shape[0] != 1:
        raise ValueError("block form needs a 2-D matrix with one channel on each side")
    _, r0, r1 = M.row_shape
    _, c0, c1 = M.col_shape
    if max(r0, c0, r1, c1) > HARD_LIMIT:
        raise SizeLimitError(f"block form is bounded by HARD_LIMIT={HARD_LIMIT} blocks and block size; got {M.row_shape} x {M.col_shape}")
    blocks: dict[tuple[int, int], list] = {}
    for r, c, terms in M.structure.terms_by_position():
        blocks.setdefault((r // r1, c // c1), []).append((r % r1, c % c1, terms))
    names: dict[tuple, str] = {}
    grid = [["0" if zeros == "0" else r"\cdot"] * c0 for _ in range(r0)]
    for (br, bc), content in sorted(blocks.items()):
        key = tuple(content)
        if key not in names:
            names[key] = f"B_{{{len(names)}}}"
        grid[br][bc] = names[key]
    pattern = r"\begin{bmatrix} " + r" \\ ".join(" & ".join(row) for row in grid) + r" \end{bmatrix}"
    definitions = []
    for key, name in names.items():
        cells = [["0" if zeros == "0" else r"\cdot"] * c1 for _ in range(r1)]
        for i, j, terms in key:
            value = sympy.Add(*(M._term_value(t, k) for t, k in terms))
            cells[i][j] = sympy.latex(value)
        definitions.append(f"{name} = " + r"\begin{bmatrix} " + r" \\ ".join(" & ".join(row) for row in cells) + r" \end{bmatrix}")
    return pattern + r",\quad " + r",\ ".join(definitions)
