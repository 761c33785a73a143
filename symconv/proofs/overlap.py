"""Uneven overlap of the stamps: the checkerboard pattern of transposed convolutions.

The number of kernel taps reaching each output position is read off the
structure of T; away from the borders it has a period dividing s, and (where
that interior holds at least s positions) it is uniform exactly when s divides
k and gcd(s, d) = 1 (Odena, Dumoulin, Olah, Distill 2016, with dilation added).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy

from .. import polyphase as _polyphase
from ..errors import SpecTypeError
from ..latex.phrases import counted, range_set_tex
from ..matrices import transposed_conv_matrix
from ..polyphase import phase_tap_counts
from ..spec import TransposedConvSpec
from .anchors import convention_step
from .core import Proof, Step
from .evaluate import sequence
from .guard import guarded, started
from .instance import _shape_words
from .relations import rel as _rel
from .relations import within as _within

__all__ = ["overlap_counts", "prove_overlap", "prove_overlap_general", "interior", "as_in_theorem"]


def _spatial(tspec: TransposedConvSpec) -> TransposedConvSpec:
    return TransposedConvSpec(tspec.kernel_size, stride=tspec.stride, padding=tspec.padding, output_padding=tspec.output_padding,
                              dilation=tspec.dilation)


def overlap_counts(tspec: TransposedConvSpec, input_shape: Any) -> np.ndarray:
    """Number of (input position, tap) pairs reaching each output position.

    Read off the structure of T for one channel pair, as the product over the axes of the row counts of each
    axis's T (T is their Kronecker product); shape ``tspec.output_shape(input_shape)``.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer.
    input_shape : tuple of int
        Its spatial input shape.

    Returns
    -------
    numpy.ndarray
        Integer counts of the layer's output shape (one channel pair).

    Raises
    ------
    ShapeError
        For an input shape the layer cannot take.

    Examples
    --------
    >>> overlap_counts(TransposedConvSpec(3, stride=2), (4,)).tolist()
    [1, 1, 2, 1, 2, 1, 2, 1, 1]
    """
    single = _spatial(tspec)
    shape = single.check_input_shape(input_shape)
    # T of one channel pair is the Kronecker product of the axes' T (its index map s i + d m - p_l acts axis by
    # axis, and a tap is a tuple of taps), so a row's count of terms is the product of the axes' row counts: each
    # axis's T is built from the index map (a few hundred terms) instead of the whole T (n_in k terms per axis,
    # multiplied).  The equality with the whole T's row counts is checked in tests/test_gram_speed.py.
    counts = np.ones((), dtype=np.int64)
    for axis, n in zip(_axes(single), shape):
        counts = np.multiply.outer(counts, _counts(_single_matrix(axis, (n,)), axis.output_shape((n,))))
    return counts


def _axes(tspec: TransposedConvSpec) -> list[TransposedConvSpec]:
    """The one-dimensional layer of each axis alone (kernel size, stride, padding, output padding, dilation)."""
    return [TransposedConvSpec(tspec.kernel_size[ax], stride=tspec.stride[ax], padding=(tspec.padding[ax],),
                               output_padding=tspec.output_padding[ax], dilation=tspec.dilation[ax])
            for ax in range(tspec.ndim)]


def _single_matrix(single: TransposedConvSpec, shape: tuple[int, ...]):
    tap_ids = np.arange(math.prod(single.kernel_size)).reshape(single.weight_shape)
    return transposed_conv_matrix(single, tap_ids, shape)


def _counts(T, out_shape: tuple[int, ...]) -> np.ndarray:
    return np.bincount(T.structure.rows, minlength=T.shape[0]).reshape(out_shape)


def _anchored(layers: list[tuple[TransposedConvSpec, tuple[int, ...]]]) -> tuple[list[np.ndarray], Step]:
    """The overlap counts of each single-channel layer, read off its T, and one step anchoring every such T to the
    numeric definition of the transposed convolution (so the counts are those of the layer as defined)."""
    from ..numeric import conv_transpose
    from .anchors import anchor_step

    counts, details, holds = [], [], True
    for number, (single, shape) in enumerate(layers):
        T = _single_matrix(single, shape)
        counts.append(_counts(T, single.output_shape(shape)))
        step = anchor_step("T is the transposed convolution", T,
                           lambda w, y, single=single: conv_transpose(single, w, y), single.weight_shape,
                           math.prod(single.kernel_size), sympy.Symbol("T"), sympy.Symbol("T"), "", seed=number)
        holds &= step.holds
        # the report is plain words (a LaTeX shape would make it program text to the document, which drops it)
        where = ("the layer" if number == 0 else f"axis {number} alone") + " on inputs " + (
            f"of length {shape[0]}" if len(shape) == 1 else "of spatial shape " + " by ".join(map(str, shape)))
        details.append(f"{where}: {step.detail}" if len(layers) > 1 else step.detail)
    axes = ", ".join(str(nu) for nu in range(1, len(layers)))
    rule = ((r"the matrix $T$ of the single-channel layer and the matrices $T^{(\nu)}$ of each axis $\nu = " + axes
             + r"$ alone, from which the counts are read, apply the transposed convolution $\operatorname{conv}^{\top}$ "
               r"of their layer as the Conventions define it ($T^{(\nu)} y = \operatorname{conv}^{\top}(y)$ alike)"
             if len(layers) > 1 else r"the matrix $T$ from which the counts are read applies the transposed convolution "
                                     r"$\operatorname{conv}^{\top}$ as the Conventions define it")
            + r", for every input $y$ and every kernel")
    T_, y_ = sympy.Symbol("T", commutative=False), sympy.Symbol("y", commutative=False)  # T y, not T = a vector
    return counts, Step(T_ * y_, sympy.Function(r"\operatorname{conv}^{\top}")(y_), rule,
                        "randomized identity", holds, "; ".join(details), name="T is the transposed convolution")


INTERIOR_MEANING = (r"on it every tap $m$ of the phase of $j$ (the taps with $d m \equiv j + p_{l} \pmod{s}$) reads an "
                    r"input $i = (j + p_{l} - d m)/s$ with $0 \le i < n_{\mathrm{in}}$")
"""What the interior's bounds give (the general proof's claim "in the interior a tap of the phase reaches the output
from an input that exists" proves it): the one wording of every overlap and checkerboard document."""


def interior(n_in: int, k: int, s: int, p_l: int, d: int, n_t: int) -> range:
    """Output positions where every tap of the phase reads an input in range: [d(k-1) - p_l, s(n_in-1) - p_l],
    clipped to the outputs (then ``0 <= (j + p_l - d m)/s <= n_in - 1`` for every tap ``m``)."""
    lo, hi = max(d * (k - 1) - p_l, 0), min(s * (n_in - 1) - p_l, n_t - 1)
    return range(lo, hi + 1)


def _closed_form(j: int, n_in: int, k: int, s: int, p_l: int, d: int) -> int:
    """Taps m with (j + p_l - d m) divisible by s and the input index in range, counted directly."""
    return sum(1 for m in range(k) if (j + p_l - d * m) % s == 0 and 0 <= (j + p_l - d * m) // s < n_in)


def _count(axis: int | None) -> type:
    return sequence(f"count{'' if axis is None else axis}",
                    r"\operatorname{count}" + ("" if axis is None else f"_{{{axis}}}"))


def _taps(axis: int | None) -> type:
    return sequence(f"taps{'' if axis is None else axis}",
                    r"\operatorname{taps}" + ("" if axis is None else f"_{{{axis}}}"))


def _ranges(values: list[int]) -> str:
    return ", ".join(str(v) for v in values)


EQUAL_TAPS_REFERENCE = (r"the equal-taps criterion, Theorem~4 of the symconv derivation \emph{A transposed convolution is "
                        r"small convolutions, interleaved} (section ``The checkerboard, explained''), a "
                        r"written proof")
"""Where a reader finds the equal-taps criterion for all sizes (the overlap documents cite it)."""

CITED_CRITERION = "a cited result"
"""How the uniformity step names the criterion's source (``data["cited_step"]``: a document that proves the
criterion replaces it by its theorem's name)."""


@guarded("Overlap of the stamps (checkerboard)")
def prove_overlap(tspec: TransposedConvSpec, input_shape: Any) -> Proof:
    """The overlap pattern of a transposed convolution, checked axis by axis.

    On each axis: the number of taps reaching each output position, read off
    the structure of T, equals a direct count; in the interior it repeats with
    a period dividing s; and (where the interior holds at least s positions) it
    is uniform exactly when s divides k and gcd(s, d) = 1.  The conclusion says
    which: uneven overlap draws a checkerboard, even overlap does not.

    Parameters
    ----------
    tspec : TransposedConvSpec
        The layer (a ConvSpec is refused: pass ``spec.transpose(input_shape)``).
    input_shape : tuple of int
        Its spatial input shape.

    Returns
    -------
    Proof
        With ``data["counts"]``, ``data["uniform"]`` (one verdict per axis, None when the interior is too
        short) and ``data["periods"]``.

    Raises
    ------
    SpecTypeError
        When ``tspec`` is not a TransposedConvSpec (for a ConvSpec pass ``spec.transpose(input_shape)``).
    ShapeError, SizeLimitError
        For an input shape the layer cannot take, or a layer over the size bounds (see :mod:`symconv.proofs`).

    Examples
    --------
    >>> proof = prove_overlap(TransposedConvSpec(3, stride=2), (6,))
    >>> proof.holds, proof.data["uniform"]
    (True, (False,))
    """
    from ..latex.printing import layer_text  # the statement names the layer by its parameters

    if not isinstance(tspec, TransposedConvSpec):
        raise SpecTypeError(f"tspec must be a TransposedConvSpec (the overlap is a property of the transposed layer), "
                            f"got {type(tspec).__name__}; for a ConvSpec pass spec.transpose(input_shape)")
    shape = _spatial(tspec).check_input_shape(input_shape)
    started()
    convention = convention_step(tspec, shape, half="transposed")
    if not convention.holds:  # the counts rest on the definitions: a wrong one ends the proof here
        return Proof("Overlap of the stamps (checkerboard)", "The definitions of this layer are not PyTorch's.",
                     (convention,))
    axes = [TransposedConvSpec(tspec.kernel_size[ax], stride=tspec.stride[ax], padding=(tspec.padding[ax],),
                               output_padding=tspec.output_padding[ax], dilation=tspec.dilation[ax])
            for ax in range(len(shape))]
    # in one dimension the single axis is the layer itself: its T is anchored once
    layers = [(_spatial(tspec), shape)] + ([(a, (n,)) for a, n in zip(axes, shape)] if len(shape) > 1 else [])
    (counts, *axis_counts_all), anchored = _anchored(layers)
    if len(shape) == 1:
        axis_counts_all = [counts]
    # the counts are read off T, anchored to the numeric definition, which is PyTorch's (the convention)
    steps: list[Step] = [convention, anchored]
    uniform: list[bool | None] = []
    periods: list[list[int]] = []
    per_axis = []
    j = sympy.Symbol("j", integer=True)
    several = len(shape) > 1  # then count, taps and I carry their axis nu = 1, 2, ...: one name, one sequence
    verdicts = []
    for ax, n_in in enumerate(shape):
        nu = ax + 1  # the axes are numbered from 1, as the kernel sizes k_1, k_2, ... of the Conventions
        k, s, d, p_l = tspec.kernel_size[ax], tspec.stride[ax], tspec.dilation[ax], tspec.padding_left[ax]
        n_t = counts.shape[ax]
        count, taps = _count(nu if several else None), _taps(nu if several else None)
        axis, sub, on_axis = (rf"on axis $\nu = {nu}$: ", f"_{{{nu}}}", f" on axis {nu}") if several else ("", "", "")
        on_nu = rf"on axis $\nu = {nu}$ " if several else ""
        axis_counts = axis_counts_all[ax]
        per_axis.append(axis_counts)
        direct = np.array([_closed_form(jj, n_in, k, s, p_l, d) for jj in range(n_t)])
        ok = bool(np.array_equal(axis_counts, direct))
        u = _index_tex(p_l, d)
        # the input (u)/s lies in 0..n_in - 1 exactly when 0 <= u <= s (n_in - 1): no fraction, so that the tag fits
        rhs = sympy.Symbol(rf"\#\left\{{0 \le m \le {k - 1} : " + (rf"{s} \mid {u},\ " if s > 1 else "")
                           + rf"0 \le {u} \le {s * (n_in - 1)}\right\}}")
        steps.append(Step(
            count(j), rhs,
            _capital(axis + r"the number of taps reaching output $j$, read off the matrix "
                     + (rf"$T^{{({nu})}}$" if several else "$T$") + rf", equals the number "
                     rf"($\#$) of taps $m$ whose input $i = (j + p_{{l}} - d m)/s$ exists, with $k = {k}$, $s = {s}$, "
                     rf"$d = {d}$, $p_{{l}} = {p_l}$ and $n_{{\mathrm{{in}}}} = {n_in}$, for every $0 \le j < {n_t}$"),
            "enumeration", ok,
            f"counts {_ranges(axis_counts.tolist())}" if ok else
            f"T gives {_ranges(axis_counts.tolist())}, the direct count {_ranges(direct.tolist())}",
            name="counts" + on_axis))
        inner = interior(n_in, k, s, p_l, d, n_t)
        values = axis_counts[inner.start:inner.stop] if len(inner) else np.array([], dtype=int)
        periodic = all(values[t] == values[t + s] for t in range(len(values) - s))
        where = rf"the interior $I{sub} = {range_set_tex(inner.start, inner.stop - 1)}$"
        from ..latex.printing import math_latex

        steps.append(Step(  # the period holds where both positions are interior: its range is said beside it
            count(j + s), count(j),
            _capital(axis + rf"in {where} (the positions $d(k-1) - p_{{l}} \le j \le s(n_{{\mathrm{{in}}}} - 1) - "
                     rf"p_{{l}}$; " + INTERIOR_MEANING + rf"), the count repeats with period $s = {s}$"),
            "enumeration", periodic,
            f"interior counts {_ranges(values.tolist())}" if len(values) else "no interior positions",
            name="period" + on_axis, condition=rf"j, j + {s} \in I{sub}"))
        periods.append(values[:s].tolist())
        per_phase = phase_tap_counts(k, s, d)
        if len(values):  # in the interior, output j sums one term per tap of its phase
            expected = [per_phase[(jj + p_l) % s] for jj in inner]
            steps.append(Step(
                count(j), taps(sympy.Symbol(rf"(j + {p_l}) \bmod {s}" if p_l else rf"j \bmod {s}")),
                _capital(axis + r"in the interior, output $j$ sums one term per tap of its phase "
                         r"$t = (j + p_{l}) \bmod s$, and " + _phases_have(per_phase)
                         + r" (the taps $m$ with $d m \equiv t \pmod{s}$)"),
                "enumeration", values.tolist() == expected,
                f"phase tap counts {_ranges(list(per_phase))}; the interior counts agree at "
                f"{counted(len(values), 'position', words=False)}" if values.tolist() == expected else
                f"interior counts {_ranges(values.tolist())}, the phase tap counts give {_ranges(expected)}",
                name="phase counts" + on_axis, condition=rf"j \in I{sub}"))
        criterion = _polyphase.equal_taps_criterion(k, s, d)  # the equal-taps theorem's one source
        if len(values) >= s:
            is_uniform = bool(len(set(values.tolist())) == 1)
            equal = len(set(per_phase)) == 1
            ok = is_uniform == equal == criterion
            uniform.append(is_uniform)
            phase_list = (", ".join(rf"\operatorname{{taps}}{sub}[{t}]" for t in range(s)) if s <= 4 else
                          rf"\operatorname{{taps}}{sub}[0], \dots, \operatorname{{taps}}{sub}[{s - 1}]")
            shown_values = ", ".join(str(v) for v in sorted(set(per_phase), reverse=True))
            steps.append(Step(
                sympy.Symbol(rf"\left\{{{math_latex(count(j))} : j \in I{sub}\right\}}"),
                sympy.Symbol(rf"\left\{{{phase_list}\right\}} = \left\{{{shown_values}\right\}}"),
                _capital(axis + rf"the interior $I{sub}$ holds at least $s = {s}$ {_positions(s)}, so every phase occurs in it, and the "
                         rf"values of the count on $I{sub}$ are the phase tap counts: the count is "
                         + ("constant there, the overlap uniform" if is_uniform else
                            "not constant there, the overlap uneven")
                         + r"; as the criterion ($s \mid k$ and $\gcd(s, d) = 1$, " + CITED_CRITERION + ") predicts: at "
                         + rf"$k = {k}$, $s = {s}$, $d = {d}$, "
                         + _criterion_tex(k, s, d)),
                "enumeration", ok,
                ("uniform" if is_uniform else "uneven") + ", as the criterion says" if ok else
                "the interior counts, the phase tap counts and the criterion disagree",
                name="uniformity" + on_axis))
            verdicts.append(on_nu + "the count is "
                            + ("constant on " if is_uniform else "not constant on ") + rf"$I{sub}$ (it takes the "
                            + ("value " if is_uniform else "values ") + _and(sorted(set(per_phase), reverse=True))
                            + "), the overlap " + ("uniform" if is_uniform else "uneven"))
        else:
            uniform.append(None)
            verdicts.append(on_nu + rf"$I{sub}$ holds fewer than "
                            rf"$s = {s}$ {_positions(s)}, so not every phase occurs in it and uniformity is not decided")
    if len(shape) > 1:
        outer = per_axis[0]
        for arr in per_axis[1:]:
            outer = np.multiply.outer(outer, arr)
        ok = bool(np.array_equal(outer, counts))
        js = sympy.symbols(f"j_1:{len(shape) + 1}", integer=True)
        steps.append(Step(_count(None)(*js), sympy.Mul(*(_count(ax + 1)(js[ax]) for ax in range(len(shape)))),
                          "the count in several dimensions is the product of the counts on each axis (a tap is a "
                          "tuple of taps, one per axis)", "enumeration", ok,
                          "all positions agree" if ok else "the product differs", name="product"))
    uneven = [ax + 1 for ax, u in enumerate(uniform) if u is False]
    unknown = [ax + 1 for ax, u in enumerate(uniform) if u is None]

    def on(axes: list[int]) -> str:  # "on the axes nu = 1, 2" in several dimensions; nothing in one
        if not several:
            return ""
        return (r" on axis $\nu = " if len(axes) == 1 else r" on the axes $\nu = ") + ", ".join(map(str, axes)) + "$"

    if uneven:
        conclusion = ("the stamps overlap unevenly in the interior" + on(uneven)
                      + ": the periodic count of taps is what draws the checkerboard pattern.")
    elif unknown:
        conclusion = ("the interior is shorter than one period" + on(unknown)
                      + (", so uniformity is not decided there; elsewhere the stamps overlap evenly." if several else
                         ", so uniformity is not decided."))
    else:
        conclusion = ("the stamps overlap evenly in the interior" + (" on every axis" if several else "")
                      + ": this layer draws no checkerboard from overlap (only the borders receive fewer taps).")
    size = r" \times ".join(str(n) for n in counts.shape)
    conclusion += (rf" With unit weights, these ${size}$ counts are the diagonal of $M^{{\top}} M$, for $M$ the "
                   "convolution that $T$ transposes (the round trip's Gram matrix for all sizes, Theorem~3 of the symconv "
                   r"derivation \emph{From detecting to producing: the round trip}).")
    layer = (rf"Let $T$ be the matrix of the transposed convolution {layer_text(tspec)} on inputs "
             rf"{_shape_words(shape)}. Each input position $i$ stamps a copy of the kernel, scaled by its input, onto "
             r"the output: tap $m$ of the stamp lands at $s i + d m - p_{l}$"
             + (" on every axis" if len(shape) > 1 else "") + r"; where stamps overlap, several taps reach one "
             r"output")
    phase = (r"the number of taps $0 \le m < k$ of phase $t$, that is with $d m \equiv t \pmod{s}$, for "
             r"$0 \le t < s$")
    interior_words = (r"the positions $d(k-1) - p_{l} \le j \le s(n_{\mathrm{in}} - 1) - p_{l}$ "
                      r"(within $0 \le j < n_{T}$; " + INTERIOR_MEANING + ")")
    if several:
        nus = ", ".join(str(ax + 1) for ax in range(len(shape)))
        js = ", ".join(f"j_{{{ax + 1}}}" for ax in range(len(shape)))
        product = r" ".join(rf"\operatorname{{count}}_{{{ax + 1}}}[j_{{{ax + 1}}}]" for ax in range(len(shape)))
        statement = (
            layer + rf". Let $\operatorname{{count}}[{js}]$ be the number of taps reaching output position "
            rf"$({js})$. On each axis $\nu = {nus}$, let $k^{{(\nu)}}$, $s^{{(\nu)}}$, $d^{{(\nu)}}$, "
            r"$p_{l}^{(\nu)}$, $n_{\mathrm{in}}^{(\nu)}$ and $n_{T}^{(\nu)}$ be the layer's values on that axis "
            r"(the entries of $k$, $s$, \dots); let $\operatorname{count}_{\nu}[j]$ be the number of taps "
            r"reaching position $j$ on axis $\nu$ alone, the pairs of an input position "
            r"$0 \le i < n_{\mathrm{in}}^{(\nu)}$ and a tap $0 \le m < k^{(\nu)}$ with "
            r"$j = s^{(\nu)} i + d^{(\nu)} m - p_{l}^{(\nu)}$; let $\operatorname{taps}_{\nu}[t]$ be the number of "
            r"taps $0 \le m < k^{(\nu)}$ of phase $t$, that is with $d^{(\nu)} m \equiv t \pmod{s^{(\nu)}}$, for "
            r"$0 \le t < s^{(\nu)}$; and let the interior $I_{\nu}$ be the positions "
            r"$d^{(\nu)}(k^{(\nu)}-1) - p_{l}^{(\nu)} \le j \le s^{(\nu)}(n_{\mathrm{in}}^{(\nu)} - 1) - p_{l}^{(\nu)}$ "
            r"(within $0 \le j < n_{T}^{(\nu)}$; on it every tap $m$ of the phase of $j$ reads an input "
            r"$i = (j + p_{l}^{(\nu)} - d^{(\nu)} m)/s^{(\nu)}$ with $0 \le i < n_{\mathrm{in}}^{(\nu)}$). Then "
            rf"$\operatorname{{count}}[{js}] = {product}$, and on each axis $\nu$, $\operatorname{{count}}_{{\nu}}[j] = "
            r"\operatorname{taps}_{\nu}[(j + p_{l}^{(\nu)}) \bmod s^{(\nu)}]$ for $j \in I_{\nu}$, so the count "
            r"repeats on $I_{\nu}$ with period $s^{(\nu)}$. "
            r"For this layer, " + "; ".join(verdicts) + ". ")
    else:
        statement = (
            layer + r". Let $\operatorname{count}[j]$ be the number of taps reaching output position $j$: the "
            r"pairs of an input position $i$ and a tap $m$ with $j = s i + d m - p_{l}$, $0 \le i < n_{\mathrm{in}}$ "
            r"and $0 \le m < k$; let $\operatorname{taps}[t]$ be " + phase + r"; and let the interior $I$ be "
            + interior_words + r". Then $\operatorname{count}[j] = \operatorname{taps}[(j + p_{l}) \bmod s]$ for "
            r"$j \in I$, so the count repeats on $I$ with period $s$; for this layer "
            + verdicts[0] + ". ")
    note = (r"The criterion for all sizes is cited, not checked here: for all integers $k, s, d \ge 1$, where the "
            r"interior holds at least $s$ positions, the count is constant on it if and only if $s$ divides $k$ and "
            r"$\gcd(s, d) = 1$ (Odena, Dumoulin and Olah, \emph{Deconvolution and checkerboard artifacts}, Distill "
            r"2016, doi:10.23915/distill.00003, for $d = 1$; with dilation, it is " + EQUAL_TAPS_REFERENCE
            + r"). This proof checks it at this layer "
            r"only"
            + (", on each axis." if several else "."))
    # the cited criterion closes the proof (data["cited"]: a document holding several overlap proofs says it once)
    title = "Overlap of the stamps (checkerboard" + (f", {len(shape)}-D)" if len(shape) > 1 else ")")
    return Proof(title, statement.rstrip(), tuple(steps),
                 conclusion=conclusion + " " + note,
                 data=dict(counts=counts, uniform=tuple(uniform), periods=tuple(periods), cited=note,
                           cited_step=CITED_CRITERION))


def as_in_theorem(proof: Proof, label: str) -> Proof:
    """An instance overlap proof (one axis) with its statement shortened to the layer and its verdict, the
    definitions of count, taps and the interior referred to ``label`` (an earlier theorem of the same document
    that states them), and without the note citing the criterion (said once in such a document)."""
    import dataclasses

    text = proof.statement
    cut, verdict = text.index(". Each input position"), text.index("for this layer")
    return dataclasses.replace(proof, conclusion=proof.conclusion.replace(" " + proof.data["cited"], ""), statement=(
        text[:cut] + rf", with the stamps, $\operatorname{{count}}$, $\operatorname{{taps}}$ and the interior $I$ as in "
        rf"{label}. "
        r"Then, as there, $\operatorname{count}[j] = \operatorname{taps}[(j + p_{l}) \bmod s]$ for $j \in I$; "
        + text[verdict:]))


def _capital(text: str) -> str:
    """The sentence with its first letter capitalised (a lemma opens with it)."""
    return text[:1].upper() + text[1:]


def _index_tex(p_l: int, d: int) -> str:
    """The input offset ``j + p_l - d m`` at given ``p_l`` and ``d``, in the prose's order (LaTeX).

    >>> _index_tex(0, 1), _index_tex(1, 2)
    ('j - m', 'j + 1 - 2 m')
    """
    return "j" + (f" + {p_l}" if p_l else "") + (" - m" if d == 1 else f" - {d} m")


def _positions(n: int) -> str:
    """The noun after a number shown as mathematics ("$s = 1$ position", "$s = 2$ positions")."""
    return "position" if n == 1 else "positions"


def _and(values: list[int]) -> str:
    """Integers as prose, "$2$ and $1$" (LaTeX text)."""
    items = [f"${v}$" for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _phases_have(per_phase: tuple[int, ...]) -> str:
    """The phase tap counts as a sentence's end (LaTeX text).

    >>> _phases_have((2, 1)), _phases_have((1,))
    ('the phases $t = 0, 1$ have $2$ and $1$ taps', 'the one phase $t = 0$ has $1$ tap')
    """
    s = len(per_phase)
    if s == 1:
        return f"the one phase $t = 0$ has ${per_phase[0]}$ " + ("tap" if per_phase[0] == 1 else "taps")
    listed = ", ".join(str(t) for t in range(s)) if s <= 4 else rf"0, 1, \dots, {s - 1}"
    return rf"the phases $t = {listed}$ have " + _and(list(per_phase)) + " taps"


def _criterion_tex(k: int, s: int, d: int) -> str:
    r"""The criterion ``s | k and gcd(s, d) = 1`` at one layer, as a sentence's end (LaTeX text): which part fails.

    >>> _criterion_tex(3, 2, 1)
    '$2 \\nmid 3$, so it fails'
    >>> _criterion_tex(4, 2, 1), _criterion_tex(4, 2, 2)
    ('$2 \\mid 4$ and $\\gcd(2, 1) = 1$, so it holds', '$\\gcd(2, 2) = 2 \\ne 1$, so it fails')
    """
    fails = ([rf"${s} \nmid {k}$"] if k % s else []) + (
        [rf"$\gcd({s}, {d}) = {math.gcd(s, d)} \ne 1$"] if math.gcd(s, d) != 1 else [])
    if fails:
        return " and ".join(fails) + ", so it fails"
    return rf"${s} \mid {k}$ and $\gcd({s}, {d}) = 1$, so it holds"


def _tuple_tex(letter: str, ndim: int) -> str:
    r"""``i_{1}, i_{2}`` for two axes, ``i_{1}, \dots, i_{4}`` for more than three (LaTeX).

    >>> _tuple_tex("i", 2), _tuple_tex("m", 4)
    ('i_{1}, i_{2}', 'm_{1}, \\dots, m_{4}')
    """
    if ndim <= 3:
        return ", ".join(f"{letter}_{{{nu}}}" for nu in range(1, ndim + 1))
    return rf"{letter}_{{1}}, \dots, {letter}_{{{ndim}}}"


def _interior_bounds(j: Any, n: Any, k: Any, s: Any, d: Any, pl: Any) -> tuple:
    """The interior's bounds ``d(k - 1) - p_l <= j <= s(n - 1) - p_l``: every tap's input exists (as relations)."""
    return _rel(sympy.Le, d * (k - 1) - pl, j), _rel(sympy.Le, j, s * (n - 1) - pl)


def _split_sum(expr: Any) -> Any:
    """A sum over several variables split into a product of sums: the summand's factors grouped by the variables
    they depend on (a group's bounds may use only its own variables); a factor free of them stays outside."""
    if not isinstance(expr, sympy.Sum):
        return expr
    limits = list(expr.limits)
    names = [lim[0] for lim in limits]
    factors = sympy.Mul.make_args(expr.function)
    group = {v: v for v in names}

    def root(v):
        while group[v] != v:
            v = group[v]
        return v

    def join(used):
        used = [root(v) for v in used]
        for v in used[1:]:
            group[v] = used[0]

    for factor in factors:
        join([v for v in names if factor.has(v)])
    for lim in limits:  # a variable and the variables of its bounds sum together
        join([lim[0]] + [v for v in names if sympy.Tuple(*lim[1:]).has(v)])
    outside = [f for f in factors if not any(f.has(v) for v in names)]
    parts = []
    for r in dict.fromkeys(root(v) for v in names):
        members = [lim for lim in limits if root(lim[0]) == r]
        body = sympy.Mul(*(f for f in factors if any(f.has(lim[0]) for lim in members)))
        parts.append(sympy.Sum(body, *members))
    return sympy.Mul(*outside, *parts)


def _layer_summand(js: tuple, f: list, sizes: tuple, flat: Any) -> Any:
    """What the layer adds at the flat output position of ``js`` for one tuple of inputs and taps: 1 when the taps'
    position ``f`` lands in the output (``0 <= f_nu < N_nu`` on every axis) and has the flat position of ``js``."""
    from .evaluate import Indicator, InRange

    return sympy.Mul(*(InRange(0, fa, n_) for fa, n_ in zip(f, sizes)), Indicator(flat(js), flat(f)))


def _separate(summand: Any, lemma: tuple, f: list, sizes: tuple) -> Any:
    """The separability lemma ``[flat(j) = flat(f)] = prod [j_nu = f_nu]`` applied to a summand, where it holds:
    only beside the brackets ``[0 <= f_nu < N_nu]`` of every axis (the positions ``j`` are in range by the
    statement); elsewhere the summand is returned unchanged."""
    from .evaluate import InRange

    factors = sympy.Mul.make_args(summand)
    if lemma[0] not in factors or not all(InRange(0, fa, n_) in factors for fa, n_ in zip(f, sizes)):
        return summand
    return sympy.Mul(*(lemma[1] if factor == lemma[0] else factor for factor in factors))


def _product_step(ndim: int, separability: Step) -> Step:
    """The N-D count is the product of the axes' counts.

    The layer adds a tap only where its position lands in the output, at the flat position of that position: the
    N-D count is the sum, over the tuples, of ``[0 <= f_nu < N_nu on every axis] [flat(j) = flat(f)]``.  With
    both positions in range the separability lemma splits the flat bracket into the axes' brackets; a bracket
    ``[j_nu = f_nu]`` with ``j_nu`` in range already forces ``f_nu`` into range (a z3 claim), so the range brackets
    drop, and a sum over the tuples of a product whose factors each depend on one axis is the product of the sums.
    The lemma is substituted only where the range brackets stand beside it: remove them and the step fails.
    """
    from .evaluate import Indicator, InRange
    from .smt import prove

    integer = dict(integer=True)
    per = [{name: sympy.Symbol(f"{name}_{nu}", **integer) for name in ("n", "k", "s", "d", "p", "i", "m", "j")}
           for nu in range(1, ndim + 1)]
    f = [a["s"] * a["i"] + a["d"] * a["m"] - a["p"] for a in per]
    js = tuple(a["j"] for a in per)
    limits = [lim for a in per for lim in ((a["i"], 0, a["n"] - 1), (a["m"], 0, a["k"] - 1))]
    # the lemma's two sides at these positions: f_nu is the index map of axis nu
    fs = sympy.symbols(f"f_1:{ndim + 1}", integer=True)
    lemma_j = sympy.symbols(f"j_1:{ndim + 1}", integer=True)
    # the lemma flattens row-major over the axes' sizes n_T^(1), ...: here the output lengths N_nu of the axes
    lemma_n = tuple(sympy.Symbol(f"n_T^{{({nu})}}", integer=True) for nu in range(1, ndim + 1))
    sizes = sympy.symbols(f"N_1:{ndim + 1}", integer=True)
    at = dict(zip(fs, f)) | dict(zip(lemma_j, js)) | dict(zip(lemma_n, sizes))
    flat = lambda pos: sum((pos[a] * sympy.Mul(*sizes[a + 1:]) for a in range(ndim)), sympy.Integer(0))  # noqa: E731
    layer = sympy.Sum(_layer_summand(js, f, sizes, flat), *limits)  # what the layer adds at the flat position
    lemma = (separability.lhs.xreplace(at), separability.rhs.xreplace(at))
    separated = layer.xreplace({layer.function: _separate(layer.function, lemma, f, sizes)})
    # [j = f] for an output position j forces f into the output, so [0 <= f < N] [j = f] = [j = f]
    j_, f_, size = sympy.symbols(r"j_\nu f_\nu n_T^{(\nu)}", integer=True)
    forced = prove("an index map reaching an output position lands in the output", (j_, f_, size),
                   (_rel(sympy.Ge, size, 1), _within(0, j_, size), _rel(sympy.Eq, f_, j_)), _within(0, f_, size))
    factors = list(sympy.Mul.make_args(separated.function))
    for a, fa, n_ in zip(per, f, sizes):
        if forced.holds and InRange(0, fa, n_) in factors and Indicator(a["j"], fa) in factors:
            factors.remove(InRange(0, fa, n_))  # [0 <= f < N] [j = f] = [j = f] for an output position j
    dropped = sympy.Sum(sympy.Mul(*factors), *separated.limits)
    axes = sympy.Mul(*(sympy.Sum(Indicator(a["j"], fa), (a["i"], 0, a["n"] - 1), (a["m"], 0, a["k"] - 1))
                       for a, fa in zip(per, f)))
    ok = separability.holds and forced.holds and sympy.expand(_split_sum(dropped) - axes) == 0
    nus = ", ".join(str(nu) for nu in range(1, ndim + 1))
    shown_js = sympy.symbols(f"j_1:{ndim + 1}", integer=True)
    return Step(
        _count(None)(*shown_js), sympy.Mul(*(_count(nu)(shown_js[nu - 1]) for nu in range(1, ndim + 1))),
        r"the count of a tuple of positions is the product of the counts of the axes. The layer adds a tap "
        r"at the flat position of $(" + _tuple_tex("f", ndim) + r")$ when $0 \le f_{\nu} < n_{T}^{(\nu)}$ on every "
        r"axis, so "
        r"$\operatorname{count}[" + ", ".join(f"j_{{{nu}}}" for nu in range(1, ndim + 1)) + r"]$ is the sum over the "
        rf"tuples $(i_{{\nu}}, m_{{\nu}})$, $\nu = {nus}$, of these range brackets times the bracket of the flat "
        r"positions. For positions in range the separability lemma splits that bracket into the product of the "
        r"brackets $[j_{\nu} = f_{\nu}]$ of the axes; with $j_{\nu}$ in range, $j_{\nu} = f_{\nu}$ puts "
        r"$f_{\nu}$ in range, so the range brackets drop; and a sum of a product whose factors each depend on one "
        r"axis is the product of the sums",
        "sympy", ok,
        "the separability lemma's identity substituted where both positions are in range, the range brackets "
        "dropped by the claim in the table, the sum split into the axes' sums, and its difference with the product "
        "of the axes' counts expanded: 0" if ok else
        ("the separability lemma does not hold" if not separability.holds else
         "an index map reaching an output position need not land in the output" if not forced.holds else
         "the sum over the tuples, split by the axes, is not the product of the axes' counts"),
        claims=(forced,), name="product")


@guarded("Overlap of the stamps (checkerboard, all sizes)")
def prove_overlap_general(ndim: int = 1, *, formulas: Any = None) -> Proof:
    r"""The overlap of the stamps for all sizes: in the interior the count of taps is the tap count of the phase.

    For all integers in the ranges of the statement and every interior output ``j`` (where every tap of the phase
    reads an input in range), the number of (input, tap) pairs reaching ``j`` is the number of taps of the phase
    ``t = (j + p_l) mod s``; so the count repeats with period ``s`` there.  For ``ndim > 1`` the count is the
    product of the counts of the axes (separability, as in :func:`~symconv.prove_transpose_general`).  The
    criterion for a uniform overlap (``s | k`` and ``gcd(s, d) = 1``) is cited, not proved here.

    Parameters
    ----------
    ndim : int
        The number of spatial axes.
    formulas : module, optional
        Replaces :mod:`symconv.formulas` (to watch a corrupted formula fail a step).

    Returns
    -------
    Proof
        Its steps, each a set of integer claims checked by z3.

    Raises
    ------
    SpecError
        When ``ndim`` is not a positive integer (before the proof starts; see :mod:`symconv.proofs`).

    Examples
    --------
    >>> proof = prove_overlap_general()
    >>> proof.holds, [step.name for step in proof.steps]
    (True, ['definition', 'sift into the phase', 'period'])
    """
    from ..errors import SpecError
    from ..latex.printing import math_latex
    from .evaluate import NAMED
    from .ranges import Hypothesis, Ranges
    from .smt import prove

    if isinstance(ndim, bool) or not isinstance(ndim, int) or ndim < 1:
        raise SpecError(f"ndim must be a positive integer, got {ndim!r}")
    started()
    from .. import formulas as default_formulas

    F = default_formulas if formulas is None else formulas
    integer = dict(integer=True)
    n, k, s, d, pl, pr, a = (sympy.Symbol(name, **integer) for name in ("n_in", "k", "s", "d", "p_l", "p_r", "a"))
    i, i2, j, m, t, u, q = (sympy.Symbol(name, **integer) for name in ("i", "i'", "j", "m", "t", "u", "q"))
    variables = (n, k, s, d, pl, pr, a, i, i2, j, m, t, u, q)
    n_t = F.transposed_output_size(n, k, s, pl, pr, d, a)
    n_T = sympy.Symbol("n_T", integer=True)
    ranges = (_rel(sympy.Ge, n, 1), _rel(sympy.Ge, k, 1), _rel(sympy.Ge, s, 1), _rel(sympy.Ge, d, 1),
              _rel(sympy.Ge, pl, 0), _rel(sympy.Ge, pr, 0), _rel(sympy.Le, 0, a), _rel(sympy.Lt, a, sympy.Max(s, d)),
              _rel(sympy.Ge, n_t, 1))
    range_object = Ranges(tuple(Hypothesis(r) for r in ranges[:-1]) + (Hypothesis(ranges[-1], names=((n_T, n_t),)),))
    tap = F.tap_position(i, m, s, pl, d)  # the index map every builder executes: s i + d m - p_l
    inside = (_within(0, j, n_t),) + _interior_bounds(j, n, k, s, d, pl)
    phase = (_within(0, t, s), _rel(sympy.Eq, j + pl, s * u + t))  # t, u: the phase of j and its position
    several = ndim > 1  # then the per-axis count, taps and interior carry the axis nu: count is the N-D count only
    count = sequence("count_nu", r"\operatorname{count}_{\nu}") if several else _count(None)
    taps = sequence("taps_nu", r"\operatorname{taps}_{\nu}") if several else _taps(None)
    nu_, I_ = (r"_{\nu}", r"I_{\nu}") if several else ("", "I")
    on_axis = (r"on axis $\nu$, with its integers: " if several else "")

    def claim(name: str, hypotheses: tuple, conclusion: Any, shown: Any = None) -> Any:
        return prove(name, variables, ranges + hypotheses, conclusion, shown=shown)

    from .evaluate import Indicator

    convention_nt = (n - 1) * s - pl - pr + d * (k - 1) + a + 1
    definition = Step.from_claims(
        count(j), sympy.Sum(Indicator(j, s * i + d * m - pl), (i, 0, n - 1), (m, 0, k - 1)),
        on_axis + r"the pairs of an input $i$ and a tap $m$ that the transposed convolution adds at output $j$, "
        r"for $0 \le j < n_{T}$; the index map and the output length used are PyTorch's",
        [claim("the index map used is PyTorch's", (_within(0, i, n), _within(0, m, k)),
               _rel(sympy.Eq, tap, s * i + d * m - pl),
               shown=_rel(sympy.Eq, NAMED.tap_position(i, m, s, pl, d), s * i + d * m - pl)),
         claim("the output length used is PyTorch's", (), _rel(sympy.Eq, n_t, convention_nt),
               shown=_rel(sympy.Eq, NAMED.transposed_output_size(n, k, s, pl, pr, d, a), convention_nt))],
        name="definition")
    sift = Step.from_claims(
        sympy.Symbol(rf"j \in {I_}:\ " + math_latex(count(j))), taps(sympy.Symbol(r"(j + p_{l}) \bmod s")),
        on_axis + r"write $j + p_{l} = s u + t$ with $0 \le t < s$. A tap reaches $j$ from at most one "
        r"input; a tap $m$ reaching $j$ has $d m \equiv t \pmod{s}$; and in the interior every tap with "
        r"$d m \equiv t \pmod{s}$, say $d m - t = s q$, reaches $j$, from the input $i = u - q$, which exists. So the "
        r"pairs "
        r"$(i, m)$ reaching $j$ are the taps of phase $t$, one input each",
        [claim("a tap reaches an output from at most one input", (_within(0, m, k), _within(0, i, n), _within(0, i2, n),
                                                                 _rel(sympy.Eq, tap, j),
                                                                 _rel(sympy.Eq, F.tap_position(i2, m, s, pl, d), j)),
               _rel(sympy.Eq, i, i2)),
         claim("a tap reaching the output is of its phase", phase + (_within(0, m, k), _within(0, i, n),
                                                                    _rel(sympy.Eq, tap, j)),
               _rel(sympy.Eq, d * m - t, s * (u - i))),
         claim("in the interior a tap of the phase reaches the output from an input that exists",
               inside + phase + (_within(0, m, k), _rel(sympy.Eq, d * m - t, s * q)),
               sympy.And(_rel(sympy.Eq, F.tap_position(u - q, m, s, pl, d), j), _within(0, u - q, n),
                         evaluate=False))],
        name="sift into the phase")
    period = Step.from_claims(
        sympy.Symbol(rf"j, j + s \in {I_}:\ " + math_latex(count(j + s))), count(j),
        on_axis + r"for $j$ and $j + s$ in the interior, both have the phase $(j + p_{l}) \bmod s$, so both counts "
        r"are its tap count",
        [claim("an output and the output s further have the same phase", (_within(0, j, n_t),),
               _rel(sympy.Eq, F.phase_of(j + s, s, pl), F.phase_of(j, s, pl)),
               shown=_rel(sympy.Eq, NAMED.phase_of(j + s, s, pl), NAMED.phase_of(j, s, pl)))],
        name="period")
    steps = [definition, sift, period]
    definitions = (rf"let $\operatorname{{count}}{nu_}[j]$ be the number of pairs of an input position "
                   r"$0 \le i < n_{\mathrm{in}}$ and a tap $0 \le m < k$ with $j = s i + d m - p_{l}$; let "
                   rf"$\operatorname{{taps}}{nu_}[t]$ be the number of taps $0 \le m < k$ with $d m \equiv t \pmod{{s}}$, "
                   rf"for $0 \le t < s$; and let the interior ${I_}$ be the positions $0 \le j < n_{{T}}$ with "
                   r"$d(k-1) - p_{l} \le j \le s(n_{\mathrm{in}} - 1) - p_{l}$ (" + INTERIOR_MEANING
                   + rf"). Then $\operatorname{{count}}{nu_}[j] = \operatorname{{taps}}{nu_}[(j + p_{{l}}) \bmod s]$ "
                   rf"for every $j \in {I_}$, and so $\operatorname{{count}}{nu_}[j + s] = \operatorname{{count}}{nu_}[j]$ "
                   rf"whenever $j$ and $j + s$ lie in ${I_}$.")
    if ndim == 1:
        statement = (r"Let $n_{\mathrm{in}}, k, s, d, p_{l}, p_{r}, a$ be integers satisfying the hypotheses" "\n"
                     + range_object.itemized() + "\n" + definitions)
    else:
        from .general import _separability_step  # one lemma, shared with the gather chain
        from .polyphase import output_sizes

        separability = output_sizes(_separability_step(ndim, F), ndim)  # the axes' sizes are output lengths
        steps += [separability, _product_step(ndim, separability)]
        nus = ", ".join(str(nu) for nu in range(1, ndim + 1))
        js = ", ".join(f"j_{{{nu}}}" for nu in range(1, ndim + 1))
        product = " ".join(rf"\operatorname{{count}}_{{{nu}}}[j_{{{nu}}}]" for nu in range(1, ndim + 1))
        items = ("\\begin{itemize}\n" + "\n".join(rf"\item[(H{number})] ${h}$ on every axis"
                                                  for number, h in enumerate(range_object.latex(), 1))
                 + "\n\\end{itemize}")
        statement = (
            rf"Let there be {ndim} spatial axes $\nu = {nus}$, each with its own integers "
            r"$n_{\mathrm{in}}, k, s, d, p_{l}, p_{r}, a$ satisfying the hypotheses" "\n" + items + "\n"
            r"write $n_{\mathrm{in}}^{(\nu)}, k^{(\nu)}, s^{(\nu)}, d^{(\nu)}, p_{l}^{(\nu)}$ for the integers of "
            r"axis $\nu$ and $n_{T}^{(\nu)}$ for its output length, and "
            rf"let $\operatorname{{count}}[{js}]$ be the number of pairs of an input position "
            rf"$({_tuple_tex('i', ndim)})$ and a tap $({_tuple_tex('m', ndim)})$, "
            r"$0 \le i_{\nu} < n_{\mathrm{in}}^{(\nu)}$ and $0 \le m_{\nu} < k^{(\nu)}$, whose position "
            rf"$({_tuple_tex('f', ndim)})$, "
            r"$f_{\nu} = s^{(\nu)} i_{\nu} + d^{(\nu)} m_{\nu} - p_{l}^{(\nu)}$, lies in the output "
            r"($0 \le f_{\nu} < n_{T}^{(\nu)}$ on every axis $\nu$) and has the row-major flat position of "
            rf"$({js})$: the taps the layer adds at that position of its flattened output. On "
            r"each axis $\nu$, with $n_{\mathrm{in}}, k, s, d, p_{l}, p_{r}, a$ its integers (the superscript "
            r"dropped) and $n_{T}$ its output length, " + definitions + rf" And $\operatorname{{count}}[{js}] = {product}$.")
    cited = (r"The criterion for a uniform overlap is cited, not proved here: for all integers $k, s, d \ge 1$ every "
             r"phase has the same number of taps, so that the count is constant on an interior of at least $s$ "
             r"positions, if and only if $s$ divides $k$ and $\gcd(s, d) = 1$ (Odena, Dumoulin and Olah, "
             r"\emph{Deconvolution and checkerboard artifacts}, Distill 2016, doi:10.23915/distill.00003, for $d = 1$; "
             r"with dilation, it is " + EQUAL_TAPS_REFERENCE + ").")
    return Proof(f"Overlap of the stamps (checkerboard, {ndim}-D, all sizes)", statement, tuple(steps),
                 assumptions=ranges,
                 conclusion=("in the interior the count of taps is the tap count of the phase, so it repeats with "
                             "period $s$" + (" on each axis, and the counts of the axes multiply." if ndim > 1
                                             else ".") + " " + cited),
                 data=dict(ndim=ndim, ranges=range_object, cited=cited))
