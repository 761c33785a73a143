"""A catalog of mathematical mistakes: each one, applied alone, must make the proofs fail.

Every mutation monkeypatches one formula or one builder.  The instance proof
(on configurations that exercise it) must return ``holds=False`` naming a step
(never raise), and where the mistake is in a formula the parametric proof uses,
``prove_transpose_general(1)`` and ``(2)`` must fail too (the channel formulas only in 2-D).  Run this file as a
script to print the outcome table that README.md shows:

    python tests/test_mutations.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import symconv.formulas as F
import symconv.matrices as matrices
import symconv.proofs.instance as instance
import symconv.weights as weights
from symconv import TransposedConvSpec, prove_transpose, prove_transpose_general

# a layer that exercises every parameter: 2-D, stride, asymmetric padding, output padding, dilation, groups
GROUPED = (TransposedConvSpec((3, 2), stride=(2, 3), padding=((1, 0), (2, 1)), output_padding=(1, 2),
                              dilation=(1, 2), in_channels=4, out_channels=6, groups=2), (3, 4))
# output_padding >= stride (allowed since dilation > stride): M has an extra row, S is not the identity
SELECTING = (TransposedConvSpec(2, stride=1, dilation=3, output_padding=2), (4,))


def _plain_swap(weight, groups):
    arr = np.asarray(weight)
    return np.swapaxes(arr, 0, 1).reshape((arr.shape[1] * groups, arr.shape[0] // groups) + arr.shape[2:])


def _flipped_enumeration(original):
    def enumerate_flipped(a_shape, b_shape, k_shape, b_index, itype):
        a, b, m = original(a_shape, b_shape, k_shape, b_index, itype)
        return a, b, (int(np.prod(k_shape)) - 1 - m).astype(m.dtype)

    return enumerate_flipped


def _identity_selection(channels, full_shape, keep_shape):
    return matrices.selection_matrix(channels, full_shape, full_shape)


# name -> (list of (module, attribute, replacement), configurations, dimensions of the parametric proof that use it)
CATALOG = {
    "s zeros instead of s - 1": ([(F, "zero_insertion_position", lambda i, s: (s + 1) * i),
                                  (F, "zero_inserted_size", lambda n, s: (s + 1) * (n - 1) + 1)], [GROUPED], (1, 2)),
    "zero insertion at 2 s i": ([(F, "zero_insertion_position", lambda i, s: 2 * s * i)], [GROUPED], (1, 2)),
    "gather padding off by one": ([(F, "gather_padding_left", lambda k, p_l, d: d * (k - 1) - p_l + 1)], [GROUPED],
                                  (1, 2)),
    "output padding on the left": ([(F, "gather_padding_left", lambda k, p_l, d: d * (k - 1) - p_l + 1),
                                    (F, "gather_padding_right", lambda k, p_r, d, a: d * (k - 1) - p_r)],
                                   [(TransposedConvSpec(3, stride=2, padding=1, output_padding=1), (4,))], (1, 2)),
    "dilation ignored in the gather padding": ([(F, "gather_padding_left", lambda k, p_l, d: (k - 1) - p_l),
                                                (F, "gather_padding_right", lambda k, p_r, d, a: (k - 1) - p_r + a)],
                                               [GROUPED], (1, 2)),
    "flip removed in the gather view": ([(weights, "flip_kernel", lambda weight, ndim: np.asarray(weight))],
                                        [GROUPED], ()),
    "flip removed from the re-indexing": ([(F, "flip_tap", lambda m, k: m)], [], (1, 2)),
    "channels swapped ignoring groups": ([(weights, "swap_channel_groups", _plain_swap)], [GROUPED], ()),
    "+p_l instead of -p_l": ([(F, "tap_position", lambda i, m, s, p_l, d: s * i + d * m + p_l)], [GROUPED], (1, 2)),
    "dilation ignored in the index map": ([(F, "tap_position", lambda i, m, s, p_l, d: s * i + m - p_l)], [GROUPED],
                                          (1, 2)),
    "taps enumerated flipped in the shared enumerator": (
        [(matrices, "_spatial_entries", _flipped_enumeration(matrices._spatial_entries))], [GROUPED], ()),
    "row selection always the identity": ([(instance, "selection_matrix", _identity_selection)], [SELECTING], ()),
    "transposed output size off by one": (
        [(F, "transposed_output_size", lambda n, k, s, p_l, p_r, d, a: (n - 1) * s - p_l - p_r + d * (k - 1) + a + 2)],
        [GROUPED], (1, 2)),
    "channel group by remainder": ([(F, "channel_group", lambda c, per_group: c % per_group)], [GROUPED], (2,)),
    "polyphase input read at u + shift": ([(F, "phase_input", lambda u, m, t, s, d: u + (d * m - t) // s)], [GROUPED],
                                          ()),
    "phases interleaved without the crop": ([(F, "interleave_position", lambda t, u, s, p_l: s * u + t)], [GROUPED],
                                            ()),
}


def _apply(monkeypatch, name):
    for module, attribute, replacement in CATALOG[name][0]:
        monkeypatch.setattr(module, attribute, replacement)


def outcomes(monkeypatch, name) -> dict[str, str]:
    """Which step of each proof caught the mutation ('-' where the proof does not use the mutated code)."""
    _apply(monkeypatch, name)
    _, configs, dims = CATALOG[name]
    out = {}
    for number, (tspec, shape) in enumerate(configs):
        proof = prove_transpose(tspec, shape)
        out[f"instance {number}"] = proof.failed_step.name if proof.failed_step else "HOLDS"
    for ndim in dims:
        proof = prove_transpose_general(ndim)
        out[f"general {ndim}-D"] = proof.failed_step.name if proof.failed_step else "HOLDS"
    return out


def test_catalog_is_large_enough():
    assert len(CATALOG) >= 12


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_mutation_makes_the_proofs_fail(monkeypatch, name):
    found = outcomes(monkeypatch, name)
    assert found, f"{name}: no proof exercises this mutation"
    assert "HOLDS" not in found.values(), f"{name}: {found}"
    assert {f"general {ndim}-D" for ndim in CATALOG[name][2]} <= set(found)


def test_unmutated_configurations_hold():
    for tspec, shape in (GROUPED, SELECTING):
        assert prove_transpose(tspec, shape).holds
    assert prove_transpose_general(1).holds and prove_transpose_general(2).holds


def table() -> str:
    """The outcome table in Markdown (mutation -> the step of each proof that caught it)."""
    mp = pytest.MonkeyPatch()
    lines = ["| mistake | prove_transpose | prove_transpose_general(1) | prove_transpose_general(2) |",
             "|---|---|---|---|"]
    for name in CATALOG:
        with mp.context() as m:
            found = outcomes(m, name)
        inst = ", ".join(v for k, v in found.items() if k.startswith("instance")) or "not used"
        lines.append(f"| {name} | {inst} | {found.get('general 1-D', 'not used')} | "
                     f"{found.get('general 2-D', 'not used')} |")
    return "\n".join(lines)


def test_readme_shows_the_current_table():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert table() in readme, "README's mutation table is stale: run python tests/test_mutations.py"


if __name__ == "__main__":
    sys.stdout.write(table() + "\n")
