"""The admins' table and its source: ``drf_cors.contrib.origins`` (one place to name them)."""

from __future__ import annotations

from typing import Any

from drf_cors.contrib.origins import APP, source

__all__ = ["APP", "inner_source", "model"]

#: What the counted wrapper (``counting.py``) delegates to.
inner_source = source


def model() -> Any:
    """``AllowedOrigin`` (imported late: this module is read while settings load)."""
    from drf_cors.contrib.origins.models import AllowedOrigin

    return AllowedOrigin
