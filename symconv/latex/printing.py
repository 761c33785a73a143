"""LaTeX for specs, matrices and user text.

User text never becomes TeX: :func:`escape_text` turns every special character
into its printed form, and non-ASCII characters into their code points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from sympy.printing.latex import LatexPrinter

from ..errors import SizeLimitError

__all__ = ["escape_text", "spec_latex", "layer_text", "matrix_latex", "matrix_window", "MatrixWindow", "elided_window", "band_latex",
           "FULL_LIMIT", "HARD_LIMIT", "math_latex", "index_order", "block_pattern_latex", "channel_blocks", "symbol_latex", "text_latex", "SymconvLatexPrinter"]

FULL_LIMIT = 16
"""Matrices with at most this many rows and columns (and narrow enough for the page) are printed in full by default."""

HARD_LIMIT = 64
"""No matrix with more rows or columns than this is printed in full, even on request."""

_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}


def escape_text(text: Any) -> str:
    r"""Text safe for any TeX context: specials escaped, non-ASCII as code points.

    Parameters
    ----------
    text : object
        Anything; its ``str`` is escaped.

    Returns
    -------
    str
        The text with TeX's specials as text macros, a newline as a space, and every non-ASCII character as
        ``[U+XXXX]``.

    Examples
    --------
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


_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "theta", "lambda", "mu", "sigma", "tau", "phi", "omega"}
"""Greek letters spelled out in a program name, typeset as the letter (``gamma`` is :math:`\\gamma`)."""

_SUBSCRIPT_WORDS = {"in": r"\mathrm{in}", "out": r"\mathrm{out}", "flip": r"\mathrm{flip}", "rt": r"\mathrm{rt}",
                    "split": r"\mathrm{split}"}


def symbol_latex(name: str) -> str:
    r"""How a symbol named in a program is typeset: ``n_in`` as :math:`n_{\mathrm{in}}`, ``p_l`` as :math:`p_{l}`.

    A subscript of one character (or digits) stays italic; a word is upright;
    primes stay primes; a name that is already LaTeX (it holds a backslash or a
    brace) is left alone.

    Parameters
    ----------
    name : str
        The program's name, e.g. ``"n_in"``.

    Returns
    -------
    str
        LaTeX mathematics.

    Examples
    --------
    >>> [symbol_latex(n) for n in ("n_in", "p_l", "m'", "C_flip", "N_0", "c_i", "x")]
    ['n_{\\mathrm{in}}', 'p_{l}', "m'", 'C_{\\mathrm{flip}}', 'N_{0}', 'c_{i}', 'x']
    """
    if "\\" in name or "{" in name:
        return name
    primes = len(name) - len(name.rstrip("'"))
    core, tail = name[: len(name) - primes], "'" * primes
    if "_" not in core:
        return (rf"\{core}" if core in _GREEK else core) + tail
    base, sub = core.split("_", 1)
    base = rf"\{base}" if base in _GREEK else base
    if sub.isdigit() or len(sub) == 1:
        sub_tex = sub
    else:
        sub_tex = _SUBSCRIPT_WORDS.get(sub, r"\mathrm{" + sub.replace("_", r"\_") + "}")
    return f"{base}_{{{sub_tex}}}{tail}"


class SymconvLatexPrinter(LatexPrinter):
    r"""sympy's LaTeX printer with symconv's names and relation chains.

    * program names of symbols become subscripts (:func:`symbol_latex`);
    * ``lo <= x < hi`` (an ``And`` of two relations sharing the middle term) prints as one chain;
    * a transpose prints as :math:`^{\top}`;
    * a tuple prints without sympy's trailing comma: :math:`(3)`, :math:`(4, 4)`.

    Parameters
    ----------
    settings : dict, optional
        sympy's LaTeX printer settings, and ``symbol_names`` (a dict from symbols to their LaTeX).

    Examples
    --------
    >>> import sympy
    >>> SymconvLatexPrinter().doprint(sympy.Transpose(sympy.MatrixSymbol("M", 2, 3)))
    'M^{\\top}'
    >>> SymconvLatexPrinter().doprint(sympy.Tuple(4, 4))
    '\\left(4, 4\\right)'
    """

    printmethod = "_latex"

    def _print_Symbol(self, expr: Any, style: str = "plain") -> str:
        if expr in self._settings["symbol_names"]:
            return self._settings["symbol_names"][expr]
        return symbol_latex(expr.name)

    def _print_Transpose(self, expr: Any) -> str:
        arg = expr.arg
        inner = self._print(arg)
        if not isinstance(arg, sympy.MatrixSymbol):
            inner = rf"\left({inner}\right)"
        return inner + r"^{\top}"

    def _print_Tuple(self, expr: Any) -> str:
        return r"\left(" + ", ".join(self._print(a) for a in expr.args) + r"\right)"

    def _chain(self, first: Any, second: Any) -> str | None:
        rel = (sympy.Lt, sympy.Le)
        if isinstance(first, rel) and isinstance(second, rel) and first.rhs == second.lhs:
            return (f"{self._print(first.lhs)} {self._relop(first)} {self._print(first.rhs)} "
                    f"{self._relop(second)} {self._print(second.rhs)}")
        return None

    @staticmethod
    def _relop(rel: Any) -> str:
        return r"\le" if isinstance(rel, sympy.Le) else "<"

    def _print_And(self, expr: Any) -> str:
        args = list(expr.args)
        if len(args) == 2:
            chained = self._chain(*args) or self._chain(*reversed(args))
            if chained is not None:
                return chained
        return r" \wedge ".join(self._parenthesize_bool(a) for a in args)

    def _parenthesize_bool(self, arg: Any) -> str:
        text = self._print(arg)
        if isinstance(arg, (sympy.Or, sympy.Implies, sympy.Equivalent)):
            return rf"\left({text}\right)"
        return text

    def _print_Add(self, expr: Any, order: Any = None) -> str:
        """Terms in the prose's order (:func:`index_order`), not sympy's sort order."""
        terms = index_order(expr)
        out = ""
        for pos, term in enumerate(terms):
            negative = term.could_extract_minus_sign()
            body = self._print(-term if negative else term)
            if isinstance(-term if negative else term, sympy.Add):
                body = rf"\left({body}\right)"
            if pos == 0:
                out = ("- " if negative else "") + body
            else:
                out += (" - " if negative else " + ") + body
        return out

    def _print_Mul(self, expr: Any) -> str:
        """Coefficients and parameters before indices (:math:`s i`, never "i s"); other products as sympy."""
        factors = _plain_factors(expr)
        if factors is None:
            return super()._print_Mul(expr)
        sign, number, ordered = factors
        parts = [] if number == 1 else [str(number)]
        for factor in ordered:
            text = self._print(factor)
            if isinstance(factor, sympy.Add):
                text = rf"\left({text}\right)"
            parts.append(text)
        body = " ".join(parts) if parts else "1"
        return ("- " if sign < 0 else "") + body

    def _print_Relational(self, expr: Any) -> str:
        ops = {"==": "=", "!=": r"\neq", "<": "<", "<=": r"\le", ">": ">", ">=": r"\ge"}
        return f"{self._print(expr.lhs)} {ops[expr.rel_op]} {self._print(expr.rhs)}"


_INDEX_RANK = {"j": 0, "t": 1, "u": 2, "i": 3, "m": 4, "o": 5, "c": 6, "x": 7, "y": 8, "q": 9}
"""Index letters, in the order their terms are written (output first, then input, then tap)."""

_PARAMETER_RANK = {"n": 20, "N": 20, "k": 21, "a": 23, "p": 24, "p'": 25, "s": 30, "d": 31, "g": 32,
                   "gamma": 33, "A": 34, "B": 35}
"""Parameter letters: sizes before paddings; in a product, parameters precede indices."""


def _letter(symbol: Any) -> str:
    return symbol.name.rstrip("'").split("_")[0].lstrip("\\")


def _rank(symbol: Any) -> tuple[int, str]:
    if symbol.name in _CHANNEL_SIZES:
        return _PARAMETER_RANK["n"] + 1, symbol.name
    letter = _letter(symbol)
    if letter in _INDEX_RANK:
        return _INDEX_RANK[letter], symbol.name
    return _PARAMETER_RANK.get(letter, 40), symbol.name


_CHANNEL_SIZES = {"c_i", "c_o"}
"""Channels per group: sizes, although their letter is the channel index's."""


def _is_index(symbol: Any) -> bool:
    return _letter(symbol) in _INDEX_RANK and symbol.name not in _CHANNEL_SIZES


def _term_key(term: Any) -> tuple:
    symbols = sorted(getattr(term, "free_symbols", set()), key=_rank)
    if not symbols:
        return (2, 0, "")
    indices = [v for v in symbols if _is_index(v)]
    lead = indices[0] if indices else symbols[0]
    return (1 if term.could_extract_minus_sign() else 0, *_rank(lead))


def index_order(expr: Any) -> list:
    r"""The terms of a sum in the order prose writes them: positive terms, then negative ones, then the constant.

    Terms are ordered by their index (:math:`j`, then :math:`i`, then the tap :math:`m`), then by their
    parameters (sizes before paddings), so that a printed index reads :math:`s i + d m - p_{l}` and
    :math:`j + p_{l} - d m`, never in sympy's sort order, where ":math:`i s`" reads as a word.

    >>> import sympy
    >>> from symconv.latex import math_latex
    >>> s, i, d, m, p_l, j = sympy.symbols("s i d m p_l j", integer=True)
    >>> math_latex(s * i + d * m - p_l), math_latex(j + p_l - d * m)
    ('s i + d m - p_{l}', 'j + p_{l} - d m')
    """
    return sorted(sympy.Add.make_args(expr), key=_term_key)


def _plain_factors(expr: Any) -> tuple[int, Any, list] | None:
    """A product of an integer, symbols, sums and applied functions (no fractions), ordered; None otherwise."""
    sign, number, rest = 1, sympy.Integer(1), []
    for factor in expr.as_ordered_factors():
        if isinstance(factor, sympy.Integer):
            number *= factor
        elif isinstance(factor, sympy.Rational) or (isinstance(factor, sympy.Pow) and not (
                factor.exp.is_Integer and factor.exp > 0)):
            return None
        else:
            rest.append(factor)
    if number < 0:
        sign, number = -1, -number

    def key(item: tuple[int, Any]) -> tuple:
        pos, factor = item
        if isinstance(factor, sympy.Symbol):
            scale = _letter(factor) in ("s", "d", "g", "gamma")  # a stride, dilation or group count leads: d k
            return (1 if _is_index(factor) else 0, 0 if scale else 1, *_rank(factor))
        return (2, 0, pos, "")  # other factors keep sympy's order

    return sign, number, [f for _, f in sorted(enumerate(rest), key=key)]


_IDENTIFIER = re.compile(r"(?<![A-Za-z0-9\\])([A-Za-z]+_[A-Za-z0-9]+'*)(?![A-Za-z0-9_])")
_TEXT_MATH = re.compile(r"(?<![A-Za-z0-9\\])([A-Za-z]+_[A-Za-z0-9]+'*|[MSTZ]|\d+·\d+\^\d+|\d+\^\d+ - 1|\d+\^-?\d+|\d+(?:x\d+)+|-\d+|dL/dy|dL/dx|dL/dw)"
                        r"(?![A-Za-z0-9_])|( (?:<=|>=|!=|<|>) )")
_TEXT_WORDS = {"dL/dy": r"$\partial\ell/\partial y$", "dL/dx": r"$\partial\ell/\partial x$",
               "dL/dw": r"$\partial\ell/\partial w$"}
_TEXT_RELATIONS = {" <= ": r" $\le$ ", " >= ": r" $\ge$ ", " != ": r" $\ne$ ", " < ": " $<$ ", " > ": " $>$ "}


def text_latex(text: Any) -> str:
    r"""Plain text from a program as LaTeX text: escaped, with identifiers typeset as mathematics.

    An identifier with a short base (``n_T``, ``C_flip``, ``p_l``) is a symbol;
    one made of words (``output_padding``) is written as words; ``2^-60`` is a
    power; a relation between spaces (``a < s``) is a relation sign; a matrix's
    letter standing alone (``M``, ``S``, ``T``, ``Z``) is the matrix.

    >>> text_latex("M's input length is n_T, through C_flip; 50% done")
    "$M$'s input length is $n_{T}$, through $C_{\\mathrm{flip}}$; 50\\% done"
    >>> text_latex("T is the transposed convolution, so M has 6 outputs and S keeps 4")
    '$T$ is the transposed convolution, so $M$ has 6 outputs and $S$ keeps 4'
    >>> text_latex("output_padding < stride, probability at most 2^-60")
    'output padding $<$ stride, probability at most $2^{-60}$'
    >>> text_latex("at most 9·2^27 and 2^30 - 1")
    'at most $9 \\cdot 2^{27}$ and $2^{30} - 1$'
    >>> text_latex("a 9x8 matrix")
    'a $9 \\times 8$ matrix'
    """
    out = []
    position = 0
    raw = str(text)
    for match in _TEXT_MATH.finditer(raw):
        out.append(escape_text(raw[position:match.start()]))
        token = match.group(0)
        if match.group(2):
            out.append(_TEXT_RELATIONS[token])
        elif token in _TEXT_WORDS:
            out.append(_TEXT_WORDS[token])
        elif token.startswith("-"):
            out.append(f"${token}$")  # a minus sign, not a hyphen
        elif re.fullmatch(r"\d+(?:x\d+)+", token):
            out.append("$" + r" \times ".join(token.split("x")) + "$")  # a size: 9x8 is 9 by 8
        elif "^" in token:  # a power, possibly times a factor (9·2^27) or less one (2^30 - 1)
            out.append("$" + re.sub(r"(\d+)\^(-?\d+)", r"\1^{\2}", token).replace("·", r" \cdot ") + "$")
        elif len(token.split("_")[0]) >= 3:
            out.append(escape_text(token.replace("_", " ")))
        else:
            out.append(f"${symbol_latex(token)}$")
        position = match.end()
    out.append(escape_text(raw[position:]))
    return "".join(out)


def math_latex(value: Any, **settings: Any) -> str:
    r"""A sympy object as LaTeX mathematics (symconv's printer); numbers as numbers.

    Strings are not mathematics: they are typeset as escaped upright text, so that
    a program string can never be mistaken for a formula (proof code passes sympy objects).

    Parameters
    ----------
    value : sympy.Basic, bool, int, float or str
        What to typeset.
    **settings
        Settings of sympy's LaTeX printer.

    Returns
    -------
    str
        LaTeX mathematics (without ``$``).

    Examples
    --------
    >>> import sympy
    >>> n, j = sympy.symbols("n_in j")
    >>> math_latex(sympy.And(sympy.Le(0, j), sympy.Lt(j, n)))
    '0 \\le j < n_{\\mathrm{in}}'
    """
    if isinstance(value, sympy.Basic):
        return SymconvLatexPrinter(settings).doprint(value)
    if isinstance(value, bool):
        return r"\text{true}" if value else r"\text{false}"
    if isinstance(value, (int, float)):
        return str(value)
    return rf"\text{{{escape_text(value)}}}"


def _axis(values: tuple, tuples: bool = False) -> str:
    """One parameter over the axes: one number when all axes agree (unless ``tuples``), else the tuple."""
    if len(set(values)) == 1 and not (tuples and len(values) > 1):
        return str(values[0])
    return "(" + ", ".join(map(str, values)) + ")"


def spec_latex(spec: Any) -> str:
    r"""A layer as a LaTeX formula.

    Parameters
    ----------
    spec : ConvSpec or TransposedConvSpec
        The layer.

    Returns
    -------
    str
        LaTeX mathematics naming PyTorch's module and every argument.

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> spec_latex(ConvSpec(3, stride=2, padding=1))
    '\\mathrm{Conv1d}\\bigl(C_{\\mathrm{in}}=1,\\ C_{\\mathrm{out}}=1,\\ k=3,\\ s=2,\\ p_{l}=p_{r}=1,\\ d=1,\\ g=1\\bigr)'
    >>> tex = spec_latex(ConvSpec((2, 3), stride=(1, 2), padding=2))  # one differs across axes: all are tuples
    >>> "p_{l}=p_{r}=(2, 2)" in tex and "d=(1, 1)" in tex
    True
    """
    name = type(spec).__name__
    ndim = spec.ndim
    base = "Conv" if name == "ConvSpec" else "ConvTranspose"
    label = f"{base}{ndim}d" if ndim <= 3 else f"{base}\\ {ndim}\\text{{-D}}"
    lefts, rights = tuple(left for left, _ in spec.padding), tuple(right for _, right in spec.padding)
    per_axis = [spec.kernel_size, spec.stride, lefts, rights, spec.dilation]
    per_axis += [spec.output_padding] if base == "ConvTranspose" else []
    tuples = any(len(set(values)) > 1 for values in per_axis)  # one parameter differs across axes: all as tuples

    def axis(values: tuple) -> str:
        return _axis(values, tuples)

    if lefts == rights:  # named as the Conventions' formulas use it: p_l, p_r
        pads = [f"p_{{l}}=p_{{r}}={axis(lefts)}"]
    else:  # asymmetric: its left and right paddings
        pads = [f"p_{{l}}={axis(lefts)}", f"p_{{r}}={axis(rights)}"]
    parts = [rf"C_{{\mathrm{{in}}}}={spec.in_channels}", rf"C_{{\mathrm{{out}}}}={spec.out_channels}",
             f"k={axis(spec.kernel_size)}", f"s={axis(spec.stride)}", *pads]
    if base == "ConvTranspose":
        parts.append(f"a={axis(spec.output_padding)}")
    parts += [f"d={axis(spec.dilation)}", f"g={spec.groups}"]
    return rf"\mathrm{{{label}}}\bigl(" + r",\ ".join(parts) + r"\bigr)"


def layer_text(spec: Any) -> str:
    r"""A layer for a theorem's prose: its parameters as mathematics, PyTorch's module cited as the convention.

    The statement names the layer by what it is ("the transposed convolution with ...") and cites the module
    whose definition it follows in parentheses, so that no program name stands in a formula.

    Parameters
    ----------
    spec : ConvSpec or TransposedConvSpec
        The layer.

    Returns
    -------
    str
        LaTeX text: ``with $C_{\mathrm{in}} = 1, \dots, g = 1$ (PyTorch's 	extsf{Conv1d})``.

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> layer_text(ConvSpec(3, stride=2, padding=1))
    "with $C_{\\mathrm{in}}=1,\\ C_{\\mathrm{out}}=1,\\ k=3,\\ s=2,\\ p_{l}=p_{r}=1,\\ d=1,\\ g=1$ (PyTorch's \\textsf{Conv1d})"
    """
    formula = spec_latex(spec)
    head, _, rest = formula.partition(r"\bigl(")
    module = head[len(r"\mathrm{"):-1]
    parameters = rest.removesuffix(r"\bigr)")
    if spec.ndim > 3:  # PyTorch has no module for it: the convention, axis by axis
        return rf"with ${parameters}$ (PyTorch's convention on each of the {spec.ndim} axes)"
    if "padding" in spec.beyond_torch:  # PyTorch pads both sides of an axis alike: this layer is an extension
        return (rf"with ${parameters}$ (PyTorch's \textsf{{{module}}}, extended: the padding is applied as stated, "
                r"$p_{l}$ on the left and $p_{r}$ on the right, where PyTorch pads both sides of an axis alike)")
    return rf"with ${parameters}$ (PyTorch's \textsf{{{module}}})"


def _entry(M: Any, i: int, j: int, zeros: str) -> str:
    value = M[i, j]
    if value == 0:
        return r"\cdot" if zeros == "dots" else "0"
    return math_latex(value)


WIDTH_EM = 34.0
"""Width (in em of the body font) that a displayed matrix may take before it is elided."""


def _entry_em(text: str) -> float:
    """A rough width of an entry in em: visible characters (subscripts count less), plus the column gap."""
    visible = re.sub(r"\\[A-Za-z]+|[{}]", "", text)
    sub = sum(len(m) for m in re.findall(r"_\{([^{}]*)\}", text))
    return 0.55 * (len(visible) - sub) + 0.4 * sub + 1.0


@dataclass(frozen=True)
class MatrixWindow:
    """Which rows and columns of a matrix an elided display shows (sorted, 0-based).

    Attributes
    ----------
    rows, cols : tuple of int
        The rows and the columns shown.
    shape : tuple of int
        The whole matrix's shape.

    Examples
    --------
    >>> window = MatrixWindow((0, 1), (0, 1, 2), (2, 3))
    >>> window.full
    True
    """

    rows: tuple[int, ...]
    cols: tuple[int, ...]
    shape: tuple[int, int]

    @property
    def full(self) -> bool:
        return len(self.rows) == self.shape[0] and len(self.cols) == self.shape[1]

    def caption(self) -> str:
        r"""Which part is shown, as LaTeX text (for the sentence before the display).

        Returns
        -------
        str
            The rows and columns shown, as runs, and the matrix's size.

        Examples
        --------
        >>> MatrixWindow((0, 1, 2), (0, 1, 2, 3, 7, 8), (40, 42)).caption()
        'rows $0$--$2$ and columns $0$--$3$, $7$--$8$ of the $40 \\times 42$ matrix'
        """
        return (f"rows {_ranges(self.rows)} and columns {_ranges(self.cols)} of the "
                f"${self.shape[0]} \\times {self.shape[1]}$ matrix")


def _ranges(values: tuple[int, ...]) -> str:
    runs: list[list[int]] = []
    for v in values:
        if runs and v == runs[-1][-1] + 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    return ", ".join(f"${r[0]}$" if len(r) == 1 else f"${r[0]}$--${r[-1]}$" for r in runs)


def matrix_window(M: Any, *, max_rows: int = 5, max_cols: int | None = None) -> MatrixWindow:
    """The rows and columns to show of a large matrix: around its first nonzero band.

    The rows are ``max_rows`` consecutive rows starting at the first row with a
    nonzero entry; the columns are ``max_cols`` consecutive columns starting at
    the first column that is nonzero in those rows, so that the kernel's pattern
    (with the zeros between dilated taps) shifting from row to row is visible.
    A matrix without nonzero entries shows its top-left corner.

    Parameters
    ----------
    M : ConvMatrix
        The matrix.
    max_rows : int
        How many rows are shown.
    max_cols : int, optional
        How many columns are shown (default 8).

    Returns
    -------
    MatrixWindow
        The rows, the columns and the matrix's shape.

    Examples
    --------
    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
    >>> spec = ConvSpec(3, stride=2)
    >>> win = matrix_window(conv_matrix(spec, kernel_symbols(spec), (40,)), max_rows=3, max_cols=8)
    >>> win.rows, win.cols
    ((0, 1, 2), (0, 1, 2, 3, 4, 5, 6, 7))
    """
    n_rows, n_cols = M.shape
    if max_cols is None:
        max_cols = 8
    rows_nz = np.asarray(M.structure.rows)
    cols_nz = np.asarray(M.structure.cols)
    if rows_nz.size == 0:
        return MatrixWindow(tuple(range(min(max_rows, n_rows))), tuple(range(min(max_cols, n_cols))), (n_rows, n_cols))
    first = int(rows_nz.min())
    start = max(0, min(first, n_rows - max_rows))
    rows = tuple(range(start, min(n_rows, start + max_rows)))
    in_rows = (rows_nz >= rows[0]) & (rows_nz <= rows[-1])
    used = np.unique(cols_nz[in_rows])
    lo = max(0, min(int(used.min()), n_cols - max_cols))  # a contiguous band from the first used column
    cols = tuple(range(lo, min(n_cols, lo + max_cols)))
    return MatrixWindow(rows, cols, (n_rows, n_cols))


def _fits(M: Any, zeros: str) -> bool:
    rows, cols = M.shape
    if max(rows, cols) > FULL_LIMIT:
        return False
    if M.nnz == 0:
        return True
    widest = max(_entry_em(_entry(M, int(r), int(c), zeros)) for r, c in zip(M.structure.rows[:64], M.structure.cols[:64]))
    return cols * widest <= WIDTH_EM


def matrix_latex(M: Any, *, zeros: str = "0", full: bool | None = None, rows: Any = None, cols: Any = None,
                 window: MatrixWindow | None = None) -> str:
    r"""A ConvMatrix as a bmatrix: in full when it fits the page, else elided around its first nonzero band.

    ``zeros`` is ``"0"`` or ``"dots"``.  ``full=True`` forces the full matrix up to
    :data:`HARD_LIMIT` rows and columns; larger requests raise :class:`SizeLimitError`.
    ``rows``/``cols`` (sequences of indices) choose the shown part explicitly;
    otherwise :func:`matrix_window` chooses it.  Elided rows are marked by
    :math:`\vdots` and elided columns by :math:`\cdots`, where they are.

    Parameters
    ----------
    M : ConvMatrix
        The matrix.
    zeros : {"0", "dots"}
        How a zero entry is printed.
    full : bool, optional
        True: in full; False: elided; None: in full when it fits the page.
    rows, cols : sequence of int, optional
        The rows and columns to show.
    window : MatrixWindow, optional
        The part to show, as :func:`matrix_window` gives it.

    Returns
    -------
    str
        A ``bmatrix``.

    Raises
    ------
    ValueError
        For ``zeros`` other than ``"0"`` or ``"dots"``.
    SizeLimitError
        For ``full=True`` over :data:`HARD_LIMIT` rows or columns.

    Examples
    --------
    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
    >>> spec = ConvSpec(2)
    >>> print(matrix_latex(conv_matrix(spec, kernel_symbols(spec), (3,))))
    \begin{bmatrix} w_{0} & w_{1} & 0 \\ 0 & w_{0} & w_{1} \end{bmatrix}
    """
    if zeros not in ("0", "dots"):
        raise ValueError(f"zeros must be '0' or 'dots', got {zeros!r}")
    n_rows, n_cols = M.shape
    if full and max(n_rows, n_cols) > HARD_LIMIT:
        raise SizeLimitError(
            f"a {n_rows}x{n_cols} matrix is over the full-printing bound HARD_LIMIT={HARD_LIMIT}; print it elided (full=False)"
        )
    if window is None and (rows is not None or cols is not None):
        window = MatrixWindow(tuple(rows if rows is not None else range(n_rows)),
                              tuple(cols if cols is not None else range(n_cols)), (n_rows, n_cols))
    if window is None:
        if full is None:
            full = _fits(M, zeros)
        window = (MatrixWindow(tuple(range(n_rows)), tuple(range(n_cols)), (n_rows, n_cols)) if full
                  else elided_window(M, zeros))
    return _window_latex(M, window, zeros)


def elided_window(M: Any, zeros: str = "dots", max_cols: int = 8, *, transposable: bool = False) -> MatrixWindow:
    """:func:`matrix_window` with at most ``max_cols`` columns, and no more than fit :data:`WIDTH_EM`.

    With the default 8 columns and the two columns of ellipses, the bmatrix has
    at most 10 columns, amsmath's default ``MaxMatrixCols``, so it can be pasted
    into any document.  ``transposable`` caps the rows at the same fit, so that the window transposed (the
    window of the transpose, such as T's of M) fits as well.  Trailing rows and columns whose entries all lie
    outside the window are left out: they would show only zeros where the matrix holds entries.

    Examples
    --------
    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
    >>> spec = ConvSpec((3, 3), stride=2, padding=1, padding_mode="reflect")
    >>> M = conv_matrix(spec, kernel_symbols(spec), (5, 5))
    >>> win = elided_window(M, transposable=True)
    >>> win.rows, win.cols
    ((0, 1), (0, 1, 2))
    """
    win = matrix_window(M, max_cols=max_cols)
    entries = [_entry(M, r, c, zeros) for r in win.rows for c in win.cols]
    widest = max(_entry_em(e) for e in entries) if entries else 1.0
    fit = max(3, int((WIDTH_EM - 4) // widest))
    if len(win.cols) > fit or (transposable and len(win.rows) > fit):
        win = matrix_window(M, max_rows=min(len(win.rows), fit) if transposable else 5, max_cols=min(max_cols, fit))
    return _trimmed(M, win)


def _trimmed(M: Any, win: MatrixWindow) -> MatrixWindow:
    """The window without its trailing rows (then columns) whose nonzero entries all lie outside it (one is kept)."""
    rows_nz, cols_nz = np.asarray(M.structure.rows), np.asarray(M.structure.cols)

    def outside(lines: tuple[int, ...], mine: Any, other: Any, shown: tuple[int, ...]) -> tuple[int, ...]:
        kept = list(lines)
        while len(kept) > 1:
            hits = other[mine == kept[-1]]
            if hits.size == 0 or np.isin(hits, shown).any():
                break
            kept.pop()
        return tuple(kept)

    rows = outside(win.rows, rows_nz, cols_nz, win.cols)
    cols = outside(win.cols, cols_nz, rows_nz, rows)
    return MatrixWindow(rows, cols, win.shape)


def _window_latex(M: Any, win: MatrixWindow, zeros: str) -> str:
    n_rows, n_cols = M.shape
    col_slots: list[int | None] = []
    if win.cols and win.cols[0] > 0:
        col_slots.append(None)
    for pos, c in enumerate(win.cols):
        if pos and c != win.cols[pos - 1] + 1:
            col_slots.append(None)
        col_slots.append(c)
    if win.cols and win.cols[-1] < n_cols - 1:
        col_slots.append(None)
    row_slots: list[int | None] = []
    if win.rows and win.rows[0] > 0:
        row_slots.append(None)
    for pos, r in enumerate(win.rows):
        if pos and r != win.rows[pos - 1] + 1:
            row_slots.append(None)
        row_slots.append(r)
    if win.rows and win.rows[-1] < n_rows - 1:
        row_slots.append(None)
    lines = []
    for i, slot in enumerate(row_slots):
        if slot is None:
            # the band runs from top left to bottom right: \ddots on that diagonal, \vdots in the other two corners
            off = {(0, len(col_slots) - 1), (len(row_slots) - 1, 0)}
            cells = [(r"\vdots" if (i, j) in off else r"\ddots") if c is None else r"\vdots"
                     for j, c in enumerate(col_slots)]
        else:
            cells = [r"\cdots" if c is None else _entry(M, slot, c, zeros) for c in col_slots]
        lines.append(" & ".join(cells))
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

    def edge(first: bool) -> str:  # \ddots on the band's diagonal (top left, bottom right), \vdots off it
        return " & ".join(([r"\vdots" if not first else r"\ddots"] if left else []) + [r"\vdots"] * (c1 - c0)
                          + ([r"\vdots" if first else r"\ddots"] if right else []))

    lines = [edge(True)] if top else []
    for r in range(r0, r1):
        cells = [show(values[(r, c)]) if (r, c) in values else zero for c in range(c0, c1)]
        lines.append(" & ".join(([r"\cdots"] if left else []) + cells + ([r"\cdots"] if right else [])))
    if bottom:
        lines.append(edge(False))
    caption = (rf"\text{{rows }} {r0}\text{{--}}{r1 - 1},\ \text{{columns }} {c0}\text{{--}}{c1 - 1} "
               rf"\text{{ of }} {n_rows} \times {n_cols}")
    return r"\begin{bmatrix} " + r" \\ ".join(lines) + r" \end{bmatrix}_{" + caption + "}"


def matrix_columns(M: Any, full: bool | None = None, corner: int = 5) -> int:
    """How many columns :func:`matrix_latex` writes at most (for MaxMatrixCols)."""
    return min(M.shape[1], 2 * 12 + 2)


def block_matrix_latex(M: Any, *, zeros: str = "0") -> str:
    r"""A 2-D single-channel ConvMatrix as a block matrix (doubly block-Toeplitz).

    Rows and columns are grouped by their first spatial index; each distinct
    nonzero block is named :math:`B_q` and defined below the block pattern.

    Parameters
    ----------
    M : ConvMatrix
        The matrix of a 2-D layer with one input and one output channel.
    zeros : {"0", "dots"}
        How a zero entry is printed.

    Returns
    -------
    str
        The block pattern, then each block's definition.

    Raises
    ------
    ValueError
        For a matrix that is not 2-D with one channel on each side.
    SizeLimitError
        For more than :data:`HARD_LIMIT` blocks or block rows.

    Examples
    --------
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


def channel_blocks(M: Any) -> tuple[int, int, set[tuple[int, int]]] | None:
    """The channel-block grid of a multi-channel matrix: (row channels, column channels, nonzero blocks).

    None when either side has one channel.  Rows and columns are flattened (channel, spatial axes...), so
    the block of a row is its row index divided by the spatial size of a row channel.
    """
    if len(M.row_shape) < 2 or len(M.col_shape) < 2:
        return None
    c_rows, c_cols = M.row_shape[0], M.col_shape[0]
    if c_rows == 1 and c_cols == 1:
        return None
    per_row = int(np.prod(M.row_shape[1:]))
    per_col = int(np.prod(M.col_shape[1:]))
    rows = np.asarray(M.structure.rows) // per_row
    cols = np.asarray(M.structure.cols) // per_col
    return c_rows, c_cols, set(zip(rows.tolist(), cols.tolist()))


def block_pattern_latex(M: Any, name: str) -> str | None:
    r"""The channel blocks of a multi-channel matrix: :math:`M_{o c}` where block (o, c) holds entries, 0 elsewhere.

    ``name`` is the matrix's name (LaTeX).  None when the matrix has one channel on a side, or more than
    :data:`FULL_LIMIT` channels on one.

    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
    >>> spec = ConvSpec(2, in_channels=2, out_channels=2, groups=2)
    >>> print(block_pattern_latex(conv_matrix(spec, kernel_symbols(spec), (3,)), "M"))
    \begin{bmatrix} M_{0,0} & 0 \\ 0 & M_{1,1} \end{bmatrix}
    """
    grid = channel_blocks(M)
    if grid is None or max(grid[0], grid[1]) > FULL_LIMIT:
        return None
    c_rows, c_cols, nonzero = grid
    lines = [" & ".join(f"{name}_{{{r},{c}}}" if (r, c) in nonzero else "0" for c in range(c_cols))
             for r in range(c_rows)]
    return r"\begin{bmatrix} " + r" \\ ".join(lines) + r" \end{bmatrix}"

