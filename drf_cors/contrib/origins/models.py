"""``AllowedOrigin``: one origin the admins allow, for every host or one, globally or per policy."""

from __future__ import annotations

from collections.abc import Callable, Collection

from django.core.exceptions import ValidationError
from django.db import models

from ._validation import check_origin, check_policy, clean_host


class AllowedOrigin(models.Model):
    """A row of ``drf_cors.contrib.origins.source``; ``full_clean()`` refuses what it would skip."""

    origin = models.CharField(
        max_length=300,
        help_text="An exact origin ('https://app.example.com') or a pattern "
        "('https://*.example.com', 'http://localhost:*'), as in ALLOWED_ORIGINS.",
    )
    host = models.CharField(
        max_length=253,
        blank=True,
        default="",
        help_text="The request host name this origin is allowed on ('api.example.com', "
        "no port). Blank: every host.",
    )
    policy = models.CharField(
        max_length=100,
        blank=True,
        default="",
        help_text="The POLICIES entry this row serves. Blank: wherever the source is set "
        "globally or on a CorsPolicy.",
    )
    note = models.CharField(
        max_length=255, blank=True, default="", help_text='e.g. "tenant Acme\'s front end".'
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("host", "policy", "origin")
        constraints = (
            models.UniqueConstraint(
                fields=("origin", "host", "policy"), name="drf_cors_origins_unique_origin"
            ),
        )
        verbose_name = "allowed origin"
        verbose_name_plural = "allowed origins"

    def __str__(self) -> str:
        where = f" on {self.host}" if self.host else ""
        policy = f" (policy {self.policy!r})" if self.policy else ""
        return f"{self.origin}{where}{policy}"

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        """Django's field checks, then drf_cors' rules for the origin, the host and the policy."""
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as exc:
            errors = {field: list(found) for field, found in exc.error_dict.items()}
        skip = set(exclude or ()) | set(errors)
        rules: list[tuple[str, Callable[[], None]]] = [
            ("origin", lambda: check_origin(self.origin)),
            ("host", self._clean_host),
            ("policy", lambda: check_policy(self.policy)),
        ]
        for field, rule in rules:
            if field in skip:
                continue
            try:
                rule()
            except ValidationError as exc:
                errors[field] = exc.error_list
        if errors:
            raise ValidationError(errors)

    def _clean_host(self) -> None:
        if self.host:
            self.host = clean_host(self.host)
