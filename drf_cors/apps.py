from __future__ import annotations

from django.apps import AppConfig, apps
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


class DrfCorsConfig(AppConfig):
    name = "drf_cors"
    verbose_name = "CORS for Django REST framework"

    def ready(self) -> None:
        from . import checks as cors_checks
        from . import conf  # noqa: F401  (connects setting_changed)
        from ._source_checks import check_sources

        checks.register(cors_checks.check_settings, checks.Tags.security)
        checks.register(cors_checks.check_middleware, checks.Tags.security)
        checks.register(cors_checks.check_views, checks.Tags.security, checks.Tags.urls)
        checks.register(cors_checks.check_switching, checks.Tags.security)
        checks.register(check_sources, checks.Tags.security)


def ensure_installed(user: str) -> None:
    """Raise ``ImproperlyConfigured`` if drf_cors is used but not in ``INSTALLED_APPS``.

    Without the app its system checks never run, so a policy that can never
    match, or credentials with all origins, would go unreported; the middleware,
    the mixin and the decorator call this when they are set up (startup, or
    URLconf import), so the mistake stops the server instead. Before the app
    registry is populated nothing can be known, and nothing is said.
    """
    if apps.apps_ready and not apps.is_installed("drf_cors"):
        raise ImproperlyConfigured(
            f"{user} uses drf_cors, but 'drf_cors' is not in INSTALLED_APPS: its system "
            "checks would never run, and a CORS setting that is wrong or unsafe would go "
            "unreported. Add 'drf_cors' to INSTALLED_APPS."
        )
