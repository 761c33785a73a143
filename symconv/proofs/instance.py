"""Instance proofs: for concrete sizes, four constructions are one matrix.

With symbolic weights of distinct symbols, equality of the integer structures
is equality of the symbolic matrices, so the proof runs at numpy speed.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

import numpy as np
import sympy

from .. import formulas as F
from ..errors import SizeLimitError, SpecTypeError, SymconvError
from ..kernels import check_name, kernel_symbols, object_array
from ..latex.phrases import counted, weights_note
from ..matrices import ConvMatrix, conv_matrix, selection_matrix, transposed_conv_matrix
from ..numeric import conv, conv_transpose
from ..spec import ConvSpec, TransposedConvSpec
from ..structure import CONSTANT, Structure
from ..views import gather_view
from .anchors import DEFAULT_BITS, anchor_step, convention_step
from .assembly import gather_factors, placed_stamps
from .core import Proof, Step, tuple_tex
from .evaluate import NAMED
from .guard import guarded, started

__all__ = ["prove_transpose", "gather_product", "equality_step", "distinct_symbols", "INSTANCE_LIMIT"]

INSTANCE_LIMIT = 50_000_000
"""Largest number of structure terms an instance proof builds (per matrix) by default."""


def gather_product(tspec: TransposedConvSpec, weight: Any, input_shape: Any) -> tuple[ConvMatrix, ConvMatrix, ConvMatrix, ConvMatrix]:
    """The gather view's factors and their product ``C_flip @ Pad @ Z`` (see :func:`symconv.views.gather_view`).

    Parameters
    ----------
    tspec : TransposedConvSpec
        The transposed layer.
    weight : array_like
        Its weight (e.g. :func:`~symconv.kernel_symbols`).
    input_shape : tuple of int
        Its spatial input shape.

    Returns
    -------
    tuple of ConvMatrix
        ``(product, C_flip, Pad, Z)``: the stride-1 convolution with the flipped kernel, the padding (or
        cropping) and the zero insertion, and their product, which equals the layer's T.

    Raises
    ------
    ShapeError
        For a weight or input shape the layer cannot take.

    Examples
    --------
    >>> from symconv import ConvSpec, kernel_symbols, transposed_conv_matrix
    >>> t = ConvSpec(3, stride=2, padding=1).transpose((5,))
    >>> w = kernel_symbols(t)
    >>> product, C_flip, Pad, Z = gather_product(t, w, (3,))
    >>> Z.shape, Pad.shape, C_flip.shape, product == transposed_conv_matrix(t, w, (3,))
    ((5, 3), (7, 5), (5, 7), True)
    """
    return gather_view(tspec, weight, input_shape)


def _place(shape: tuple[int, ...], flat: int, side: str = "output") -> str:
    """Where a flat row or column lies, in words: ``output channel 1 at position 0, 2``."""
    where = [int(v) for v in np.unravel_index(flat, shape)]
    return f"{side} channel {where[0]} at position " + ", ".join(str(v) for v in where[1:])


class _Unbuildable(ValueError):
    """A factor the proof cannot build because a formula that ran is not what the construction needs (words)."""


def equality_step(name: str, reference: ConvMatrix, candidate: Any, lhs: Any, rhs: Any, rule: str, *,
                  witness: bool = False) -> Step:
    """An exact structure-equality step; on failure it names the first differing entry and why.

    ``candidate`` may be a callable that builds the matrix; an error while building it is a failed step.
    With ``witness=True`` a failure at an entry is stated for a reader: the step's two sides become the two
    differing entries (symbolic, in the weight's symbols) and its report says in words where they are.
    """
    if callable(candidate):
        try:
            candidate = candidate()
        except (MemoryError, SizeLimitError):
            raise
        except _Unbuildable as exc:  # a formula that ran is not what the construction needs: said in words
            return Step(lhs, rhs, rule, "exact structure", False, f"the matrix cannot be built: {exc}", name=name)
        except Exception as exc:  # a construction that breaks is a failed step, never an error of the proof
            return Step(lhs, rhs, rule, "exact structure", False,
                        f"the matrix could not be built: {type(exc).__name__}: {exc}", name=name)
    if reference.shape != candidate.shape:
        return Step(lhs, rhs, rule, "exact structure", False,
                    f"shapes differ: the left side is a {reference.shape[0]}x{reference.shape[1]} matrix, the right side a "
                    f"{candidate.shape[0]}x{candidate.shape[1]} one", name=name)
    premise = distinct_symbols(reference, candidate)
    if premise:  # structure equality is entry equality only for one weight of pairwise distinct symbols
        return Step(lhs, rhs, rule, "exact structure", False, premise, name=name)
    if reference.shape[0] * reference.shape[1] == 0:
        return Step(lhs, rhs, rule, "exact structure", False,
                    f"the matrices have shape {reference.shape}: no entries, so nothing was compared", name=name)
    blind = _blind_spot(reference)
    if blind:  # the comparison itself must be able to see a difference
        return Step(lhs, rhs, rule, "exact structure", False, blind, name=name)
    if reference == candidate:
        return Step(lhs, rhs, rule, "exact structure", True,
                    f"{reference.nnz} nonzero entries, {reference.structure.size} terms, identical", name=name)
    where = reference.first_difference(candidate)
    if where is None:
        return Step(lhs, rhs, rule, "exact structure", False,
                    f"the structures differ ({reference.structure.size} and {candidate.structure.size} terms) "
                    "although no single entry was located", name=name)
    r, c = where
    if witness:
        left, _ = _witness_side(reference[r, c], candidate[r, c])
        right, _ = _witness_side(candidate[r, c], reference[r, c])
        return Step(left, right, rule, "exact structure", False,
                    f"the first entry that differs is in row {r}, column {c} ({_place(reference.row_shape, r)}, "
                    f"{_place(reference.col_shape, c, 'input')}); the refuted line of the proof shows the entry "
                    "of T on the left and that of the other side on the right", name=name)
    try:
        why = reference.explain(r, c) if reference.origin else f"entry {where}"
    except (AssertionError, ValueError, SymconvError):  # the explanation assumes the formulas it explains
        why = f"entry {where}"
    return Step(
        lhs, rhs, rule, "exact structure", False,
        f"first differing entry at row {r}, column {c}: {reference[r, c]} versus {candidate[r, c]}\n{why}",
        name=name,
    )


def distinct_symbols(*matrices: ConvMatrix) -> str:
    """Why exact structure equality would not be entry equality for these matrices ('' when it is).

    The premise: every weight's entries are pairwise distinct symbols, the same symbols in every matrix (a
    flipped or channel-swapped weight is a permutation of them).
    """
    flat = [tuple(object_array(M.weight).ravel()) if M.weight is not None else None for M in matrices]
    if any(f is None for f in flat):
        return "a matrix has no symbolic weight, so the structures cannot be compared tap by tap"
    for entries in flat:
        if not all(isinstance(v, sympy.Symbol) for v in entries):
            return "the weight's entries are not all symbols, so equal structures need not mean equal matrices"
        seen: dict = {}
        for v in entries:
            seen[v] = seen.get(v, 0) + 1
        repeated = [str(v) for v, count in seen.items() if count > 1]
        if repeated:
            return (f"the weight's symbols are not pairwise distinct ({', '.join(repeated[:3])} repeated), so equal "
                    "structures need not mean equal matrices, nor unequal structures unequal ones")
    if len({frozenset(f) for f in flat}) != 1:  # a transformed weight (flip, channel swap) permutes the same symbols
        return "the matrices' weights are not the same symbols, so their structures cannot be compared tap by tap"
    return ""


def _blind_spot(reference: ConvMatrix) -> str:
    """Why the matrix comparison could not see a difference ('' when it can).

    The comparison is run on a few terms of ``reference`` (same shape, same weight, so the same code path) against
    copies changed in one term — its tap, its column, its row, its coefficient — each of which it must find unequal, and against
    an unchanged copy, which it must find equal.  A checker that ignored part of the structure would fail here.
    """
    s = reference.structure
    if s.size == 0:
        return ""
    keep = min(int(s.size), 16)
    base = {name: np.array(getattr(s, name)[:keep]) for name in ("rows", "cols", "taps")}
    coefs = np.array(s.coefs[:keep])
    n_taps = int(np.asarray(reference.weight, dtype=object).size) if reference.weight is not None else 1

    def matrix(arrays: dict, coefficients: Any = None) -> ConvMatrix:
        c = coefs if coefficients is None else coefficients
        return ConvMatrix(Structure.build(s.shape, arrays["rows"], arrays["cols"], arrays["taps"], c),
                          reference.weight, reference.row_shape, reference.col_shape)

    sample = matrix(base)
    if not sample == matrix({name: value.copy() for name, value in base.items()}):
        return "the matrix comparison finds a matrix unequal to its copy, so its verdict would mean nothing"
    last = keep - 1
    for what, field, size in (("tap", "taps", n_taps), ("column", "cols", reference.shape[1]),
                              ("row", "rows", reference.shape[0])):
        if size < 2:
            continue
        arrays = {name: value.copy() for name, value in base.items()}
        arrays[field][last] = (int(arrays[field][last]) + 1) % size
        if sample == matrix(arrays):
            return f"the matrix comparison cannot see a changed {what}, so its verdict would mean nothing"
    changed = coefs.copy()  # a term's coefficient doubled (2 w instead of w): a different matrix
    changed[last] = changed[last] * 2 if changed[last] != 0 else 1
    if sample == matrix({name: value.copy() for name, value in base.items()}, changed):
        return "the matrix comparison cannot see a changed coefficient, so its verdict would mean nothing"
    return ""


WITNESS_LIMIT = 200_000
"""Largest number of matrix terms for which a failed anchor is restated on symbolic inputs."""


def symbolic_witness(step: Step, matrix: ConvMatrix, reference: Any, weight: Any, letter: str) -> Step:
    """A failed anchor restated on symbolic inputs: its two sides become the smallest output that differs.

    The randomized identity finds a difference at large random integers; a reader wants the entry itself.
    The input is made of distinct symbols ``letter_{c,i,...}`` and both the matrix and the numeric reference
    are evaluated on it exactly, output by output; of the outputs that differ, the one with the fewest terms
    (the first of those), as the matrix computes it and as the definition does, becomes the step's two sides,
    so the refuted line of the proof shows it.
    A step that holds, or a matrix over :data:`WITNESS_LIMIT` terms, is returned unchanged.

    Parameters
    ----------
    step : Step
        The anchor step (see :func:`~symconv.proofs.anchors.anchor_step`).
    matrix : ConvMatrix
        The matrix the anchor tested.
    reference : callable
        The numeric definition, ``reference(weight, input)``; it must accept arrays of sympy objects.
    weight : array_like
        The symbolic weight of ``matrix``.
    letter : str
        The input symbols' letter (``x`` for the convolution, ``y`` for the transposed convolution).

    Returns
    -------
    Step
        ``step`` with the differing output as its sides, or ``step`` itself.

    Examples
    --------
    >>> from symconv import ConvSpec, kernel_symbols, conv_matrix
    >>> from symconv.numeric import conv
    >>> spec = ConvSpec(3, stride=2, padding=1)
    >>> w = kernel_symbols(spec)
    >>> failed = Step(sympy.Symbol("M"), sympy.Symbol("D"), "M is the convolution shifted", "randomized identity",
    ...               False, "differs", name="M")
    >>> shifted = lambda wv, x: conv(ConvSpec(3, stride=2, padding=((0, 2),)), wv, x)
    >>> witness = symbolic_witness(failed, conv_matrix(spec, w, (5,)), shifted, w, "x")
    >>> witness.lhs, witness.rhs
    (w_0*x_{0,3} + w_1*x_{0,4}, w_0*x_{0,4})
    """
    if step.holds or step.checker != "randomized identity" or matrix.structure.size > WITNESS_LIMIT:
        return step
    cols = matrix.col_shape
    x = np.empty(cols, dtype=object)
    for index in np.ndindex(*cols):
        x[index] = sympy.Symbol(f"{letter}_{{{','.join(str(v) for v in index)}}}")
    try:
        want = np.asarray(reference(weight, x), dtype=object).ravel()
    except Exception:  # a definition that cannot run on symbols keeps the integer report
        return step
    if want.size != matrix.shape[0]:
        return step
    structure, inputs = matrix.structure, x.ravel()
    flat_w = object_array(weight).ravel() if weight is not None else np.zeros(0, dtype=object)
    order = np.argsort(np.asarray(structure.rows), kind="stable")
    rows = np.asarray(structure.rows)[order]
    cols, taps = np.asarray(structure.cols)[order].tolist(), np.asarray(structure.taps)[order].tolist()
    coefs = np.asarray(structure.coefs)[order].tolist()
    bounds = np.searchsorted(rows, np.arange(matrix.shape[0] + 1)).tolist()
    best = None  # the differing output with the fewest terms on its two sides, the first of those
    for r in range(matrix.shape[0]):
        got = sympy.Add(*(coef * (flat_w[tap] if tap != CONSTANT else 1) * inputs[col] for col, tap, coef
                          in zip(cols[bounds[r]:bounds[r + 1]], taps[bounds[r]:bounds[r + 1]],
                                 coefs[bounds[r]:bounds[r + 1]])))
        if got - want[r] != 0:  # sums of products of symbols: sympy's Add cancels equal terms by itself
            size = len(sympy.Add.make_args(got)) + len(sympy.Add.make_args(want[r]))
            if best is None or size < best[0]:
                best = (size, r, got)
    if best is not None and sympy.expand(best[2] - want[best[1]]) == 0:
        return step  # the unexpanded forms differed, the polynomials do not: the integer report stands
    if best is None:
        return step  # no output differs on symbols: the integer report stands
    _, r, got = best
    where = tuple(int(v) for v in np.unravel_index(r, matrix.row_shape))
    counted = re.search(r"\((\d+) of (\d+) outputs differ\)", step.detail)
    share = f"{counted.group(1)} of {counted.group(2)} outputs differ" if counted else "outputs differ"
    position = ", ".join(str(v) for v in where[1:])
    left, n_left = _witness_side(got, want[r])
    right, n_right = _witness_side(want[r], got)
    detail = (f"{share}; the one with the fewest terms, that of channel {where[0]} at position {position}, is the "
              "refuted line of the proof, on symbolic inputs: on the left as the matrix computes it "
              f"({n_left} terms), on the right as the definition does ({n_right} terms)")
    if max(n_left, n_right) > WITNESS_TERMS:
        detail += f"; a side of more than {WITNESS_TERMS} terms shows first the terms the other side lacks"
    return dataclasses.replace(step, lhs=left, rhs=right, detail=detail)


WITNESS_TERMS = 3
"""A side of a symbolic witness longer than this many terms is shown by its first terms and an ellipsis."""


def _witness_side(expr: Any, other: Any) -> tuple[Any, int]:
    """One side of a witness for the page, and its number of terms.

    A long side shows the terms the other side lacks first, then ``+ \\cdots``: the difference is what the
    reader needs to see, and the line must fit the page.
    """
    from ..latex.printing import math_latex

    terms = sympy.Add.make_args(sympy.expand(expr))
    if len(terms) <= WITNESS_TERMS:
        return expr, len(terms)
    theirs = set(sympy.Add.make_args(sympy.expand(other)))
    ordered = [t for t in terms if t not in theirs] + [t for t in terms if t in theirs]
    head = " + ".join(math_latex(t) for t in ordered[:WITNESS_TERMS]).replace("+ -", "- ")
    return sympy.Symbol(head + r" + \cdots"), len(terms)


def _check_size(tspec: TransposedConvSpec, shape: tuple[int, ...], limit: int) -> None:
    conv_terms = np.prod(tspec.output_shape(shape), dtype=float) * np.prod(tspec.kernel_size, dtype=float)
    terms = conv_terms * tspec.out_channels * (tspec.in_channels // tspec.groups)
    if terms > limit:
        raise SizeLimitError(
            f"this instance needs about {int(terms)} structure terms, over max_terms={limit}; "
            "use prove_transpose_general() for the parametric proof that covers every size, or raise max_terms"
        )


def _sizes_text(shape: tuple[int, ...]) -> str:
    """A spatial size for a report in words: ``5`` in 1-D, ``9x8`` in 2-D (typeset as a product of sizes)."""
    return "x".join(str(int(v)) if float(v).is_integer() else str(v) for v in shape)  # a wrong 2.5 stays 2.5


def _axes(values: list) -> Any:
    """One value per axis: the value itself in 1-D, a tuple otherwise."""
    return values[0] if len(values) == 1 else sympy.Tuple(*values)


def _layer_step(spec: ConvSpec, shape: tuple[int, ...], tspec: TransposedConvSpec, t_in: tuple[int, ...]) -> Step:
    """The transposed layer is the transpose of the user's convolution, on the user's sizes."""
    back = tspec.transpose()
    sizes = tspec.output_shape(t_in)
    in_range = all(0 <= a < max(s, d) for a, s, d in zip(tspec.output_padding, tspec.stride, tspec.dilation))
    problems = []
    if back != spec:
        problems.append("the transpose of the transposed layer is not the given convolution")
    if sizes != shape:
        problems.append(f"the transposed layer returns outputs of size {_sizes_text(sizes)}, not the convolution's "
                        f"input size {_sizes_text(shape)}")
    every = " on every axis" if len(shape) > 1 else ""  # one axis: no axes to speak of
    if not in_range:
        problems.append(f"its output padding is not below the larger of stride and dilation{every}")
    detail = "; ".join(problems) or (
        "the transpose of the transposed layer is the given convolution, its output size is the input size "
        f"{_sizes_text(shape)} again, and its output padding is below the larger of stride and dilation{every}")
    named = [NAMED.transposed_output_size(n, k, s, pl, pr, d, a) for n, k, s, (pl, pr), d, a
             in zip(t_in, tspec.kernel_size, tspec.stride, tspec.padding, tspec.dilation, tspec.output_padding)]
    return Step(_axes(named), _axes(list(shape)),
                r"the transposed layer is the transpose of the given convolution: same kernel, stride, padding, "
                r"dilation and groups with the channel counts exchanged, and the output padding "
                r"$a = (n + p_l + p_r - d(k-1) - 1) \bmod s$, with $n$ the convolution's input length, so that the "
                r"transposed layer's output length $n_{T}(n_{\mathrm{in}}, k, s, p_{l}, p_{r}, d, a)$ is $n$ again",
                "arithmetic",
                not problems, detail, name="the layer")


def _flip_problem(tspec: TransposedConvSpec) -> str:
    """Why the running flip is not a reversal of the taps on some axis ('' when it is one)."""
    for k in tspec.kernel_size:
        image = [F.flip_tap(m, k) for m in range(k)]
        if image != list(range(k - 1, -1, -1)):
            bad = next((m for m, v in enumerate(image) if not 0 <= v < k), None)
            if bad is not None:
                return (f"flip(m, k) sends tap m = {bad} of a kernel of size k = {k} to {image[bad]}, outside the "
                        f"taps 0 to {k - 1}, so the flipped kernel has no such tap")
            if sorted(image) != list(range(k)):
                return f"flip(m, k) is not a permutation of the {k} taps of a kernel of size k = {k}"
    return ""


def _gather_text() -> tuple[str, str]:
    """The gather padding on the left and on the right as the functions that run define it (LaTeX math)."""
    from ..latex.printing import math_latex

    k, p_l, p_r, d, a = sympy.symbols("k p_l p_r d a", integer=True)
    try:
        return (math_latex(sympy.sympify(F.gather_padding_left(k, p_l, d))),
                math_latex(sympy.sympify(F.gather_padding_right(k, p_r, d, a))))
    except Exception:  # a formula sympy cannot evaluate on symbols: name it; the Definitions show it as it ran
        return r"L(k, p_{l}, d)", r"R(k, p_{r}, d, a)"


def symbols_text(tspec: TransposedConvSpec, name: str = "w") -> str:
    r"""How the weight's symbols are indexed: the subscripts are the entry's index (LaTeX text).

    With one channel pair the channel indices, both 0, are left out of the subscript.

    >>> symbols_text(TransposedConvSpec(3))
    'The symbol $w_{m}$ is the entry $w[0, 0, m]$ (the channel indices, both $0$, are left out).'
    """
    taps = ",".join(f"m_{{{a + 1}}}" for a in range(len(tspec.kernel_size))) if len(tspec.kernel_size) > 1 else "m"
    tap = taps.replace(",", ", ")
    if tspec.weight_shape[0] * tspec.weight_shape[1] == 1:
        return (rf"The symbol ${name}_{{{taps}}}$ is the entry ${name}[0, 0, {tap}]$ (the channel indices, both $0$, "
                "are left out).")
    return rf"The symbol ${name}_{{o,c_{{l}},{taps}}}$ is the entry ${name}[o, c_{{l}}, {tap}]$."


def _layout_named(note: str) -> str:
    """The weight note with its channel axes named for both layers: T's input channel is M's output channel o."""
    return note.replace("(the input channel, the output channel's position in its group, then the taps)",
                        r"($T$'s input channel, which is $M$'s output channel $o$; the position $c_{l}$ in its "
                        r"group of $T$'s output channel, which is $M$'s input channel; then the taps)")


def _shape_words(shape: tuple[int, ...]) -> str:
    """``of length $5$`` in 1-D, ``of spatial shape $9 \\times 8$`` otherwise (LaTeX text)."""
    if len(shape) == 1:
        return f"of length ${shape[0]}$"
    return "of spatial shape $" + r" \times ".join(str(v) for v in shape) + "$"


def _statement(layer: str, conv_layer: str, t_in: tuple[int, ...], n_t: tuple[int, ...] | str, identity: bool,
               channels: bool, left: str, right: str, phases: int) -> str:
    """The instance theorem: every matrix of its conclusion defined in it, before it is used (LaTeX text).

    ``n_t`` is the convolution's input shape, or the words for it (``of length $n_T$``) when the claim cannot
    name a number that both it and its refutation agree on.
    """
    column = r"that of input $(o, i)$" if channels else "that of input $i$"
    idx = "o, i" if channels else "i"  # a stamp per input position, and per input channel when there are several
    over = "(o, i)" if channels else "i"
    entry = (r"$w[o, c_{l}, m]$ in the row of output channel $\gamma c_i + c_{l}$ at position "
             r"$s i + d m - p_{l}$, for each $c_{l} < c_i$, where $c_i$ and $c_o$ are the input and output channels per group of the "
             r"convolution $M$ (its own $C_{\mathrm{in}}/g$ and $C_{\mathrm{out}}/g$, the transposed layer's "
             r"$C_{\mathrm{out}}/g$ and $C_{\mathrm{in}}/g$) and "
             r"$\gamma = \lfloor o / c_o \rfloor$ is the group of $o$, and"
             if channels
             else r"$w[m]$ in the row of output position $s i + d m - p_{l}$")
    selection = "" if identity else (
        r" Let $S$ be the $0/1$ matrix that keeps the rows of $M$ whose output position is below "
        r"$n_{\mathrm{in}}$" + (" on every axis." if len(t_in) > 1 else "."))
    transpose = r"M^{\top}" if identity else r"(S M)^{\top}"
    return (
        rf"Let $T$ be the matrix of the transposed convolution {layer} on inputs {_shape_words(t_in)}, and $M$ "
        rf"the matrix of the convolution {conv_layer} on inputs "
        rf"{n_t if isinstance(n_t, str) else _shape_words(n_t)}, both with the same weight "
        rf"$w$.{selection} "
        r"Let $Z$ insert $s - 1$ zeros between neighbouring inputs; let $P$ pad the result with "
        rf"$p'_{{l}} = {left}$ zeros on the left and $p'_{{r}} = {right}$ on the right (a negative amount crops); and let "
        r"$C_{\mathrm{flip}}$ be the convolution with stride $1$, dilation $d$ and the flipped kernel "
        r"$\tilde w[m] = w[\operatorname{flip}(m, k)]$"
        + (", its channels exchanged within each group. " if channels else ". ")
        + rf"Let $\operatorname{{stamp}}_{{{idx}}}$ be the matrix that is zero outside one column, {column}, which holds "
        rf"{entry} for every tap $m$ whose position lies in the output; and " + _phases_text(phases, len(t_in))
        + r". Then "
        rf"\[ T = {transpose} = C_{{\mathrm{{flip}}}} P Z = \sum_{{{over}}} \operatorname{{stamp}}_{{{idx}}} = Q \Phi, \]"
        r"and $M x = \operatorname{conv}(x)$ and $T y = \operatorname{conv}^{\top}(y)$ for every input $x$ of the "
        r"convolution and $y$ of the transposed convolution, where $\operatorname{conv}$ and "
        r"$\operatorname{conv}^{\top}$ are the convolution and the transposed convolution of the Conventions.")


def _phases_text(phases: int, axes: int) -> str:
    r"""The polyphase factors of the statement: ``s^N`` phase convolutions interleaved, or one that is only placed.

    >>> _phases_text(1, 1)[:55]
    'let $\\Phi$ be the single phase convolution of the input'
    """
    each = " on each axis" if axes > 1 else ""
    if phases == 1:  # stride 1: one phase, which takes every tap; Q has nothing to interleave
        return (r"let $\Phi$ be the single phase convolution of the input (with stride $1$ its one phase takes every "
                rf"tap), and let $Q$ place it, position $u$ at output $u - p_{{l}}${each}: with one phase, $Q$ has "
                r"nothing to interleave; it crops and fills zeros past the last phase position")
    return (r"let $\Phi$ stack the " + counted(phases, "phase convolution") + r" of the input, phase $t$ "
            r"through the taps $m$ with $d m \equiv t \pmod{s}$" + each + r", and $Q$ interleave them")


def _refuted_statement(tspec: TransposedConvSpec, t_in: tuple[int, ...],
                       conv_shape: tuple[int, ...] | None = None) -> str:
    """The claim the theorem would make, and that it is refuted at its definitions (LaTeX text).

    The claim names only sizes that hold whatever the definitions: the transposed layer's input ``t_in``, and
    the convolution's input ``conv_shape`` when the user gave the convolution (the transposed layer's output
    should be that size again), else ``n_T`` by name, since the size the running ``n_T`` computed is what the
    refutation disputes.
    """
    from ..latex.printing import layer_text as spec_text

    refuted = ""  # the verdict is no part of the claim: it follows the claim, in upright text (_refuted_note)
    n_t: tuple[int, ...] | str = conv_shape if conv_shape is not None else (
        r"of length $n_{T}$, the transposed convolution's output length" if len(t_in) == 1 else
        r"of spatial shape $n_{T}$ on each axis, the transposed convolution's output length")
    try:
        conv_spec = tspec.transpose()
        identity = all(a // s == 0 for a, s in zip(tspec.output_padding, tspec.stride))
        left, right = _gather_text()
        return _statement(_evaluated_layer(spec_text(tspec), tspec, t_in), spec_text(conv_spec), t_in, n_t, identity,
                          tspec.in_channels > 1 or tspec.out_channels > 1, left, right,
                          math.prod(tspec.stride)) + refuted
    except (MemoryError, SizeLimitError):
        raise
    except Exception:  # definitions so wrong that the claim's own sizes cannot be computed
        return (rf"The transposed convolution {spec_text(tspec)} on inputs {_shape_words(t_in)} is a convolution: "
                r"$T = M^{\top} = C_{\mathrm{flip}} P Z$." + refuted)


def _evaluated_layer(layer: str, tspec: TransposedConvSpec, t_in: tuple[int, ...]) -> str:
    r"""The refuted claim's transposed layer: the one the functions evaluated build, not PyTorch's (LaTeX text).

    PyTorch's module is not cited, since with PyTorch's definitions the claim would be true; when the output
    length evaluated differs from PyTorch's :math:`n_T` on the claim's sizes, the claim names it.
    """
    layer = re.sub(r" \(PyTorch's .*\)$", "", layer)
    try:
        ran = tuple(tspec.output_shape(t_in))
        torch = tuple(s * (n - 1) + d * (k - 1) + a - pl - pr + 1 for n, k, s, (pl, pr), d, a in
                      zip(t_in, tspec.kernel_size, tspec.stride, tspec.padding, tspec.dilation, tspec.output_padding))
    except Exception:  # the output length cannot be evaluated: the Definitions say which function ran
        ran, torch = (), ()
    if ran != torch:
        return layer + r", built with the output length $n^{\ast}_{T}$ of the Definitions in place of PyTorch's $n_{T}$,"
    return layer + r", built with the functions evaluated (the Definitions) in place of PyTorch's,"


FAILURE_SHOWN = 8
"""Largest number of rows or columns of T and M^T shown in full beside a refutation at the definitions."""


def _refuted_note(tspec: TransposedConvSpec, t_in: tuple[int, ...], conv_shape: tuple[int, ...] | None,
                  name: str, max_terms: int) -> str:
    r"""Why the claim fails at its definitions, for the page: ``T`` as built against ``M^T`` (LaTeX text).

    ``T`` is built on the sizes that ran and ``M`` on the convolution's own input, ``conv_shape``, or, when the
    transposed layer was given, on PyTorch's ``n_T`` written out here; when their shapes differ, ``T \neq M^{\top}`` is seen at once, and small matrices are
    shown in full.  When a matrix cannot be built the note says only that the definitions ran wrong.
    """
    from ..latex.printing import matrix_latex

    head = r"The functions that ran are not PyTorch's, so the claim fails at its definitions"
    short = head + ", before the proof compares any matrix; the refuted lemmas below say which definition."
    given = conv_shape is not None
    if not given:  # PyTorch's n_T, written out here (not the function that ran): the convolution's input
        conv_shape = tuple(s * (n - 1) + d * (k - 1) + a - pl - pr + 1 for n, k, s, (pl, pr), d, a in
                           zip(t_in, tspec.kernel_size, tspec.stride, tspec.padding, tspec.dilation,
                               tspec.output_padding))
        if min(conv_shape) < 1:
            return short
    try:
        _check_size(tspec, t_in, max_terms)
        w = kernel_symbols(tspec, name)
        T = transposed_conv_matrix(tspec, w, t_in)
        Mt = conv_matrix(tspec.transpose(), w, conv_shape).T
    except (MemoryError, SizeLimitError):
        return short
    except Exception:  # definitions so wrong that a matrix cannot be built: the lemmas say which
        return short
    if T.shape == Mt.shape:
        return short
    (tr, tc), (mr, mc) = T.shape, Mt.shape
    text = (rf"{head}: built with them, $T$ is a ${tr} \times {tc}$ matrix, but $M^{{\top}}$, the transpose of the "
            rf"convolution's matrix on its inputs {_shape_words(conv_shape)}"
            + ("" if given else r" (PyTorch's $n_{T}$)") + rf", is ${mr} \times {mc}$")
    if max(T.shape + Mt.shape) <= FAILURE_SHOWN:
        text += rf":\[ T = {matrix_latex(T)} \neq {matrix_latex(Mt)} = M^{{\top}}. \]"
    else:
        text += r", so $T \neq M^{\top}$."
    return text


@guarded("Transposed convolution is a convolution (instance)")
def prove_transpose(spec: ConvSpec | TransposedConvSpec, input_shape: Any, *, name: str = "w",
                    seed: int = 0, max_terms: int = INSTANCE_LIMIT, anchor_bits: int = DEFAULT_BITS) -> Proof:
    """Prove, for concrete sizes, that the transposed convolution is a convolution.

    For a :class:`ConvSpec` the layer is ``spec.transpose(input_shape)`` acting on
    the convolution's output; for a :class:`TransposedConvSpec`, ``input_shape`` is
    that layer's input.  With symbolic weights, the proof shows that these are one
    matrix: ``(S M)^T``; the transposed convolution built from its own
    definition; the gather view ``C_flip Pad Z``; and the scatter view (the sum
    of stamped kernel copies).

    First, M and T are anchored to their definitions, the numeric reference
    (:mod:`symconv.numeric`), by an exact randomized identity test whose false
    pass has probability at most ``2**-anchor_bits``; the views are then
    compared with T exactly.  A mathematical failure is a result: ``holds`` is
    False and :attr:`Proof.failure` names the step and the first difference.

    Parameters
    ----------
    spec : ConvSpec or TransposedConvSpec
        The layer: a convolution (the proof is about its transpose) or a transposed convolution.
    input_shape : tuple of int
        The spatial input shape of ``spec``.
    name : str
        The kernel symbols' name.
    seed : int
        Seed of the anchors' random inputs.
    max_terms : int
        The largest number of structure terms the proof builds.
    anchor_bits : int
        The anchors' false-pass probability is at most ``2**-anchor_bits``.

    Returns
    -------
    Proof
        Its steps, each with its checker; ``holds``, ``failure``, ``to_latex()``, ``to_document()``.

    Raises
    ------
    SpecTypeError
        When ``spec`` is neither a ConvSpec nor a TransposedConvSpec, or ``name`` is not a string.
    SpecError, ShapeError, SizeLimitError
        For a name that is not a plain identifier, an input shape the layer cannot take, or a layer over the
        size bounds (see :mod:`symconv.proofs`).

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> proof = prove_transpose(ConvSpec(3, stride=2, padding=1), (5,))
    >>> proof.holds
    True
    >>> [step.name for step in proof.steps]
    ['the layer', 'convention', 'M is the convolution', 'T is the transposed convolution', 'sizes', 'transpose', 'gather view', 'scatter view', 'polyphase view']
    """
    check_name(name)
    if isinstance(spec, (ConvSpec, TransposedConvSpec)) and spec.padding_mode != "zeros":
        from .padding_modes import prove_padding_mode  # the fold theorem of symconv.padding_modes

        return prove_padding_mode(spec, input_shape, name=name, seed=seed, max_terms=max_terms, anchor_bits=anchor_bits)
    if isinstance(spec, ConvSpec):
        conv_shape = spec.check_input_shape(input_shape)
        started()
        tspec = spec.transpose(conv_shape)
        t_in = spec.output_shape(conv_shape)
    elif isinstance(spec, TransposedConvSpec):
        tspec, t_in = spec, spec.check_input_shape(input_shape)
        conv_shape = None  # the convolution's input is the transposed layer's output, n_T by the definitions
        started()
    else:
        raise SpecTypeError(f"spec must be a ConvSpec or TransposedConvSpec, got {type(spec).__name__}")
    from ..latex.printing import layer_text as spec_text  # the statement names the layers by their parameters

    title = "Transposed convolution is a convolution (instance)"
    steps: list[Step] = []
    if isinstance(spec, ConvSpec):
        steps.append(_layer_step(spec, conv_shape, tspec, t_in))
    steps.append(convention_step(tspec, t_in))
    if not steps[-1].holds:  # every later step rests on the definitions: a wrong one ends the proof here
        return Proof(title, _refuted_statement(tspec, t_in, conv_shape), tuple(steps),
                     notes=(_refuted_note(tspec, t_in, conv_shape, name, max_terms),),
                     data=dict(tspec=tspec, input_shape=t_in))
    _check_size(tspec, t_in, max_terms)  # sizes from lengths the convention step has just pinned
    w = kernel_symbols(tspec, name)
    try:
        n_t = tspec.output_shape(t_in)
        conv_spec = tspec.transpose()
        M = conv_matrix(conv_spec, w, n_t)
        m_out = conv_spec.output_shape(n_t)
        extra = tuple(a // s for a, s in zip(tspec.output_padding, tspec.stride))
        identity = all(e == 0 for e in extra)
        S = None if identity else selection_matrix(conv_spec.out_channels, m_out, t_in)
        T = transposed_conv_matrix(tspec, w, t_in)
    except (MemoryError, SizeLimitError):
        raise
    except Exception as exc:  # a mistaken formula or builder: the proof fails, it does not raise
        steps.append(Step(sympy.Symbol("M"), sympy.Symbol("T"), "building $M$, $S$ and $T$", "exact structure",
                          False, f"the matrices could not be built: {type(exc).__name__}: {exc}", name="construction"))
        return Proof(title, "The matrices of this layer could not be built.", tuple(steps),
                     data=dict(tspec=tspec, input_shape=t_in))

    rows, cols = T.shape
    T_, M_ = sympy.MatrixSymbol("T", rows, cols), sympy.MatrixSymbol("M", M.shape[0], M.shape[1])
    x_ = sympy.MatrixSymbol("x", M.shape[1], 1)
    conv_f, tconv_f = sympy.Function("conv"), sympy.Function(r"conv^{\top}")
    taps = math.prod(tspec.kernel_size)
    steps += [
        anchor_step("M is the convolution", M, lambda wv, x: conv(conv_spec, wv, x), conv_spec.weight_shape,
                    taps * (conv_spec.in_channels // conv_spec.groups), sympy.MatMul(M_, x_, evaluate=False),
                    conv_f(x_), r"$M x = \operatorname{conv}(x)$ for every input $x$: the matrix $M$, defined entry by entry "
                    r"through the index equation, is that of the convolution of the Conventions, evaluated from the "
                    r"windows of the padded input", seed=seed, bits=anchor_bits),
        anchor_step("T is the transposed convolution", T, lambda wv, yv: conv_transpose(tspec, wv, yv),
                    tspec.weight_shape, taps * (tspec.in_channels // tspec.groups),
                    sympy.MatMul(T_, sympy.MatrixSymbol("y", cols, 1), evaluate=False),
                    tconv_f(sympy.MatrixSymbol("y", cols, 1)),
                    r"$T y = \operatorname{conv}^{\top}(y)$ for every input $y$: the matrix $T$, defined entry by "
                    r"entry through the transposed convolution's own index equation, is that of the transposed "
                    r"convolution of the Conventions, evaluated as kernel copies added at stride $s$, then cropped", seed=seed + 1, bits=anchor_bits),
    ]
    steps[-2] = symbolic_witness(steps[-2], M, lambda wv, x: conv(conv_spec, wv, x), w, "x")
    steps[-1] = symbolic_witness(steps[-1], T, lambda wv, yv: conv_transpose(tspec, wv, yv), w, "y")
    expected = tuple(n + e for n, e in zip(t_in, extra))
    one = len(t_in) == 1  # one axis: no "on every axis", "per axis"
    case = (("the output padding is below the stride, so M has exactly n_in outputs" if one else
             "the output padding is below the stride on every axis, so M has exactly n_in outputs per axis")
            if identity else
            ("the output padding reaches the stride (allowed since the dilation exceeds the stride): "
             if one else "the output padding reaches the stride on some axis (allowed since the dilation exceeds "
             "the stride): ")
            + f"M has {_sizes_text(expected)} outputs, " + ("" if one else "on each axis ")
            + f"n_in plus the quotient of the output padding by the stride, and S keeps the first {_sizes_text(t_in)}")
    named_out = _axes([NAMED.conv_output_size(n, k, s, pl, pr, d) for n, k, s, (pl, pr), d
                       in zip(n_t, conv_spec.kernel_size, conv_spec.stride, conv_spec.padding, conv_spec.dilation)])
    steps.append(Step(named_out, _axes(list(expected)),
                      r"round trip of the output size: the convolution on the transposed output has "
                      r"$n_{\mathrm{in}} + \lfloor a/s \rfloor$ outputs" + ("" if one else " per axis"), "arithmetic",
                      m_out == expected,
                      case if m_out == expected else f"{case}; but it has {_sizes_text(m_out)}", name="sizes"))
    rule = ((r"$T = M^{\top}$: the matrix $T$, built from the transposed convolution's own index equation, equals "
             r"the transpose of the convolution matrix $M$") if identity else
            (r"$T = (S M)^{\top}$: the matrix $T$, built from the transposed convolution's own index equation, "
             r"equals the transpose of the convolution matrix $M$ with its rows selected by $S$"))
    if S is None:
        steps.append(equality_step("transpose", T, lambda: M.T, T_, sympy.Transpose(M_), rule, witness=True))
    else:
        S_ = sympy.MatrixSymbol("S", S.shape[0], S.shape[1])
        steps.append(equality_step("transpose", T, lambda: (S @ M).T, T_,
                                   sympy.Transpose(sympy.MatMul(S_, M_, evaluate=False)), rule, witness=True))
    built: dict = {}

    def gather():  # the factors from their builders; the product computed by the proof
        flip = _flip_problem(tspec)
        if flip:
            raise _Unbuildable(flip)
        built["gather"] = gather_factors(tspec, w, t_in)
        return built["gather"][0]

    view = tspec.as_convolution()
    n_z = tuple(F.zero_inserted_size(n, s) for n, s in zip(t_in, view.zero_insertion))
    n_p = tuple(n + left + right for n, (left, right) in zip(n_z, view.padding))
    size = tspec.in_channels
    C_ = sympy.MatrixSymbol(r"C_{\mathrm{flip}}", rows, view.conv.in_channels * math.prod(n_p))
    P_ = sympy.MatrixSymbol("P", size * math.prod(n_p), size * math.prod(n_z))
    Z_ = sympy.MatrixSymbol("Z", size * math.prod(n_z), cols)
    left, right = _gather_text()
    steps.append(equality_step(
        "gather view", T, gather, T_, sympy.MatMul(C_, P_, Z_, evaluate=False),
        r"$T = C_{\mathrm{flip}} P Z$: $T$ equals the gather view, the product of the zero insertion $Z$ "
        rf"($s - 1$ zeros between inputs), the padding or cropping $P$ by $p'_{{l}} = {left}$ on the left and "
        rf"$p'_{{r}} = {right}$ on the right, and the stride-1 convolution $C_{{\mathrm{{flip}}}}$ with the flipped, "
        r"group-wise channel-swapped kernel, each factor defined on its own"
        + (", axis by axis" if len(t_in) > 1 else "") + r", independently of $M$ and $T$",
        witness=True))
    channels = tspec.in_channels > 1 or tspec.out_channels > 1
    stamp_sum = r"\sum_{(o, i)} \operatorname{stamp}_{o, i}" if channels else r"\sum_{i} \operatorname{stamp}_{i}"
    stamps = sympy.Symbol(stamp_sum)
    steps.append(equality_step(
        "scatter view", T, lambda: placed_stamps(tspec, w, t_in), T_, stamps,
        rf"$T = {stamp_sum}$: $T$ equals the scatter view, the sum of the stamps of the theorem; the stamp of "
        rf"input ${'(o, i)' if channels else 'i'}$ holds the unflipped kernel, dilated by $d$, at offset "
        r"$s i - p_l$" + (" of every output channel of its group" if channels else "")
        + rf", so its product with $y$ places that kernel scaled by ${'y[o, i]' if channels else 'y[i]'}$",
        witness=True))
    from .polyphase import polyphase_step  # the polyphase view: Q Phi, computed from its own factors

    steps.append(polyphase_step(tspec, w, t_in, T))
    statement = _statement(spec_text(tspec), spec_text(conv_spec), t_in, n_t, identity, tspec.in_channels > 1
                           or tspec.out_channels > 1, left, right, math.prod(tspec.stride))
    statement += " " + symbols_text(tspec, name)  # the matrices and the proof write w's entries so: said first
    return Proof(
        title, statement, tuple(steps),
        assumptions=(),
        conclusion=r"$T$ is the matrix of a convolution with the flipped kernel over the zero-inserted, padded input.",
        notes=(_layout_named(weights_note(tuple_tex(tspec.weight_shape), transposed=True)),),
        data=dict(tspec=tspec, input_shape=t_in, conv_spec=conv_spec, weight=w, T=T, M=M, S=S,
                  gather=built.get("gather", (None, None, None, None))[1:], scatter=None,
                  selection_is_identity=identity),
    )
