"""Host routing with the real django-hosts: each host's URLconf decides the route's policy.

django-hosts' ``HostsRequestMiddleware`` sets ``request.urlconf`` per host; with
it above ``CorsMiddleware`` (the order system check E028 enforces), a preflight
answered before the chain, an error response and an ordinary response all get
the policy of the route in the host's own URLconf, even where ROOT_URLCONF has
another route at the same path.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client, override_settings

from tests import settings as test_settings
from tests.conftest import preflight_headers, refused
from tests.testapp.urls_api_host import HOST_ORIGIN

pytest.importorskip("django_hosts", reason="django-hosts is not installed (the dev extra has it)")

PARTNER = "https://partner-a.example"  # allowed by ROOT_URLCONF's /api/partner/ ("partners")
API = {"HTTP_HOST": "api.example.com"}
WWW = {"HTTP_HOST": "www.example.com"}

HOSTS_FIRST = [
    "django_hosts.middleware.HostsRequestMiddleware",
    *test_settings.MIDDLEWARE,
    "django_hosts.middleware.HostsResponseMiddleware",
]


@pytest.fixture(autouse=True)
def hosts() -> Iterator[None]:
    with override_settings(
        INSTALLED_APPS=[*test_settings.INSTALLED_APPS, "django_hosts"],
        MIDDLEWARE=HOSTS_FIRST,
        ROOT_HOSTCONF="tests.testapp.hosts",
        DEFAULT_HOST="www",
        ALLOWED_HOSTS=["api.example.com", "www.example.com", "testserver"],
    ):
        yield


@pytest.mark.parametrize(
    ("extra", "origin", "granted"),
    [
        (API, HOST_ORIGIN, True),
        (API, PARTNER, False),
        (WWW, PARTNER, True),
        (WWW, HOST_ORIGIN, False),
    ],
    ids=["api-host-own-policy", "api-host-refuses-root-policy", "www-root-policy", "www-refuses"],
)
def test_preflight_gets_the_policy_of_the_hosts_route(
    client: Client, extra: dict[str, str], origin: str, granted: bool
) -> None:
    response = client.options("/api/partner/", **extra, **preflight_headers(origin, "GET"))
    if granted:
        assert response.headers["Access-Control-Allow-Origin"] == origin
    else:
        assert refused(response)


def test_a_path_that_is_a_plain_view_in_root_but_has_a_policy_on_the_host(client: Client) -> None:
    response = client.options("/api/plain/", **API, **preflight_headers(HOST_ORIGIN, "GET"))
    assert response.headers["Access-Control-Allow-Origin"] == HOST_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_actual_response_gets_the_hosts_route_policy(client: Client) -> None:
    response = client.get("/api/partner/", HTTP_ORIGIN=HOST_ORIGIN, **API)
    assert response.json() == {"host": "api"}
    assert response.headers["Access-Control-Allow-Origin"] == HOST_ORIGIN


def test_a_500_on_the_hosts_urlconf_gets_the_middleware_headers(lenient_client: Client) -> None:
    origin = "https://app.example.com"  # the global defaults (the view has no policy)
    response = lenient_client.get("/api/host-boom/", HTTP_ORIGIN=origin, **API)
    assert response.status_code == 500
    assert response.headers["Access-Control-Allow-Origin"] == origin


def test_a_404_on_the_host_gets_the_global_defaults(client: Client) -> None:
    origin = "https://app.example.com"
    response = client.get("/api/nowhere/", HTTP_ORIGIN=origin, **API)
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == origin
