"""Writing documents: atomically, and compiling them with pdflatex."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile

__all__ = ["write_atomic", "compile_pdf", "OutputError", "TexNotFoundError", "TexFailedError", "PDFLATEX_ARGS"]

PDFLATEX_ARGS = ("-no-shell-escape", "-halt-on-error", "-interaction=nonstopmode")


class TexNotFoundError(RuntimeError):
    """No pdflatex on PATH."""


class TexFailedError(RuntimeError):
    """pdflatex ran and failed."""


class OutputError(OSError):
    """A document could not be written; the message names the user's path (never a temporary file)."""


def _output_error(path: str, exc: OSError) -> OutputError:
    error = OutputError(f"cannot write {path}: {exc.strerror or exc}")
    error.errno = exc.errno
    return error


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    On any error the temporary file is removed, an existing ``path`` is left
    byte-for-byte unchanged, and :class:`OutputError` names ``path``.

    Parameters
    ----------
    path : str or path-like
        The file to write.
    text : str
        Its content (UTF-8).

    Returns
    -------
    None

    Raises
    ------
    OutputError
        When ``path`` cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "proof.tex"
    >>> write_atomic(target, "a proof")
    >>> target.read_text()
    'a proof'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".symconv-", suffix=".tmp")
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise _output_error(path, exc) from exc
    except BaseException:
        if tmp is not None:
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


def compile_pdf(tex_path: str | os.PathLike, *, runs: int = 1, timeout: float = 300, keep_files: bool = False) -> str:
    """Compile a .tex file with pdflatex (no shell escape) and put the PDF next to it; return the PDF's path.

    pdflatex runs in a temporary directory (files the document includes are
    found next to the .tex through ``TEXINPUTS``), so no ``.aux`` or ``.log``
    is left beside the PDF unless ``keep_files`` is true.  Errors name
    ``tex_path``, never the temporary directory.

    Parameters
    ----------
    tex_path : str or path-like
        The document.
    runs : int
        How many times pdflatex runs (2 resolves references).
    timeout : float
        Seconds per run.
    keep_files : bool
        Keep the ``.aux`` and ``.log`` next to the PDF.

    Returns
    -------
    str
        The PDF's path.

    Raises
    ------
    TexNotFoundError
        Without pdflatex.
    TexFailedError
        When pdflatex fails (the first error line of its log is in the message).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from symconv import ConvSpec, prove_transpose
    >>> tex = pathlib.Path(tempfile.mkdtemp()) / "proof.tex"
    >>> write_atomic(tex, prove_transpose(ConvSpec(3, stride=2), (5,)).to_document())
    >>> compile_pdf(tex).endswith("proof.pdf")  # needs pdflatex; tests/test_cli.py runs it  # doctest: +SKIP
    True
    """
    exe = shutil.which("pdflatex")
    if exe is None:
        raise TexNotFoundError("pdflatex is not installed (Debian: apt-get install texlive-latex-base "
                               "texlive-latex-recommended texlive-fonts-recommended lmodern)")
    tex_path = os.path.abspath(os.fspath(tex_path))
    directory = os.path.dirname(tex_path)
    stem = os.path.splitext(os.path.basename(tex_path))[0]
    env = dict(os.environ, TEXINPUTS=directory + os.pathsep + os.environ.get("TEXINPUTS", ""))
    with tempfile.TemporaryDirectory(prefix="symconv-tex-") as work:
        source = os.path.join(work, stem + ".tex")
        shutil.copyfile(tex_path, source)
        for _ in range(runs):
            result = subprocess.run([exe, *PDFLATEX_ARGS, stem + ".tex"], cwd=work, env=env, capture_output=True,
                                    text=True, errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)
            if result.returncode != 0:
                errors = [line for line in result.stdout.splitlines() if line.startswith("!")]
                raise TexFailedError(f"pdflatex failed on {tex_path}: "
                                     f"{errors[0] if errors else 'exit code ' + str(result.returncode)}")
        produced = [stem + ".pdf"] + ([stem + ".aux", stem + ".log"] if keep_files else [])
        for name in produced:
            if os.path.exists(os.path.join(work, name)):
                try:
                    shutil.copyfile(os.path.join(work, name), os.path.join(directory, name))
                except OSError as exc:
                    raise _output_error(os.path.join(directory, name), exc) from exc
    return os.path.join(directory, stem + ".pdf")
