"""Public functions have numpydoc Parameters, Returns, Raises and Examples sections (issue 22).

CHECKED lists the public functions of ``symconv`` and ``symconv.plot`` that have them; the functions of
``symconv.testing`` and ``symconv.translate`` and the parametric provers of ``proofs/general.py`` and
``proofs/weight_gradient.py`` are being restructured by other issues (19, 23, 18) and are not in it yet.
A function in CHECKED that loses a section, or disappears, fails the test.
"""

import importlib
import inspect

import pytest
from conftest import require_module

SECTIONS = ("Parameters", "Returns", "Raises", "Examples")
CHECKED = {
    "symconv": ("kernel_symbols", "conv_matrix", "transposed_conv_matrix", "scatter_matrix", "zero_insertion_matrix",
                "padding_matrix", "selection_matrix", "flip_kernel", "swap_channel_groups",
                "transposed_to_conv_weight", "prove_transpose", "prove_adjoint", "prove_gradient",
                "prove_size_relations", "prove_overlap", "overlap_counts", "gather_product", "write_atomic",
                "compile_pdf"),
    "symconv.plot": ("matrix_data", "stamps_data", "gather_data", "conv_data", "overlap_data", "animation_data",
                     "plot_matrix", "plot_stamps", "plot_gather", "plot_conv", "plot_overlap", "animate",
                     "save_animation", "save_figure", "save_frame", "ffmpeg_available", "default_values",
                     "tap_colors"),
}


def _missing(obj) -> list:
    docscrape = require_module("numpydoc.docscrape", "docs")  # skips without numpydoc; fails in CI
    doc = docscrape.FunctionDoc(obj)
    takes = [p for p in inspect.signature(obj).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return [section for section in SECTIONS if not doc[section] and not (section == "Parameters" and not takes)]


@pytest.mark.parametrize("namespace", sorted(CHECKED))
def test_public_functions_have_the_numpydoc_sections(namespace):
    module = importlib.import_module(namespace)
    lacking = {}
    for name in CHECKED[namespace]:
        assert name in module.__all__, f"{namespace}.{name} is no longer public: update CHECKED"
        obj = getattr(module, name)
        if _missing(obj):
            lacking[name] = _missing(obj)
    assert lacking == {}


def test_the_check_can_fail():
    def undocumented(x):
        """One line only."""

    assert _missing(undocumented) == list(SECTIONS)
