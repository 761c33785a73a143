"""derivations/tour.ipynb runs from a clean kernel without an error, and its saved outputs are current.

Needs nbclient and ipykernel (the `test` extra), PyTorch (the `torch` extra) and
matplotlib (the `figures` extra): skipped with the reason locally, failed in CI.
"""

import json
import pathlib
import sys

from conftest import require_module

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "derivations" / "tour.ipynb"
REGENERATE = "python derivations/make_figures.py --notebook"


def _kernel(tmp_path, monkeypatch) -> str:
    """A kernelspec running this interpreter (the default 'python3' runs whatever `python` is on PATH)."""
    spec = tmp_path / "jupyter" / "kernels" / "symconv-test"
    spec.mkdir(parents=True)
    spec.joinpath("kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "symconv test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "symconv-test"


def _texts(cell) -> list:
    """The text a reader sees in a cell's outputs (streams and plain-text results; not images)."""
    out: list = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream":  # one stream may arrive in several chunks: the reader sees them joined
            if out and out[-1][0] == o["name"]:
                out[-1] = (o["name"], out[-1][1] + o["text"])
            else:
                out.append((o["name"], o["text"]))
        elif o["output_type"] in ("execute_result", "display_data"):
            out.append(("result", o["data"].get("text/plain", "")))
        elif o["output_type"] == "error":
            out.append(("error", o["ename"]))
    return out


def test_tour_runs_from_a_clean_kernel_and_its_outputs_are_current(tmp_path, monkeypatch):
    nbformat = require_module("nbformat", "test")
    nbclient = require_module("nbclient", "test")
    require_module("ipykernel", "test")
    require_module("torch", "torch")
    require_module("matplotlib", "figures")
    saved = nbformat.read(NOTEBOOK, as_version=4)
    fresh = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [c for c in saved.cells if c.cell_type == "code"]
    assert code_cells and all(c.execution_count for c in code_cells), f"tour.ipynb is saved without outputs: {REGENERATE}"
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = nbclient.NotebookClient(fresh, timeout=600, kernel_name=_kernel(tmp_path, monkeypatch),
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()  # raises CellExecutionError on the first cell that fails
    fresh_code = [c for c in fresh.cells if c.cell_type == "code"]
    for number, (old, new) in enumerate(zip(code_cells, fresh_code)):
        assert not [o for o in new.outputs if o["output_type"] == "error"]
        assert not [o for o in new.outputs if o["output_type"] == "stream" and o["name"] == "stderr"], new.source
        assert _texts(old) == _texts(new), f"code cell {number} of tour.ipynb has stale outputs: {REGENERATE}"
    # the pictures are there: the stamps, the matrices, the gather view and its animation, the overlap
    kinds = [key for c in fresh_code for o in c.outputs for key in o.get("data", {}) if key.startswith("image/")]
    assert kinds.count("image/png") >= 5 and kinds.count("image/gif") == 1
    # each picture once: pyplot's inline backend shows the figures, and no cell also returns one
    assert all([key for o in c.outputs for key in o.get("data", {})].count("image/png") <= 1 for c in fresh_code)


def test_tour_uses_the_one_call_module_check_and_asserts_its_claims():
    nbformat = require_module("nbformat", "test")
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert "assert_module_is_transposed_convolution(layer" in code
    # the answer in words: why the kernel is flipped and why T's entries depend on t - s j
    words = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "That is the flip" in words and r"depends on $t - s\,j$" in words
    # a markdown cell that states what an output shows is followed by a code cell that asserts it
    claims = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and ("largest" in c.source or
                                                                               "checkerboard" in c.source)]
    assert claims and all("assert " in cells[i + 1].source for i in claims)
