"""CORS for Django REST Framework, per view, per viewset and per action."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .policy import CorsPolicy

__all__ = ["CorsAPIView", "CorsAPIViewMixin", "CorsPolicy", "cors_policy", "refresh_origins"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from .conf import refresh_origins
    from .decorators import cors_policy
    from .views import CorsAPIView, CorsAPIViewMixin


def __getattr__(name: str) -> Any:
    # The views import DRF, which reads Django settings: import them on first
    # use so ``import drf_cors`` works in settings modules and before setup.
    if name in ("CorsAPIView", "CorsAPIViewMixin"):
        from . import views

        return getattr(views, name)
    if name == "cors_policy":
        from .decorators import cors_policy

        return cors_policy
    if name == "refresh_origins":
        from .conf import refresh_origins

        return refresh_origins
    raise AttributeError(f"module 'drf_cors' has no attribute {name!r}")
