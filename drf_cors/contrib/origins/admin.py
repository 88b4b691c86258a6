"""The admin of ``AllowedOrigin``: its form refuses what the source would skip (``full_clean``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from .models import AllowedOrigin

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[AllowedOrigin]
else:
    _ModelAdmin = admin.ModelAdmin


@admin.register(AllowedOrigin)
class AllowedOriginAdmin(_ModelAdmin):
    """Saves and deletes (``delete_selected`` included) send the signals that refresh origins."""

    list_display = ("origin", "host", "policy", "note", "updated")
    list_filter = ("host", "policy")
    search_fields = ("origin", "note")
    fields = ("origin", "host", "policy", "note", "created", "updated")
    readonly_fields = ("created", "updated")
