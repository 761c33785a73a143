"""Assertions for users' test suites: "this function is exactly the layer", and if not, why not.

The function under test may be a numpy function, a PyTorch module or function,
or a JAX function.  It is probed in its own framework and dtype (taken from the
module's weight, or from a first call on zeros), its outputs are detached and
moved to the CPU, and their shape is checked.  By default a function maps one
batch element ``(channels, *spatial)`` to one; pass ``batched=True`` for a
function of a batch ``(N, channels, *spatial)``.  A PyTorch module is given
directly to :func:`assert_module_is_convolution` or
:func:`assert_module_is_transposed_convolution`, which read the spec, the
weight and the bias from it.

"Is fn exactly this layer" is decided without building any matrix: an exact
randomized identity test against the numeric reference (:mod:`symconv.numeric`).
For a linear map ``A != M`` and a random input ``x`` drawn uniformly from
``S^n`` (``S`` a set of integers), ``(A - M) x`` has a row that is a nonzero
polynomial of degree 1, which vanishes with probability at most ``1/|S|``
(Schwartz--Zippel).  Independent trials multiply the bounds; the bound reached
is returned in a :class:`Verification`.  When the weights are integers the
inputs are integers small enough that every partial sum is an integer the
function's dtype represents exactly, and comparisons are exact.  Otherwise
each output entry is compared within the rounding bound of a dot product of
``n`` terms in the dtype's unit roundoff ``u``, ``(n u / (1 - n u) + u)
(|W| |x| + |b|)``, and the message states it.

The tolerance follows the precision the function computes in (``compute_dtype=``; detected under
``torch.autocast`` and for float32 CUDA modules under PyTorch's TF32 setting), and every result states its
resolution as a fraction of ``max|w|``.  When the random test is too coarse for that (low precision: each
output sums ``n`` rounded terms), probes along the layer's pattern, under which each output is one weight
times a power of two, read every weight within one or two roundings (:mod:`symconv.testing.pattern`); a
check still coarser than ``resolution=`` (1 % of ``max|w|`` by default) is refused, never passed.

Bias is declared: ``bias=None`` means the map must be linear (``f(0) = 0``).

The functions raise :class:`AssertionError` when the function is not the layer,
so they work under pytest and unittest; the first line is the verdict and the
diagnosis, and pytest hides symconv's frames (``__tracebackhide__``).

Stages, one module each: :mod:`~symconv.testing.probing` (calling the function in its own framework,
dtype and device; modules left as they were), :mod:`~symconv.testing.tolerances` (exact integer
arithmetic or a rounding bound, and the resolution it leaves), :mod:`~symconv.testing.identity` (the
randomized identity test), :mod:`~symconv.testing.pattern` (the sharper probes for low precision),
:mod:`~symconv.testing.catalogue` and :mod:`~symconv.testing.diagnosis` (why not),
:mod:`~symconv.testing.modules` (PyTorch modules), :mod:`~symconv.testing.maps` (probed matrices, the dot
test) and :mod:`~symconv.testing.reference` (the layer's values).
"""

from .diagnosis import diagnose_transposed
from .identity import Verification, assert_is_convolution, assert_is_transposed_convolution
from .maps import assert_adjoint, linear_map_coo, linear_map_matrix
from .modules import assert_module_is_convolution, assert_module_is_transposed_convolution
from .tolerances import DEFAULT_BOUND

__all__ = ["Verification", "assert_is_convolution", "assert_is_transposed_convolution",
           "assert_module_is_convolution", "assert_module_is_transposed_convolution", "assert_adjoint",
           "linear_map_matrix", "linear_map_coo", "diagnose_transposed", "DEFAULT_BOUND"]
