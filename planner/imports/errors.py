"""The error of an import from Dynatrace (:mod:`planner.imports.baseline`):
input that cannot be imported, with a message that names the file, the call or
the field. Every module of the import raises it, so the command line reports
one line and no traceback."""

from __future__ import annotations

__all__ = ["BaselineError"]


class BaselineError(ValueError):
    """Input that cannot be imported; the message names the file, call or field."""
