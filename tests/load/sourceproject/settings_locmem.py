"""The source project with a per-process ``ORIGINS_CACHE`` (``LocMemCache``): no sharing at all.

Each process reads the source itself, and a ``refresh_origins()`` in another
process cannot reach this one's memory.
"""

from .settings import *  # noqa: F403
from .settings import CACHES

CACHES = {
    **CACHES,
    "origins": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "origins"},
}
