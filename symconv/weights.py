"""Weight transforms between a transposed convolution and its gather view.

They act on any array-like of shape ``(C_in, C_out // groups, *kernel_size)``
(PyTorch's ConvTranspose layout).  Applied to ``numpy.arange(size)`` they give
the permutation of tap ids that the transform is.
"""

from __future__ import annotations

import numpy as np

from . import formulas as F

__all__ = ["flip_kernel", "swap_channel_groups", "transposed_to_conv_weight"]


def flip_kernel(weight, ndim):
    """Reverse the last ``ndim`` (spatial) axes: ``w~[m] = w[k - 1 - m]``.

    Parameters
    ----------
    weight : array_like
        Any array whose last ``ndim`` axes are the kernel's.
    ndim : int
        Number of spatial axes.

    Returns
    -------
    numpy.ndarray
        The flipped array, same shape.

    Raises
    ------
    IndexError
        When the array has fewer than ``ndim`` axes.

    Examples
    --------
    >>> flip_kernel(np.arange(3).reshape(1, 1, 3), 1).ravel().tolist()
    [2, 1, 0]
    """
    arr = np.asarray(weight)
    for ax in range(arr.ndim - ndim, arr.ndim):  # tap m of the result is tap flip_tap(m, k) of the weight
        k = arr.shape[ax]
        arr = np.take(arr, F.flip_tap(np.arange(k), k), axis=ax)
    return arr


def swap_channel_groups(weight, groups):
    """Swap the two channel axes group by group.

    ``(C, C' // g, *k)`` is reshaped to ``(g, C // g, C' // g, *k)``, axes 1 and 2
    are swapped and the result is reshaped to ``(C', C // g, *k)``.  A plain swap
    of the first two axes is wrong as soon as ``groups > 1``.

    Parameters
    ----------
    weight : array_like
        Shape ``(C, C' // groups, *kernel_size)``.
    groups : int
        The layer's groups (dividing ``C``).

    Returns
    -------
    numpy.ndarray
        Shape ``(C', C // groups, *kernel_size)``.

    Raises
    ------
    IndexError
        When ``weight`` has fewer than two axes.

    Examples
    --------
    >>> w = np.arange(4).reshape(4, 1, 1)          # C=4, C'/g=1, groups=2
    >>> swap_channel_groups(w, 2).reshape(-1).tolist()
    [0, 1, 2, 3]
    >>> swap_channel_groups(w, 2).shape
    (2, 2, 1)
    """
    arr = np.asarray(weight)
    c, c_out_g = arr.shape[0], arr.shape[1]
    per = c // groups
    # entry (o, l) of the result is w[c, l'] with o = ch(gamma, C'/g, l') and c = ch(gamma, C/g, l), gamma the group of o
    o = np.arange(groups * c_out_g)[:, None]
    l = np.arange(per)[None, :]
    gamma = F.channel_group(o, c_out_g)
    return arr[F.group_channel(gamma, per, l), F.group_local(o, gamma, c_out_g)]


def transposed_to_conv_weight(weight, groups, ndim):
    """The weight of the gather view's direct convolution.

    The group-wise channel swap followed by the flip of every spatial axis.

    Parameters
    ----------
    weight : array_like
        A transposed convolution's weight, ``(C_in, C_out // groups, *kernel_size)``.
    groups : int
        The layer's groups.
    ndim : int
        Number of spatial axes.

    Returns
    -------
    numpy.ndarray
        The direct convolution's weight, ``(C_out, C_in // groups, *kernel_size)``.

    Raises
    ------
    IndexError
        When ``weight`` has fewer than ``ndim + 2`` axes.

    Examples
    --------
    >>> transposed_to_conv_weight(np.arange(6).reshape(2, 1, 3), 1, 1).tolist()
    [[[2, 1, 0], [5, 4, 3]]]
    """
    return flip_kernel(swap_channel_groups(weight, groups), ndim)
