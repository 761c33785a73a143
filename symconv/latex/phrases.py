"""Small phrases of the documents' prose, in one place: counted nouns, integer ranges, the note on the weights.

Every prover writes sentences such as "3 interior positions" or "the positions :math:`\\{2, \\dots, 5\\}`";
these helpers make the singular, the empty case and the one-element range read as a person writes them.
"""

from __future__ import annotations

__all__ = ["counted", "range_set_tex", "weights_note"]

_WORDS = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
          9: "nine"}


def counted(n: int, noun: str, plural: str | None = None, *, words: bool = True) -> str:
    """``n`` followed by ``noun`` in the right number, as prose: "no taps", "one tap", "12 taps".

    Parameters
    ----------
    n : int
        The count, ``n >= 0``.
    noun : str
        The singular noun (may be several words: "interior position").
    plural : str, optional
        The plural when it is not ``noun + "s"`` ("matrices").
    words : bool, default True
        Spell counts below ten as words (the habit of English prose); ``False`` keeps digits.

    Returns
    -------
    str
        The counted phrase.

    Raises
    ------
    ValueError
        If ``n`` is negative or not an integer.

    Examples
    --------
    >>> counted(1, "interior position"), counted(3, "term"), counted(0, "tap"), counted(2, "matrix", "matrices")
    ('one interior position', 'three terms', 'no taps', 'two matrices')
    >>> counted(12, "claim", words=False)
    '12 claims'
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"counted: n={n!r} must be an integer >= 0")
    form = noun if n == 1 else (plural if plural is not None else noun + "s")
    number = _WORDS[n] if words and n in _WORDS else str(n)
    return f"{number} {form}"


def range_set_tex(lo: int, hi: int) -> str:
    r"""The integers ``lo, ..., hi`` as a set in LaTeX, written as a reader writes it.

    Parameters
    ----------
    lo, hi : int
        The first and the last element (inclusive).

    Returns
    -------
    str
        ``\emptyset`` when ``hi < lo``, ``\{lo\}`` for one element, ``\{lo, lo+1\}`` for two, and
        ``\{lo, \dots, hi\}`` otherwise (math mode, without dollars).

    Raises
    ------
    ValueError
        If ``lo`` or ``hi`` is not an integer.

    Examples
    --------
    >>> range_set_tex(2, 2), range_set_tex(2, 3), range_set_tex(2, 5), range_set_tex(3, 2)
    ('\\{2\\}', '\\{2, 3\\}', '\\{2, \\dots, 5\\}', '\\emptyset')
    """
    for value in (lo, hi):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"range_set_tex: {value!r} must be an integer")
    if hi < lo:
        return r"\emptyset"
    if hi == lo:
        return rf"\{{{lo}\}}"
    if hi == lo + 1:
        return rf"\{{{lo}, {hi}\}}"
    return rf"\{{{lo}, \dots, {hi}\}}"


def weights_note(shape_tex: str, *, transposed: bool, channels: bool = True) -> str:
    r"""The instance documents' note on the weights: independent symbols, so a matrix equality is an identity.

    Parameters
    ----------
    shape_tex : str
        The weight tensor's shape, LaTeX (``(1, 1, 3)``).
    transposed : bool
        The weight of a transposed convolution (input channel first) or of a convolution (output channel first).
    channels : bool, default True
        Whether to name the channel axes (False: one input and one output channel).

    Examples
    --------
    >>> weights_note("(1, 1, 3)", transposed=False, channels=False)[:60]
    'The weights are independent real symbols, one for each entry'
    """
    if not channels:
        layout = "one output and one input channel, then the tap"
    elif transposed:
        layout = "the input channel, the output channel's position in its group, then the taps"
    else:
        layout = "the output channel, the input channel's position in its group, then the taps"
    return (rf"The weights are independent real symbols, one for each entry of PyTorch's weight tensor of shape "
            rf"${shape_tex}$ ({layout}). The matrices are polynomials in these symbols, so an equality between them "
            r"is an identity: it holds for every real kernel.")
