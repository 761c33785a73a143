"""Error classes of symconv.

Every invalid input raises one of these.  Each subclasses :class:`ValueError` or
:class:`TypeError`, so callers may catch either the symconv class or the
built-in one.  Messages name the parameter, the value and the rule.
"""

from __future__ import annotations

__all__ = ["SymconvError", "SpecError", "SpecTypeError", "ShapeError", "SizeLimitError"]


class SymconvError(Exception):
    """Base class of every error symconv raises on purpose."""


class SpecError(SymconvError, ValueError):
    """A layer parameter has a value outside its rule (e.g. ``stride=0``)."""


class SpecTypeError(SymconvError, TypeError):
    """A parameter has the wrong type (e.g. ``stride=1.5`` or ``stride=True``)."""


class ShapeError(SymconvError, ValueError):
    """An input shape, weight shape or tensor does not fit the layer."""


class SizeLimitError(SymconvError, ValueError):
    """A request exceeds a documented size bound (see the ``max_*`` arguments)."""
