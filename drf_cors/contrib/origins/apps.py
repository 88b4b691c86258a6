from __future__ import annotations

from django.apps import AppConfig


class OriginsConfig(AppConfig):
    """The ``AllowedOrigin`` table, its admin, and ``refresh_origins()`` when it changes."""

    name = "drf_cors.contrib.origins"
    label = "drf_cors_origins"
    verbose_name = "CORS: allowed origins"
    # Spelled out so the migration does not depend on the project's DEFAULT_AUTO_FIELD.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .signals import origins_changed

        model = self.get_model("AllowedOrigin")
        post_save.connect(origins_changed, sender=model, dispatch_uid="drf_cors_origins.save")
        post_delete.connect(origins_changed, sender=model, dispatch_uid="drf_cors_origins.delete")
