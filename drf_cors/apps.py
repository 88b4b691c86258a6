from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class DrfCorsConfig(AppConfig):
    name = "drf_cors"
    verbose_name = "CORS for Django REST framework"

    def ready(self) -> None:
        from . import checks as cors_checks
        from . import conf  # noqa: F401  (connects setting_changed)

        checks.register(cors_checks.check_settings, checks.Tags.security)
        checks.register(cors_checks.check_middleware, checks.Tags.security)
        checks.register(cors_checks.check_views, checks.Tags.security, checks.Tags.urls)
