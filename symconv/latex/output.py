"""Writing documents: atomically, and compiling them with pdflatex."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile

__all__ = ["write_atomic", "compile_pdf", "TexNotFoundError", "TexFailedError", "PDFLATEX_ARGS"]

PDFLATEX_ARGS = ("-no-shell-escape", "-halt-on-error", "-interaction=nonstopmode")


class TexNotFoundError(RuntimeError):
    """No pdflatex on PATH."""


class TexFailedError(RuntimeError):
    """pdflatex ran and failed."""


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    On any error the temporary file is removed and an existing ``path`` is left
    byte-for-byte unchanged.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".symconv-", suffix=".tmp")
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mode_for(path: str) -> int:
    """The permissions a plain open() would give: the existing file's, else 0o666 less the umask."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def compile_pdf(tex_path: str | os.PathLike, *, runs: int = 1, timeout: float = 300) -> str:
    """Compile a .tex file next to itself with pdflatex (no shell escape); return the PDF's path."""
    exe = shutil.which("pdflatex")
    if exe is None:
        raise TexNotFoundError("pdflatex is not installed (Debian: apt-get install texlive-latex-base texlive-latex-recommended)")
    tex_path = os.path.abspath(os.fspath(tex_path))
    directory = os.path.dirname(tex_path)
    for _ in range(runs):
        result = subprocess.run([exe, *PDFLATEX_ARGS, "-output-directory", directory, tex_path], cwd=directory,
                                capture_output=True, text=True, errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            errors = [line for line in result.stdout.splitlines() if line.startswith("!")]
            raise TexFailedError(f"pdflatex failed on {tex_path}: {errors[0] if errors else 'exit code ' + str(result.returncode)}")
    return os.path.splitext(tex_path)[0] + ".pdf"
