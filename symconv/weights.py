"""Weight transforms between a transposed convolution and its gather view.

They act on any array-like of shape ``(C_in, C_out // groups, *kernel_size)``
(PyTorch's ConvTranspose layout).  Applied to ``numpy.arange(size)`` they give
the permutation of tap ids that the transform is.
"""

from __future__ import annotations

import numpy as np

__all__ = ["flip_kernel", "swap_channel_groups", "transposed_to_conv_weight"]


def flip_kernel(weight, ndim):
    """Reverse the last ``ndim`` (spatial) axes: ``w~[m] = w[k - 1 - m]``.

    >>> flip_kernel(np.arange(3).reshape(1, 1, 3), 1).ravel().tolist()
    [2, 1, 0]
    """
    arr = np.asarray(weight)
    return np.flip(arr, axis=tuple(range(arr.ndim - ndim, arr.ndim)))


def swap_channel_groups(weight, groups):
    """Swap the two channel axes group by group.

    ``(C, C' // g, *k)`` is reshaped to ``(g, C // g, C' // g, *k)``, axes 1 and 2
    are swapped and the result is reshaped to ``(C', C // g, *k)``.  A plain swap
    of the first two axes is wrong as soon as ``groups > 1``.

    >>> w = np.arange(4).reshape(4, 1, 1)          # C=4, C'/g=1, groups=2
    >>> swap_channel_groups(w, 2).reshape(-1).tolist()
    [0, 1, 2, 3]
    >>> swap_channel_groups(w, 2).shape
    (2, 2, 1)
    """
    arr = np.asarray(weight)
    c, c_out_g = arr.shape[0], arr.shape[1]
    spatial = arr.shape[2:]
    grouped = arr.reshape((groups, c // groups, c_out_g) + spatial)
    swapped = np.swapaxes(grouped, 1, 2)
    return swapped.reshape((groups * c_out_g, c // groups) + spatial)


def transposed_to_conv_weight(weight, groups, ndim):
    """The weight of the gather view's direct convolution.

    The group-wise channel swap followed by the flip of every spatial axis.
    """
    return flip_kernel(swap_channel_groups(weight, groups), ndim)
