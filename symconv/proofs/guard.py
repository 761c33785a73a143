"""A mistake is a result: what goes wrong inside a proof becomes a failed step, never an exception.

Invalid *user input* (a spec of the wrong kind, a shape the layer cannot take) is refused with symconv's
errors before a proof starts.  Once the input is validated the proof calls :func:`started`; from then on any
exception — a formula that no longer computes an integer, a builder that breaks, a spec method that refuses
what a mistaken formula made of valid input — is the proof's finding: ``holds`` is False, and the step
``construction`` says what broke.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import Any

import sympy

from ..errors import SizeLimitError, SymconvError
from .core import Proof, Step

__all__ = ["guarded", "started"]

_STARTED: contextvars.ContextVar[bool] = contextvars.ContextVar("symconv_proof_started", default=False)


def started() -> None:
    """Mark the end of input validation in the running proof: later errors are the proof's findings."""
    _STARTED.set(True)


def guarded(title: str) -> Callable:
    """Decorate a ``prove_*`` function so that, after :func:`started`, no exception escapes it."""

    def decorate(prove: Callable[..., Proof]) -> Callable[..., Proof]:
        @functools.wraps(prove)
        def run(*args: Any, **kwargs: Any) -> Proof:
            token = _STARTED.set(False)
            try:
                return prove(*args, **kwargs)
            except (MemoryError, KeyboardInterrupt, SizeLimitError):
                raise
            except SymconvError as exc:
                if not _STARTED.get():  # the user's input, refused before the proof began
                    raise
                return _failed(title, exc)
            except Exception as exc:  # noqa: BLE001 - any breakage of the mathematics is a result
                return _failed(title, exc)
            finally:
                _STARTED.reset(token)

        return run

    return decorate


def _failed(title: str, exc: BaseException) -> Proof:
    step = Step(sympy.Symbol("construction"), sympy.Symbol("construction"), "carrying out the proof", "arithmetic",
                False, f"the proof could not be carried out: {type(exc).__name__}: {exc}", name="construction")
    return Proof(title, "The proof could not be carried out on this layer.", (step,))
