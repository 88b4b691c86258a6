"""Middleware that runs before drf_cors sees a preflight, and might answer it itself.

Whether a middleware answers ``OPTIONS`` cannot be known without running it,
so ``cors_explain`` names each one that runs first and is not known to leave
``OPTIONS`` alone: if it answers (a redirect, a 401, its own 200), the browser
gets that answer and drf_cors never sees the preflight. drf_cors' middleware
answers preflights before the rest of the chain, so only what is above it
counts; without it, everything in ``MIDDLEWARE`` runs before the view.
"""

from __future__ import annotations

from typing import Final

from django.conf import settings

OURS: Final = "drf_cors.middleware.CorsMiddleware"

#: Never answer an OPTIONS request themselves: they add headers, compress,
#: read cookies or only act on other methods. ``CommonMiddleware`` (slash
#: and www redirects), ``LocaleMiddleware`` (language redirects) and
#: ``LoginRequiredMiddleware`` (login redirects) can, and are not here.
HARMLESS: Final = frozenset(
    {
        OURS,
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.gzip.GZipMiddleware",
        "django.middleware.http.ConditionalGetMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "django.middleware.cache.UpdateCacheMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.contrib.sites.middleware.CurrentSiteMiddleware",
        # Serves STATIC_URL paths only, never an API's.
        "whitenoise.middleware.WhiteNoiseMiddleware",
    }
)


def runs_first() -> tuple[list[str], bool]:
    """``(middleware that may answer a preflight first, whether drf_cors' middleware is there)``."""
    found = getattr(settings, "MIDDLEWARE", None)
    middleware = [str(m) for m in found] if isinstance(found, (list, tuple)) else []
    ours = OURS in middleware
    before = middleware[: middleware.index(OURS)] if ours else middleware
    return [m for m in before if m not in HARMLESS], ours


def preflight_note() -> str | None:
    """The ``cors_explain`` line for a preflight, or ``None`` when nothing runs first."""
    names, ours = runs_first()
    if not names:
        return None
    where = f"above {OURS}" if ours else f"and {OURS} is not in MIDDLEWARE"
    return (
        f"Note: MIDDLEWARE runs {', '.join(names)} first ({where}): if "
        f"{'it answers' if len(names) == 1 else 'one of them answers'} OPTIONS itself, "
        "drf_cors never sees the preflight and the browser gets that answer instead."
    )
