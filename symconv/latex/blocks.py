"""Large N-D matrices in blocks along their first spatial axis: the block-Toeplitz structure on the page.

A convolution's matrix over several spatial axes, flattened row-major, is block Toeplitz along the first
axis: block ``(i_1, j_1)`` is the matrix of the remaining axes for kernel row ``m_1`` where
``j_1 = s i_1 + d m_1 - p_l``, and zero elsewhere.  An elided window of the entries shows only a corner of
one block; :func:`axis_blocks` shows the blocks themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .printing import matrix_latex

__all__ = ["AxisBlocks", "axis_blocks", "axis_blocks_latex"]


@dataclass(frozen=True)
class AxisBlocks:
    """An N-D matrix (one channel block of it) seen in blocks along its first spatial axis.

    ``pattern`` is the block window (LaTeX bmatrix), ``blocks`` the named blocks it shows, each
    ``(name, block)`` with ``block`` a :class:`~symconv.matrices.ConvMatrix` over the remaining axes, and
    ``where`` says which channel block was taken (LaTeX text, "" for one channel), and ``window`` which block
    rows and columns the pattern shows ("" when it shows them all).
    """

    pattern: str
    blocks: tuple
    where: str
    grid: tuple[int, int]
    window: str = ""


_WINDOW = "\0window"  # the key under which ``known`` keeps M's window of blocks, for its transpose


def _block_key(entries: list, transpose: bool) -> tuple:
    return tuple(sorted(((c, r, t) if transpose else (r, c, t)) for r, c, t in entries))


def axis_blocks(M: Any, letter: str = "A", *, known: dict | None = None, transpose: bool = False,
                max_rows: int = 6, max_cols: int = 10) -> AxisBlocks | None:
    r"""The first nonzero channel block of an N-D matrix in blocks along the first spatial axis.

    Row ``(o, i_1, i_2, …)`` and column ``(c, j_1, j_2, …)`` fall in block ``(i_1, j_1)``; for a convolution
    the block is nonzero where ``j_1 = s i_1 + d m_1 - p_l`` for a tap ``m_1``, and it is the matrix of the
    remaining axes for kernel row ``m_1``: the matrix is block Toeplitz.  Equal blocks get one name,
    ``A_{m_1}`` when all its taps lie on kernel row ``m_1`` along the first axis; a block whose taps lie on
    several kernel rows (where a padding mode sends two taps to one input) is written as the sum
    ``A_{0} + A_{1}`` of the named blocks it is, when it is one, and numbered ``A_{(n)}`` otherwise.  Pass the ``known``
    dict of one matrix to the call for its transpose with ``transpose=True``: a block that is the
    transpose of a named one is named ``A_{m_1}^{\top}``, and the window of blocks is the transpose of
    the first matrix's window (its channel block too).  None for a 1-D or empty matrix.

    Parameters
    ----------
    M : ConvMatrix
        The matrix, flattened row-major over (channel, spatial axes).
    letter : str
        The blocks' letter (LaTeX).
    known : dict, optional
        Names of blocks met before (filled in by this call).
    transpose : bool
        Whether ``M`` is the transpose of the matrix whose blocks ``known`` holds.
    max_rows, max_cols : int
        How many block rows and block columns the window shows; a matrix with no more blocks than that is
        shown whole, so that no nonzero block is hidden.

    Returns
    -------
    AxisBlocks or None

    Examples
    --------
    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
    >>> spec = ConvSpec((3, 3), stride=2, padding=1)
    >>> view = axis_blocks(conv_matrix(spec, kernel_symbols(spec), (8, 8)), max_rows=2, max_cols=4)
    >>> print(view.pattern)
    \begin{bmatrix} A_{1} & A_{2} & 0 & 0 & \cdots \\ 0 & A_{0} & A_{1} & A_{2} & \cdots \\ \vdots & \vdots & \vdots & \vdots & \ddots \end{bmatrix}
    >>> [(name, block.shape) for name, block in view.blocks]
    [('A_{1}', (4, 8)), ('A_{2}', (4, 8)), ('A_{0}', (4, 8))]
    """
    from ..matrices import ConvMatrix
    from ..structure import Structure

    if len(M.row_shape) < 3 or len(M.col_shape) < 3 or M.structure.size == 0:
        return None
    known = {} if known is None else known
    s = M.structure
    rows, cols, taps, coefs = (np.asarray(v) for v in (s.rows, s.cols, s.taps, s.coefs))
    per_row, per_col = int(np.prod(M.row_shape[1:])), int(np.prod(M.col_shape[1:]))
    mirror = known.get(_WINDOW) if transpose else None  # (channel block, block rows, block cols) of M
    c_row, c_col = int(rows[0] // per_row), int(cols[0] // per_col)  # the channel block of the first entry
    if mirror is not None and np.any((rows // per_row == mirror[1]) & (cols // per_col == mirror[0])):
        c_row, c_col = mirror[1], mirror[0]  # the transpose's block of M's
    else:
        mirror = None
    first = np.flatnonzero((rows // per_row == c_row) & (cols // per_col == c_col))
    rows, cols, taps, coefs = rows[first] % per_row, cols[first] % per_col, taps[first], coefs[first]
    sub_r, sub_c = int(np.prod(M.row_shape[2:])), int(np.prod(M.col_shape[2:]))
    b_r, b_c = rows // sub_r, cols // sub_c
    n_br, n_bc = M.row_shape[1], M.col_shape[1]
    if mirror is not None and max(mirror[3]) < n_br and max(mirror[2]) < n_bc:
        shown_r, shown_c = list(mirror[3]), list(mirror[2])  # M's window of blocks, transposed
    else:
        r0 = 0 if n_br <= max_rows else int(b_r.min())  # the whole when it fits: no nonzero block hidden
        shown_r = list(range(r0, min(n_br, r0 + max_rows)))
        in_rows = (b_r >= shown_r[0]) & (b_r <= shown_r[-1])
        c0 = 0 if n_bc <= max_cols else int(b_c[in_rows].min())
        shown_c = list(range(c0, min(n_bc, c0 + max_cols)))
    keep = (b_r >= shown_r[0]) & (b_r <= shown_r[-1]) & (b_c >= shown_c[0]) & (b_c <= shown_c[-1])
    if not transpose:
        known[_WINDOW] = (c_row, c_col, tuple(shown_r), tuple(shown_c))
    weight_shape = np.asarray(M.weight, dtype=object).shape if M.weight is not None else None
    grid: dict[tuple[int, int], str] = {}
    order: list[tuple[str, Any]] = []
    cells = []  # (block row, block column, entry indices, entries, key), in reading order
    for br, bc in sorted(set(zip(b_r[keep].tolist(), b_c[keep].tolist()))):
        here = np.flatnonzero(keep & (b_r == br) & (b_c == bc))
        entries = list(zip((rows[here] % sub_r).tolist(), (cols[here] % sub_c).tolist(),
                           zip(taps[here].tolist(), coefs[here].tolist())))
        cells.append((br, bc, here, entries, _block_key(entries, False)))

    def tap_row(tap: int) -> int | None:
        if weight_shape is None or len(weight_shape) <= 2 or tap < 0:
            return None
        return int(np.unravel_index(tap, weight_shape)[2])

    # first the blocks of one kernel row (A_m), then those of several: a sum of named blocks is written as that sum
    for single in (True, False):
        for _, _, _, entries, key in cells:
            if key in known:
                continue
            other = _block_key(entries, True)
            if transpose and other in known:
                base = known[other]
                known[key] = (f"({base})" if " + " in base else base) + r"^{\top}"
                continue
            by_row: dict = {}
            for entry in entries:
                by_row.setdefault(tap_row(entry[2][0]), []).append(entry)
            if (len(by_row) == 1) != single:
                continue
            label = None
            if single and None not in by_row:
                label = f"{letter}_{{{next(iter(by_row))}}}"
            elif not single and None not in by_row:
                parts = [known.get(_block_key(by_row[m], False)) for m in sorted(by_row)]
                in_window = {known.get(k) for *_, k in cells}  # each part is shown in this window
                if all(part == f"{letter}_{{{m}}}" and part in in_window for part, m in zip(parts, sorted(by_row))):
                    label = " + ".join(parts)
            if label is None or label in known.values():
                label = f"{letter}_{{({len(known)})}}"
            known[key] = label
    for br, bc, here, _, key in cells:
        name = known[key]
        grid[br, bc] = name
        if all(n != name for n, _ in order) and " + " not in name:  # a sum of named blocks needs no display
            block = ConvMatrix(Structure.build((sub_r, sub_c), rows[here] % sub_r, cols[here] % sub_c, taps[here],
                                               coefs[here]), M.weight, (1,) + tuple(M.row_shape[2:]),
                               (1,) + tuple(M.col_shape[2:]))
            order.append((name, block))
    cells_r: list[int | None] = ([None] if shown_r[0] > 0 else []) + shown_r + (
        [None] if shown_r[-1] < n_br - 1 else [])
    cells_c: list[int | None] = ([None] if shown_c[0] > 0 else []) + shown_c + (
        [None] if shown_c[-1] < n_bc - 1 else [])
    lines = []
    off = {(0, len(cells_c) - 1), (len(cells_r) - 1, 0)}  # the corners off the band's diagonal: \vdots, not \ddots
    for i, r in enumerate(cells_r):
        if r is None:
            lines.append(" & ".join((r"\vdots" if (i, j) in off else r"\ddots") if c is None else r"\vdots"
                                    for j, c in enumerate(cells_c)))
        else:
            lines.append(" & ".join(r"\cdots" if c is None else grid.get((r, c), "0") for c in cells_c))
    pattern = r"\begin{bmatrix} " + r" \\ ".join(lines) + r" \end{bmatrix}"
    channels = M.row_shape[0] > 1 or M.col_shape[0] > 1
    where = f"the channel block $({c_row}, {c_col})$" if channels else ""
    return AxisBlocks(pattern, tuple(order), where, (n_br, n_bc), _window_words(shown_r, shown_c, n_br, n_bc))


def _window_words(shown_r: list, shown_c: list, n_br: int, n_bc: int) -> str:
    """Which block rows and columns a pattern shows, of how many (LaTeX text; "" when it shows all).

    >>> _window_words([0, 1], [1, 2, 3], 4, 9)
    'block rows $0$ to $1$ of $0$ to $3$ and block columns $1$ to $3$ of $0$ to $8$ shown'
    >>> _window_words([0, 1, 2], [0, 1], 3, 2)
    ''
    """
    parts = []
    for what, shown, total in (("rows", shown_r, n_br), ("columns", shown_c, n_bc)):
        if len(shown) < total:
            parts.append(f"block {what} ${shown[0]}$ to ${shown[-1]}$ of $0$ to ${total - 1}$")
    return (" and ".join(parts) + " shown") if parts else ""


def _article(n: int) -> str:
    """The article before the number ``n`` read aloud: "an" for eight, eleven, eighteen, eighty..., else "a".

    >>> [_article(n) for n in (8, 3, 11, 18, 80, 800, 1, 100)]
    ['an', 'a', 'an', 'an', 'an', 'an', 'a', 'a']
    """
    text = str(int(n))
    if text.startswith("8"):
        return "an"
    # eleven and eighteen, and the thousands and millions read "eleven thousand ...", "eighteen thousand ..."
    return "an" if len(text) % 3 == 2 and text[:2] in ("11", "18") else "a"


def axis_blocks_latex(name: str, M: Any, known: dict, body: str = "") -> str:
    r"""An elided N-D matrix in blocks along its first spatial axis, and the blocks it names (LaTeX text).

    A block whose display would repeat ``body`` (the window of the entries already shown) is named, not
    shown again.  "" for a 1-D matrix.

    Parameters
    ----------
    name : str
        The matrix's name (LaTeX): ``"M"``, or ``"T"``, whose blocks are named as transposes of M's.
    M : ConvMatrix
        The matrix.
    known : dict
        The blocks named so far in the document (pass one dict to the calls for M and then T).
    body : str
        The display of the entries' window already on the page.

    Returns
    -------
    str
        A sentence, the block pattern and the blocks it names, as LaTeX text with displays.

    Examples
    --------
    >>> from symconv import ConvSpec, conv_matrix, kernel_symbols
    >>> spec = ConvSpec((2, 2))
    >>> text = axis_blocks_latex("M", conv_matrix(spec, kernel_symbols(spec), (3, 3)), {})
    >>> "M = \\begin{bmatrix} A_{0} & A_{1} & 0" in text, "A_{0} = " in text
    (True, True)
    """
    view = axis_blocks(M, known=known, transpose=name == "T")
    if view is None:
        return ""
    target = f"{name}_{{{view.where.split('$')[1].strip('()').replace(' ', '')}}}" if view.where else name
    block_shape = view.blocks[0][1].shape if view.blocks else (0, 0)
    # i is the convolution's output position and j its input's (the transposed convolution's output): for T the
    # rows are j and the columns i
    row, col = ("j_1", "i_1") if name == "T" else ("i_1", "j_1")
    window = view.window + ", " if view.window else ""
    out = [f"In blocks along the first spatial axis ({view.where + ', ' if view.where else ''}{window}"
           f"block $({row}, {col})$ "
           f"maps input position ${col}$ of that axis (axis $1$; positions are numbered from $0$, like the taps) "
           f"to output position ${row}$; each block is "
           f"{_article(block_shape[0])} ${block_shape[0]} \\times "
           f"{block_shape[1]}$ matrix over the other axes, and equal blocks have one name):\n"
           f"\\[\n{target} = {view.pattern}\n\\]"]
    new = [(b, block) for b, block in view.blocks if not b.endswith(r"^{\top}")]
    if not new:
        if view.blocks:
            out[-1] += "\n" + r"with the blocks of $M$ transposed."
        return "\n".join(out)
    texts = [(label, matrix_latex(block, zeros="dots")) for label, block in new]
    repeated = [label for label, text in texts if text == body]
    fresh = [(label, text) for label, text in texts if text != body]
    full = all(r"\vdots" not in text and r"\cdots" not in text for _, text in fresh)
    sentence = (f"${repeated[0]}$ holds the entries shown above" if repeated else "")
    by_tap = all(re.fullmatch(r"[A-Z]_\{\d+\}", label) for label, _ in texts)
    letter = texts[0][0][0] if texts else "A"
    what = (rf"Each block ${letter}_{{m}}$ holds the kernel entries whose tap on the first spatial axis is $m$: it is "
            "the matrix, over the other axes, of the convolution with that slice of the kernel, the same wherever "
            "it occurs.") if by_tap else ""  # every block is named by the first axis's tap it holds
    numbered = [label for label, _ in texts if re.fullmatch(r"[A-Z]_\{\(\d+\)\}", label)]
    if numbered:
        what = (f"${numbered[0]}$ is" if len(numbered) == 1 else
                "$" + "$, $".join(numbered[:-1]) + f"$ and ${numbered[-1]}$ are") + (
            " named by a number: neither a block of one kernel row on the first spatial axis nor a sum of them.")
    if fresh:  # every block the pattern names is shown (elided like the window when it is large)
        elided = "" if full else ", elided in the same way,"
        one = len(fresh) == 1
        if sentence:
            lead = ("where " + sentence + "; " + ("the other block" if one else "the other blocks") + elided
                    + (" is" if one else " are"))
        else:
            lead = "where" + elided
        out.append(lead + "\n\\begin{gather*}\n" + ",\\\\\n".join(f"{label} = {text}" for label, text in fresh)
                   + "\n\\end{gather*}")
    elif sentence:
        out[-1] += "\n" + f"where {sentence}."
    if what:
        out.append(what)
    return "\n".join(out)
