"""Regenerate every derivation: the golden .tex files and their figures.

    python derivations/regenerate.py            # write every .tex (and the figure)
    python derivations/regenerate.py --check    # exit 1 if a committed .tex differs from what the scripts build

The golden files are written only by this script (tests/test_derivations.py
checks that each committed file equals what :data:`NAMES`' scripts build).
"""

from __future__ import annotations

import importlib
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the repository's symconv, not another installed copy
    sys.path.insert(1, str(ROOT))

from _common import HERE, write  # noqa: E402

NAMES = ("seed_question", "theorem_general", "instance_2d_groups", "arithmetic", "checkerboard", "gram",
         "padding_modes")
"""The derivation scripts, in reading order; each has ``NAME`` and ``build() -> str``."""


def build_all() -> dict[str, str]:
    """Every derivation's LaTeX, by file stem."""
    out = {}
    for name in NAMES:
        module = importlib.import_module(name)
        out[module.NAME] = module.build()
    return out


def stale() -> list[str]:
    """The derivations whose committed .tex differs from what the scripts build."""
    built = build_all()
    return [name for name, text in built.items()
            if not (HERE / f"{name}.tex").exists() or (HERE / f"{name}.tex").read_text() != text]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        names = stale()
        for name in names:
            print(f"derivations/{name}.tex is stale: run python derivations/regenerate.py")
        return 1 if names else 0
    for name, text in build_all().items():
        print(write(name, text))
    seed = importlib.import_module("seed_question")
    try:
        print(seed.draw())
        print(importlib.import_module("padding_modes").draw())  # the fold, one panel per mode
        for path in importlib.import_module("make_figures").draw():  # the symconv.plot figures the documents include
            print(path)
        for path in importlib.import_module("gram").draw():  # the round trip's figures
            print(path)
    except ImportError:
        print("matplotlib is not installed: the figure was not redrawn (pip install 'symconv[figures]')")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main(sys.argv[1:]))
