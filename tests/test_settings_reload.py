"""``override_settings`` takes effect at once: before, inside and after."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.conftest import preflight_headers, refused

NEW = "https://new.example"


@pytest.mark.parametrize("path", ["/api/spy/", "/api/plain/", "/api/partner/"])
def test_before_inside_and_after(client: Client, path: str) -> None:
    def granted() -> str | None:
        return client.get(path, HTTP_ORIGIN=NEW).headers.get("Access-Control-Allow-Origin")

    assert granted() is None
    with override_settings(
        REST_FRAMEWORK={
            "CORS": {"ALLOWED_ORIGINS": [NEW], "POLICIES": {"partners": {"ALLOWED_ORIGINS": [NEW]}}}
        }
    ):
        assert granted() == NEW
    assert granted() is None


def test_urls_regex_change_applies_at_once(client: Client) -> None:
    origin = "https://a.example.org"
    assert client.get("/outside/plain/", HTTP_ORIGIN=origin).has_header(
        "Access-Control-Allow-Origin"
    )
    with override_settings(
        REST_FRAMEWORK={"CORS": {"ALLOWED_ORIGINS": [origin], "URLS_REGEX": r"^/api/"}}
    ):
        assert not client.get("/outside/plain/", HTTP_ORIGIN=origin).has_header(
            "Access-Control-Allow-Origin"
        )
    assert client.get("/outside/plain/", HTTP_ORIGIN=origin).has_header(
        "Access-Control-Allow-Origin"
    )


def test_max_age_change_applies_to_preflights(client: Client) -> None:
    app = "https://app.example.com"
    with override_settings(
        REST_FRAMEWORK={"CORS": {"ALLOWED_ORIGINS": [app], "PREFLIGHT_MAX_AGE": 5}}
    ):
        inside = client.options("/api/spy/", **preflight_headers(app, "GET"))
    after = client.options("/api/spy/", **preflight_headers(app, "GET"))
    assert inside.headers["Access-Control-Max-Age"] == "5"
    assert after.headers["Access-Control-Max-Age"] == "86400"


def test_settings_fixture_changes_apply(client: Client, settings: object) -> None:
    settings.REST_FRAMEWORK = {"CORS": {"ALLOW_ALL_ORIGINS": True}}  # type: ignore[attr-defined]
    response = client.get("/api/plain/", HTTP_ORIGIN=NEW)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_no_rest_framework_setting_means_defaults(client: Client, settings: object) -> None:
    del settings.REST_FRAMEWORK  # type: ignore[attr-defined]
    response = client.options("/api/plain/", **preflight_headers(NEW, "GET"))
    assert refused(response)


def test_rest_framework_not_a_dict(client: Client, settings: object) -> None:
    settings.REST_FRAMEWORK = ["nonsense"]  # type: ignore[attr-defined]
    response = client.options("/api/plain/", **preflight_headers(NEW, "GET"))
    assert refused(response)
