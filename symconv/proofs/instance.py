"""Instance proofs: for concrete sizes, four constructions are one matrix.

With symbolic weights of distinct symbols, equality of the integer structures
is equality of the symbolic matrices, so the proof runs at numpy speed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from ..errors import SizeLimitError, SpecTypeError
from ..kernels import kernel_symbols
from ..matrices import (
    ConvMatrix,
    conv_matrix,
    padding_matrix,
    scatter_matrix,
    selection_matrix,
    transposed_conv_matrix,
    zero_insertion_matrix,
)
from ..numeric import conv, conv_transpose
from ..spec import ConvSpec, TransposedConvSpec
from .core import Proof, Step

__all__ = ["prove_transpose", "gather_product", "equality_step", "INSTANCE_LIMIT"]

INSTANCE_LIMIT = 50_000_000
"""Largest number of structure terms an instance proof builds (per matrix) by default."""


def gather_product(tspec: TransposedConvSpec, weight: Any, input_shape: Any) -> tuple[ConvMatrix, ConvMatrix, ConvMatrix, ConvMatrix]:
    """The gather view's factors and their product ``C_flip @ Pad @ Z``.

    Returns ``(product, C_flip, Pad, Z)``.
    """
    view = tspec.as_convolution()
    shape = tspec.check_input_shape(input_shape)
    Z = zero_insertion_matrix(tspec.in_channels, shape, view.zero_insertion)
    Pad = padding_matrix(tspec.in_channels, Z.row_shape[1:], view.padding)
    C = conv_matrix(view.conv, view.transform_weight(weight), Pad.row_shape[1:])
    return C @ (Pad @ Z), C, Pad, Z


def equality_step(name: str, reference: ConvMatrix, candidate: ConvMatrix, lhs: Any, rhs: Any, rule: str) -> Step:
    """A structure-equality step; on failure it names the first differing entry and why."""
    if reference.shape != candidate.shape:
        return Step(lhs, rhs, rule, "exact structure", False,
                    f"shapes differ: {reference.shape} and {candidate.shape}", name=name)
    where = None if reference == candidate else reference.first_difference(candidate)
    if where is None:
        return Step(lhs, rhs, rule, "exact structure", True,
                    f"{reference.nnz} nonzero entries, {reference.structure.size} terms, identical", name=name)
    r, c = where
    why = reference.explain(r, c) if reference.origin else f"entry {where}"
    return Step(
        lhs, rhs, rule, "exact structure", False,
        f"first differing entry at row {r}, column {c}: {reference[r, c]} versus {candidate[r, c]}\n{why}",
        name=name,
    )


def _check_size(tspec: TransposedConvSpec, shape: tuple[int, ...], limit: int) -> None:
    conv_terms = np.prod(tspec.output_shape(shape), dtype=float) * np.prod(tspec.kernel_size, dtype=float)
    terms = conv_terms * tspec.out_channels * (tspec.in_channels // tspec.groups)
    if terms > limit:
        raise SizeLimitError(
            f"this instance needs about {int(terms)} structure terms, over max_terms={limit}; "
            "use prove_transpose_general() for the parametric proof that covers every size, or raise max_terms"
        )


def prove_transpose(spec: ConvSpec | TransposedConvSpec, input_shape: Any, *, name: str = "w",
                    spot_checks: int = 0, seed: int = 0, max_terms: int = INSTANCE_LIMIT) -> Proof:
    """Prove, for concrete sizes, that the transposed convolution is a convolution.

    For a :class:`ConvSpec` the layer is ``spec.transpose(input_shape)`` acting on
    the convolution's output; for a :class:`TransposedConvSpec`, ``input_shape`` is
    that layer's input.  With symbolic weights, the proof shows that these are one
    matrix: ``(S M)^T``; the transposed convolution built from its own
    definition; the gather view ``C_flip Pad Z``; and the scatter view (the sum
    of stamped kernel copies).

    ``spot_checks`` adds that many numeric checks against :mod:`symconv.numeric`
    with random integer weights and inputs.

    Examples
    --------
    >>> from symconv import ConvSpec
    >>> proof = prove_transpose(ConvSpec(3, stride=2, padding=1), (5,))
    >>> proof.holds
    True
    >>> [step.name for step in proof.steps]
    ['sizes', 'transpose', 'gather view', 'scatter view']
    """
    if isinstance(spec, ConvSpec):
        conv_shape = spec.check_input_shape(input_shape)
        tspec = spec.transpose(conv_shape)
        t_in = spec.output_shape(conv_shape)
    elif isinstance(spec, TransposedConvSpec):
        tspec, t_in = spec, spec.check_input_shape(input_shape)
    else:
        raise SpecTypeError(f"spec must be a ConvSpec or TransposedConvSpec, got {type(spec).__name__}")
    _check_size(tspec, t_in, max_terms)
    w = kernel_symbols(tspec, name)
    n_t = tspec.output_shape(t_in)
    conv_spec = tspec.transpose()
    M = conv_matrix(conv_spec, w, n_t)
    m_out = conv_spec.output_shape(n_t)
    extra = tuple(a // s for a, s in zip(tspec.output_padding, tspec.stride))
    identity = all(e == 0 for e in extra)
    S = None if identity else selection_matrix(conv_spec.out_channels, m_out, t_in)
    T = transposed_conv_matrix(tspec, w, t_in)

    rows, cols = T.shape
    T_, M_ = sympy.MatrixSymbol("T", rows, cols), sympy.MatrixSymbol("M", M.shape[0], M.shape[1])
    expected = tuple(n + e for n, e in zip(t_in, extra))
    size_ok = m_out == expected
    case = ("output_padding < stride on every axis, so M has exactly n_in outputs per axis and S is the identity"
            if identity else
            f"output_padding >= stride on some axis (allowed since dilation > stride): M has n_in + floor(a/s) = "
            f"{expected} outputs per axis and S keeps the first {t_in}")
    steps = [
        Step(sympy.Tuple(*m_out), sympy.Tuple(*expected),
             "round trip of the output size: the convolution on the transposed output has n_in + floor(a/s) outputs",
             "sympy", size_ok, case, name="sizes"),
    ]
    rule = ("T, built from the transposed convolution's own index equation, against the transpose of the "
            "convolution matrix M" + ("" if identity else " with its rows selected by S"))
    if S is None:
        steps.append(equality_step("transpose", T, M.T, T_, sympy.Transpose(M_), rule))
    else:
        S_ = sympy.MatrixSymbol("S", S.shape[0], S.shape[1])
        steps.append(equality_step("transpose", T, (S @ M).T, T_,
                                   sympy.Transpose(sympy.MatMul(S_, M_, evaluate=False)), rule))
    G, C, Pad, Z = gather_product(tspec, w, t_in)
    C_, P_, Z_ = (sympy.MatrixSymbol(n_, *m.shape) for n_, m in (("C_flip", C), ("P", Pad), ("Z", Z)))
    steps.append(equality_step("gather view", T, G, T_, sympy.MatMul(C_, P_, Z_, evaluate=False),
                               "the gather view: zero insertion Z (s-1 zeros between inputs), padding/cropping P by "
                               "(d(k-1)-p_l, d(k-1)-p_r+a), and the stride-1 convolution C_flip with the flipped, "
                               "group-wise channel-swapped kernel"))
    X = scatter_matrix(tspec, w, t_in)
    steps.append(equality_step("scatter view", T, X, T_, sympy.Symbol("Sigma_i stamp_i"),
                               "the scatter view: input (c, i) stamps the unflipped kernel, dilated by d and scaled "
                               "by y[c, i], at offset s*i - p_l; the sum of all stamps"))
    if spot_checks:
        steps = _spot(steps, tspec, t_in, M, S, G, X, T, spot_checks, seed)
    statement = (f"For {tspec} on inputs of spatial shape {t_in}, the transposed convolution's matrix T equals "
                 + ("M^T" if identity else "(S M)^T") + f", where M is the matrix of {conv_spec} on inputs of shape "
                 f"{n_t}; it equals the gather view C_flip P Z and the scatter view.")
    return Proof(
        "Transposed convolution is a convolution (instance)", statement, tuple(steps),
        assumptions=(f"weights: distinct real symbols {name}_... in PyTorch's layout {tspec.weight_shape}",),
        conclusion="T is the matrix of a convolution with the flipped kernel over the zero-inserted, padded input.",
        data=dict(tspec=tspec, input_shape=t_in, conv_spec=conv_spec, weight=w, T=T, M=M, S=S, gather=(C, Pad, Z),
                  scatter=X, selection_is_identity=identity),
    )


def _spot(steps, tspec, t_in, M, S, G, X, T, count, seed):
    rng = np.random.default_rng(seed)
    conv_spec = tspec.transpose()
    out = []
    for step in steps:
        failure, done = None, 0
        if step.name in ("transpose", "gather view", "scatter view"):
            for _ in range(count):
                w = rng.integers(-4, 5, tspec.weight_shape)
                y = rng.integers(-4, 5, (tspec.in_channels,) + t_in)
                ref = conv_transpose(tspec, w, y)
                if step.name == "gather view":
                    got = G.matvec(y, tspec.as_convolution().transform_weight(w)).reshape(ref.shape)
                elif step.name == "scatter view":
                    got = X.matvec(y, w).reshape(ref.shape)
                else:  # (S M)^T y through the numeric convolution: <S M x, y> = <x, T y> for basis x
                    got = _transpose_by_probing(conv_spec, w, T.row_shape, y)
                if not np.array_equal(got, ref):
                    failure = f"random weight/input #{done}: {got.ravel().tolist()[:8]}... != {ref.ravel().tolist()[:8]}..."
                    break
                done += 1
        out.append(step.with_spot_checks(done, failure) if done or failure else step)
    return out


def _transpose_by_probing(conv_spec: ConvSpec, w, x_shape, y) -> np.ndarray:
    """(S M)^T y computed with the numeric convolution only: entry j is <S conv(e_j), y>."""
    flat = int(np.prod(x_shape))
    result = np.zeros(flat, dtype=np.int64)
    keep = tuple(slice(0, n) for n in y.shape)
    for j in range(flat):
        e = np.zeros(flat, dtype=np.int64)
        e[j] = 1
        result[j] = int(np.sum(conv(conv_spec, w, e.reshape(x_shape))[keep] * y))
    return result.reshape(x_shape)
