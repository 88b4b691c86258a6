"""System checks for origins sources and host routing: E025-E028, W014 (W013: test_checks.py).

Each case is a configuration that triggers the check and a near miss that must
stay silent, run through the registered check functions.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import CheckMessage
from django.test import override_settings
from django.urls import path

from drf_cors import CorsAPIView, CorsPolicy
from drf_cors._source_checks import check_sources
from drf_cors.checks import check_middleware
from tests import settings as test_settings
from tests.conftest import with_cors
from tests.test_checks import urlconf

SOURCE = "tests.testapp.sources.listed"
REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:9",
}


cors = with_cors  # the tests' REST_FRAMEWORK with CORS keys set


def shared(**keys: Any) -> dict[str, Any]:
    """Settings with a shared ORIGINS_CACHE (Redis; never contacted by a check)."""
    return {
        "REST_FRAMEWORK": cors(ORIGINS_CACHE="origins", **keys),
        "CACHES": {**test_settings.CACHES, "origins": REDIS},
    }


def ids(**overrides: Any) -> list[str]:
    with override_settings(**overrides):
        found: list[CheckMessage] = check_sources()
        return [m.id for m in found if m.id]


class ViewWithMissingSource(CorsAPIView):
    cors = CorsPolicy(allowed_origins_source="tests.testapp.sources.no_such_function")


# (id, settings that trigger it, a near miss that stays silent)
SOURCE_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "E025",
        shared(ALLOWED_ORIGINS_SOURCE="tests.testapp.no_such_module.read"),
        shared(ALLOWED_ORIGINS_SOURCE=SOURCE),
    ),
    (
        "E025",
        shared(ALLOWED_ORIGINS_SOURCE="tests.testapp.sources.NOT_CALLABLE"),
        shared(ALLOWED_ORIGINS_SOURCE="tests.testapp.sources.scoped"),
    ),
    (
        "E025",
        shared(POLICIES={"tenants": {"ALLOWED_ORIGINS_SOURCE": "tests.testapp.sources.nope"}}),
        shared(POLICIES={"tenants": {"ALLOWED_ORIGINS_SOURCE": SOURCE}}),
    ),
    (
        "E025",
        {"ROOT_URLCONF": urlconf(path("a/", ViewWithMissingSource.as_view()))},
        {"ROOT_URLCONF": "tests.testapp.urls"},
    ),
    (
        "E026",
        {"REST_FRAMEWORK": cors(ALLOWED_ORIGINS_SOURCE=SOURCE, ORIGINS_CACHE="origins")},
        {
            "REST_FRAMEWORK": cors(ALLOWED_ORIGINS_SOURCE=SOURCE, ORIGINS_CACHE="origins"),
            "CACHES": {**test_settings.CACHES, "origins": REDIS},
        },
    ),
    (
        "E026",
        {"REST_FRAMEWORK": cors(ORIGINS_CACHE="origins")},  # set, even before a source is
        {"REST_FRAMEWORK": cors(ORIGINS_CACHE="default")},
    ),
    (
        "E027",
        {"REST_FRAMEWORK": cors(ORIGINS_REFRESH=0)},
        {"REST_FRAMEWORK": cors(ORIGINS_REFRESH=1)},
    ),
    (
        "E027",
        {"REST_FRAMEWORK": cors(ORIGINS_REFRESH="10")},
        {"REST_FRAMEWORK": cors(ORIGINS_REFRESH=10)},
    ),
    (
        "W014",
        {"REST_FRAMEWORK": cors(ALLOWED_ORIGINS_SOURCE=SOURCE)},  # the tests' LocMemCache
        {
            "REST_FRAMEWORK": cors(ALLOWED_ORIGINS_SOURCE=SOURCE, ORIGINS_CACHE="origins"),
            "CACHES": {**test_settings.CACHES, "origins": REDIS},
        },
    ),
]


@pytest.mark.parametrize("case", SOURCE_CASES, ids=lambda case: case[0])
def test_source_check_reports_the_mistake(case: tuple[str, dict[str, Any], Any]) -> None:
    assert f"drf_cors.{case[0]}" in ids(**case[1])


@pytest.mark.parametrize("case", SOURCE_CASES, ids=lambda case: case[0])
def test_source_check_is_silent_for_the_near_miss(case: tuple[str, Any, dict[str, Any]]) -> None:
    assert ids(**case[2]) == []


def test_an_unimportable_source_says_what_failed() -> None:
    with override_settings(**shared(ALLOWED_ORIGINS_SOURCE="tests.testapp.sources.x")):
        (message,) = check_sources()
    assert message.msg.startswith(
        'REST_FRAMEWORK["CORS"]["ALLOWED_ORIGINS_SOURCE"] is \'tests.testapp.sources.x\', which '
        "does not import"
    )
    assert "takes no argument" in message.hint


def test_the_per_process_warning_says_what_it_costs() -> None:
    with override_settings(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE)):
        (message,) = check_sources()
    assert "refresh_origins() reaches only the process that calls it" in message.msg


def test_checks_never_read_a_source() -> None:
    from tests.testapp import sources

    sources.CALLS.clear()
    ids(REST_FRAMEWORK=cors(ALLOWED_ORIGINS_SOURCE=SOURCE))
    assert sources.CALLS == []


HOSTS = "django_hosts.middleware.HostsRequestMiddleware"
CORS = "drf_cors.middleware.CorsMiddleware"


@pytest.mark.parametrize(
    ("middleware", "expected"),
    [
        ([CORS, HOSTS, "django.middleware.common.CommonMiddleware"], ["drf_cors.E028"]),
        ([HOSTS, CORS, "django.middleware.common.CommonMiddleware"], []),
        ([CORS, "django_tenants.middleware.main.TenantMainMiddleware"], ["drf_cors.E028"]),
        ([CORS, "tests.testapp.middleware.SpyMiddleware"], []),
    ],
    ids=["hosts-below", "hosts-above", "tenants-below", "unrelated-below"],
)
def test_urlconf_setting_middleware_must_precede_cors(
    middleware: list[str], expected: list[str]
) -> None:
    with override_settings(MIDDLEWARE=middleware):
        assert [m.id for m in check_middleware()] == expected


def test_a_subclass_of_hosts_middleware_is_recognised() -> None:
    pytest.importorskip("django_hosts")
    with override_settings(MIDDLEWARE=[CORS, "tests.testapp.middleware.OwnHostsMiddleware"]):
        assert [m.id for m in check_middleware()] == ["drf_cors.E028"]
