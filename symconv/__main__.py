"""``python -m symconv``: the same command as ``symconv``."""

import sys

from .cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
