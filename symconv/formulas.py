"""The index maps of convolution arithmetic, as plain branch-free functions.

This module is the single source of truth for every formula symconv uses.  Each
function is ordinary arithmetic, so the same code runs

* on Python or numpy integers (matrix construction, numeric reference),
* on sympy symbols (the parametric proof), and
* through latexify-py, which renders the source of these very functions in the
  LaTeX derivations.

No function may branch on its arguments (``if t % s == 0`` silently takes one
branch for a sympy ``t``); conditions are built as expressions by the callers.
``//`` and ``%`` are floor division and the non-negative remainder, on ints and
on sympy expressions (``floor`` and ``Mod``) alike.

Names: ``n`` a length, ``k`` kernel size, ``s`` stride, ``p_l``/``p_r`` the
left/right padding, ``d`` dilation, ``a`` output padding, ``i`` an input or
output position, ``m`` a kernel tap.
"""

from __future__ import annotations

__all__ = [
    "conv_output_size",
    "transposed_output_size",
    "output_padding_for",
    "tap_position",
    "flip_tap",
    "zero_insertion_position",
    "zero_inserted_size",
    "padded_position",
    "gather_padding_left",
    "gather_padding_right",
    "channel_group",
    "group_local",
    "group_channel",
    "flat_index",
    "sifted_position",
    "sift_residue",
    "gram_partner",
    "phase_of",
    "phase_position",
    "phase_residue",
    "phase_tap",
    "phase_input",
    "phase_kernel_size",
    "phase_length",
    "phase_channel",
    "interleave_position",
]

PADDING_FORMULAS = ("reflect_position", "replicate_position", "circular_position")
"""The padding modes' maps (issue 21), kept out of ``__all__`` so that the zero-padding documents, which define
every function of ``__all__``, do not list them; :mod:`symconv.padding_modes` and its proofs use them."""


LATEX_NAMES = {
    "conv_output_size": r"n_{\mathrm{out}}",
    "transposed_output_size": r"n_{T}",
    "output_padding_for": r"a_{\mathrm{rt}}",
    "tap_position": r"\operatorname{tap}",
    "flip_tap": r"\operatorname{flip}",
    "zero_insertion_position": r"\operatorname{ins}",
    "zero_inserted_size": r"n_{z_0}",
    "padded_position": r"\operatorname{pad}",
    "gather_padding_left": r"p'_{l}",
    "gather_padding_right": r"p'_{r}",
    "channel_group": r"\operatorname{grp}",
    "group_local": r"\operatorname{loc}",
    "group_channel": r"\operatorname{ch}",
    "flat_index": r"\operatorname{flat}",
    "reflect_position": r"\operatorname{refl}",
    "replicate_position": r"\operatorname{repl}",
    "circular_position": r"\operatorname{circ}",
    "sifted_position": r"\iota",
    "sift_residue": r"\rho",
    "gram_partner": r"\theta",
    "phase_of": r"\phi",
    "phase_position": r"\operatorname{pos}",
    "phase_residue": r"\operatorname{rem}",
    "phase_tap": r"\operatorname{sub}",
    "phase_input": r"\operatorname{rd}",
    "phase_kernel_size": r"K",
    "phase_length": r"n_{u}",
    "phase_channel": r"c_{\Phi}",
    "interleave_position": r"\operatorname{interleave}",
}
"""How each function is named on the page (documents and proof claims use the same names).

A name reads as mathematics, a letter or a word, never an abbreviation of code: the input that tap ``m`` pairs
with ``j`` is ``ι``, the remainder that decides whether it is exact ``ρ``, the Gram partner ``θ``, the phase
``φ`` and the channel of a phase ``c_Φ`` (the name the polyphase theorem gives it).  Each is defined on the page
by its rendered definition."""


def conv_output_size(n, k, s, p_l, p_r, d):
    """Output length of a convolution on an input of length ``n``.

    >>> conv_output_size(5, 3, 2, 1, 1, 1)
    3
    """
    return (n + p_l + p_r - d * (k - 1) - 1) // s + 1


def transposed_output_size(n, k, s, p_l, p_r, d, a):
    """Output length of a transposed convolution on an input of length ``n``.

    >>> transposed_output_size(3, 3, 2, 1, 1, 1, 0)
    5
    """
    return (n - 1) * s - p_l - p_r + d * (k - 1) + a + 1


def output_padding_for(n, k, s, p_l, p_r, d):
    """The output padding that makes the transposed map return to length ``n``.

    >>> output_padding_for(6, 3, 2, 1, 1, 1)
    1
    """
    return (n + p_l + p_r - d * (k - 1) - 1) % s


def tap_position(i, m, s, p_l, d):
    """Position paired with position ``i`` by kernel tap ``m``.

    In a convolution, output ``i`` reads input position ``tap_position(i, m, ...)``
    through tap ``m``; in a transposed convolution, input ``i`` writes to output
    position ``tap_position(i, m, ...)`` through tap ``m``.  One index equation,
    read in both directions: that is the transpose.

    >>> tap_position(2, 1, 2, 1, 1)
    4
    """
    return s * i + d * m - p_l


def flip_tap(m, k):
    """The tap that ``m`` becomes when the kernel is flipped.

    >>> flip_tap(0, 3)
    2
    """
    return k - 1 - m


def zero_insertion_position(i, s):
    """Position of input ``i`` after inserting ``s - 1`` zeros between neighbours.

    >>> zero_insertion_position(3, 2)
    6
    """
    return s * i


def zero_inserted_size(n, s):
    """Length of a length-``n`` signal after zero insertion with factor ``s``.

    >>> zero_inserted_size(3, 2)
    5
    """
    return s * (n - 1) + 1


def padded_position(t, left):
    """Position of ``t`` after padding with ``left`` zeros (negative: cropping).

    >>> padded_position(0, 2)
    2
    """
    return t + left


def gather_padding_left(k, p_l, d):
    """Left padding of the gather view: ``d(k-1) - p_l`` (negative crops).

    >>> gather_padding_left(3, 1, 1)
    1
    """
    return d * (k - 1) - p_l


def gather_padding_right(k, p_r, d, a):
    """Right padding of the gather view: ``d(k-1) - p_r + a`` (negative crops).

    >>> gather_padding_right(3, 1, 1, 1)
    2
    """
    return d * (k - 1) - p_r + a


def channel_group(c, per_group):
    """The group of channel ``c`` when every group has ``per_group`` channels.

    >>> channel_group(5, 2)
    2
    """
    return c // per_group


def group_local(c, group, per_group):
    """Position of channel ``c`` inside ``group`` (in range exactly when ``c`` lies in that group).

    >>> group_local(5, 2, 2)
    1
    """
    return c - group * per_group


def group_channel(group, per_group, local):
    """The channel at position ``local`` of ``group``.

    >>> group_channel(2, 2, 1)
    5
    """
    return group * per_group + local


def flat_index(alpha, beta, B):
    """Row-major flattening of two indices: ``alpha`` over an outer axis whose entries each hold ``B`` positions
    ``beta`` (so ``alpha`` and ``beta`` are the quotient and the remainder of the flat index by ``B``; the letters
    ``q`` and ``r`` are the quotient and remainder by the stride on the page, ``x`` and ``y`` the layers' inputs and
    outputs).

    Applied axis after axis (``flat = flat_index(flat, j, n)``), it flattens any number of axes; tap ids and
    (channel, position) indices are made the same way.

    >>> flat_index(2, 1, 3)
    7
    """
    return alpha * B + beta


def sifted_position(j, m, s, p_l, d):
    """The input position ``i`` that tap ``m`` pairs with position ``j``: ``(j + p_l - d m) // s``.

    It is exact (``tap_position(i, m, ...) == j``) when :func:`sift_residue` is 0; callers build that condition.

    >>> sifted_position(4, 1, 2, 1, 1)
    2
    """
    return (j + p_l - d * m) // s


def sift_residue(j, m, s, p_l, d):
    """The remainder of ``j + p_l - d m`` modulo ``s``: tap ``m`` reaches ``j`` from an input exactly when it is 0.

    >>> sift_residue(4, 1, 2, 1, 1), sift_residue(4, 0, 2, 1, 1)
    (0, 1)
    """
    return (j + p_l - d * m) % s


def gram_partner(j, m, m_prime, d):
    """The position that tap ``m_prime`` reaches from the input that tap ``m`` carries to ``j``.

    ``j + d (m' - m)``: in the Gram matrix ``M^T M`` the entry ``[j, j']`` sums ``w[m] w[m']`` over the inputs
    read by both taps; the lag ``j' - j`` is ``d`` times the tap difference.

    >>> gram_partner(4, 0, 2, 1)
    6
    """
    return j + d * (m_prime - m)


# --- the polyphase (sub-pixel) view -------------------------------------------------------------
# Output j of a transposed convolution, moved to the uncropped grid J = j + p_l, lies in phase
# t = J mod s at position u = J div s; tap m reaches phase t exactly when d m = t (mod s), and then
# reads input u - (d m - t)/s.


def phase_of(j, s, p_l):
    """The phase ``t = (j + p_l) mod s`` of output ``j`` on the uncropped grid.

    >>> phase_of(3, 2, 1)
    0
    """
    return (j + p_l) % s


def phase_position(j, s, p_l):
    """The position ``u = (j + p_l) div s`` of output ``j`` inside its phase.

    >>> phase_position(3, 2, 1)
    2
    """
    return (j + p_l) // s


def phase_residue(m, t, s, d):
    """``(d m - t) mod s``: zero exactly when tap ``m`` reaches phase ``t``.

    >>> phase_residue(2, 0, 2, 1), phase_residue(1, 0, 2, 1)
    (0, 1)
    """
    return (d * m - t) % s


def phase_tap(m, t, s, d):
    """The shift ``e = (d m - t) div s`` of tap ``m`` in phase ``t``: the phase reads input ``u - e``.

    >>> phase_tap(3, 1, 2, 1)
    1
    """
    return (d * m - t) // s


def phase_input(u, m, t, s, d):
    """The input that position ``u`` of phase ``t`` reads through tap ``m``: ``u - (d m - t) div s``.

    >>> phase_input(4, 3, 1, 2, 1)
    3
    """
    return u - (d * m - t) // s


def phase_kernel_size(k, s, d):
    """The common size ``d(k-1) div s + 1`` of the phases' sub-kernels (every shift is below it).

    >>> phase_kernel_size(4, 2, 1)
    2
    """
    return d * (k - 1) // s + 1


def phase_length(n, k, s, d):
    """Positions of every phase: ``n + d(k-1) div s`` (a full convolution of the input with a sub-kernel).

    >>> phase_length(3, 4, 2, 1)
    4
    """
    return n + d * (k - 1) // s


def phase_channel(o, t, phases):
    """The channel of phase ``t`` of output channel ``o`` when each channel has ``phases`` phases (PixelShuffle's layout).

    >>> phase_channel(1, 2, 4)
    6
    """
    return o * phases + t


def interleave_position(t, u, s, p_l):
    """The output that position ``u`` of phase ``t`` becomes after interleaving and cropping: ``s u + t - p_l``.

    >>> interleave_position(0, 2, 2, 1)
    3
    """
    return s * u + t - p_l


def reflect_position(t, n, p_l):
    """The input position that padded position ``t`` copies under reflect padding (mirror, edge not repeated).

    With ``u = t - p_l``: ``n - 1 - |n - 1 - |u||``, which is ``-u`` left of the input, ``u`` inside it and
    ``2(n - 1) - u`` right of it; valid for ``-(n - 1) <= u <= 2(n - 1)`` (PyTorch: padding < n).

    >>> [reflect_position(t, 3, 2) for t in range(7)]
    [2, 1, 0, 1, 2, 1, 0]
    """
    return (n - 1) - abs((n - 1) - abs(t - p_l))


def replicate_position(t, n, p_l):
    """The input position that padded position ``t`` copies under replicate padding (the nearest edge).

    ``t - p_l`` clamped to ``[0, n - 1]``, branch-free: ``max(u, 0) = (u + |u|)/2`` and
    ``min(v, n - 1) = (v + n - 1 - |v - (n - 1)|)/2``, both exact halves of even integers.

    >>> [replicate_position(t, 3, 2) for t in range(7)]
    [0, 0, 0, 1, 2, 2, 2]
    """
    return ((((t - p_l) + abs(t - p_l)) // 2) + (n - 1) - abs((((t - p_l) + abs(t - p_l)) // 2) - (n - 1))) // 2


def circular_position(t, n, p_l):
    """The input position that padded position ``t`` copies under circular padding (wrapped around).

    ``(t - p_l) mod n``; also the wrap of a position ``t`` onto the circle of ``n`` positions when ``p_l = 0``.

    >>> [circular_position(t, 3, 2) for t in range(7)]
    [1, 2, 0, 1, 2, 0, 1]
    """
    return (t - p_l) % n
