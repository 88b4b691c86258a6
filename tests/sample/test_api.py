"""The sample project's notes API behaves, CORS included, through Django's request path."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from model_bakery import baker

import drf_cors

from .conftest import OTHER, PAGE, PARTNER

pytestmark = pytest.mark.django_db


def test_public_feed_lists_only_public_notes(client: Client, Note: Any) -> None:
    baker.make(Note, public=True, _quantity=2)
    baker.make(Note, public=False)
    response = client.get("/api/notes/public/")
    assert response.json()["count"] == 2


def test_public_feed_sends_total_count(client: Client, Note: Any) -> None:
    baker.make(Note, public=True, _quantity=7)
    response = client.get("/api/notes/public/")
    assert (response.headers["X-Total-Count"], len(response.json()["results"])) == ("7", 5)


def test_notes_list_needs_authentication(client: Client) -> None:
    response = client.get("/api/notes/")
    assert (response.status_code, response.headers["WWW-Authenticate"]) == (401, "Token")


def test_notes_list_shows_only_own_notes(token_client: Client, demo_user: User, Note: Any) -> None:
    mine = baker.make(Note, owner=demo_user)
    baker.make(Note, public=True)
    response = token_client.get("/api/notes/")
    assert [note["id"] for note in response.json()["results"]] == [mine.id]


def test_notes_list_sends_total_count(token_client: Client, demo_user: User, Note: Any) -> None:
    baker.make(Note, owner=demo_user, _quantity=3)
    response = token_client.get("/api/notes/?page_size=1")
    assert response.headers["X-Total-Count"] == "3"


def test_create_note_belongs_to_the_caller(
    token_client: Client, demo_user: User, Note: Any
) -> None:
    response = token_client.post("/api/notes/", {"title": "New"}, content_type="application/json")
    assert Note.objects.get(id=response.json()["id"]).owner == demo_user


def test_someone_elses_note_is_not_found(token_client: Client, Note: Any) -> None:
    theirs = baker.make(Note, public=True)
    response = token_client.patch(
        f"/api/notes/{theirs.id}/", {"title": "Mine now"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_login_without_csrf_token_is_refused(page_client: Client, demo_user: User) -> None:
    response = page_client.post(
        "/api/auth/login/",
        {"username": "demo", "password": "demo-password"},
        content_type="application/json",
    )
    assert (response.status_code, response.headers["Access-Control-Allow-Origin"]) == (403, PAGE)


def test_login_with_csrf_token_starts_a_session(page_client: Client, demo_user: User) -> None:
    token = page_client.get("/api/auth/csrf/").json()["csrfToken"]
    page_client.post(
        "/api/auth/login/",
        {"username": "demo", "password": "demo-password"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert page_client.get("/api/auth/me/").json() == {"username": "demo", "authenticated": True}


def test_login_with_wrong_password_is_400(page_client: Client, demo_user: User) -> None:
    token = page_client.get("/api/auth/csrf/").json()["csrfToken"]
    response = page_client.post(
        "/api/auth/login/",
        {"username": "demo", "password": "wrong"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 400


def test_logout_ends_the_session(client: Client, demo_user: User) -> None:
    client.force_login(demo_user)
    client.post("/api/auth/logout/")
    assert client.get("/api/auth/me/").json()["authenticated"] is False


def test_token_endpoint_returns_a_token(client: Client, demo_user: User) -> None:
    response = client.post(
        "/api/auth/token/",
        {"username": "demo", "password": "demo-password"},
        content_type="application/json",
    )
    assert len(response.json()["token"]) == 40


def test_stats_is_throttled_on_the_fourth_call(client: Client) -> None:
    for _ in range(3):
        client.get("/api/stats/", HTTP_ORIGIN=PAGE)
    response = client.get("/api/stats/", HTTP_ORIGIN=PAGE)
    assert (response.status_code, response.headers["Access-Control-Expose-Headers"]) == (
        429,
        "Retry-After",
    )


def test_stats_preflight_never_counts_against_the_throttle(client: Client) -> None:
    for _ in range(5):
        client.options("/api/stats/", HTTP_ORIGIN=PAGE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert client.get("/api/stats/").status_code == 200


def test_async_clock_counts_public_notes(client: Client, Note: Any) -> None:
    baker.make(Note, public=True, _quantity=2)
    assert client.get("/api/clock/").json() == {"public_notes": 2}


def test_search_finds_public_notes_only(client: Client, Note: Any) -> None:
    baker.make(Note, title="CORS basics", public=True)
    baker.make(Note, title="Private", body="about CORS", public=False)
    baker.make(Note, title="Other", public=True)
    response = client.get("/api/search/?q=cors")
    assert (response.json(), response.headers["X-Total-Count"]) == (
        {"results": ["CORS basics"]},
        "1",
    )


def test_export_is_a_download_of_the_public_notes(client: Client, Note: Any) -> None:
    baker.make(Note, title="Shared", body="hello", public=True)
    baker.make(Note, public=False)
    response = client.get("/api/export/", HTTP_ORIGIN=PAGE)
    assert (
        response.json(),
        response.headers["Content-Disposition"],
        response.headers["Access-Control-Expose-Headers"],
    ) == (
        {"notes": [{"title": "Shared", "body": "hello"}]},
        'attachment; filename="public-notes.json"',
        "Content-Disposition",
    )


def test_seed_demo_can_run_twice(Note: Any, AllowedOrigin: Any) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        sorted(User.objects.values_list("username", "is_superuser")),
        Note.objects.count(),
        list(AllowedOrigin.objects.values_list("origin", "policy")),
    ) == ([("admin", True), ("demo", False)], 5, [(PAGE, "embeds")])


def test_seed_demo_keeps_origins_added_in_the_admin(AllowedOrigin: Any) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    AllowedOrigin.objects.create(origin=OTHER, policy="embeds")
    call_command("seed_demo", stdout=io.StringIO())
    assert sorted(AllowedOrigin.objects.values_list("origin", flat=True)) == sorted([PAGE, OTHER])


#: (path, origin, Access-Control-Allow-Origin the response must carry or None)
ALLOW_ORIGIN = [
    ("/api/health/", PAGE, "*"),
    ("/api/health/", OTHER, "*"),
    ("/api/notes/public/", OTHER, "*"),
    ("/api/notes/", PAGE, PAGE),
    ("/api/notes/", OTHER, None),
    ("/api/clock/", PAGE, PAGE),
    ("/api/clock/", OTHER, None),
    ("/api/version/", PAGE, PAGE),
    ("/api/version/", OTHER, None),
    ("/api/search/", PAGE, PAGE),
    ("/api/search/", OTHER, None),
    ("/api/export/", PAGE, PAGE),
    ("/api/export/", OTHER, None),
    ("/api/partners/", PARTNER, PARTNER),
    ("/api/partners/", PAGE, None),
    ("/api/internal/", PAGE, None),
    ("/api/no-such-route/", PAGE, PAGE),
    ("/api/auth/me/", PAGE, PAGE),
    ("/api/auth/me/", OTHER, None),
]


@pytest.mark.parametrize(
    ("path", "origin", "allowed"),
    ALLOW_ORIGIN,
    ids=[f"{p.strip('/').replace('/', '-')}-from-{o.split('//')[1]}" for p, o, _ in ALLOW_ORIGIN],
)
def test_allow_origin(client: Client, path: str, origin: str, allowed: str | None) -> None:
    response = client.get(path, HTTP_ORIGIN=origin)
    assert response.headers.get("Access-Control-Allow-Origin") == allowed


def test_deliberate_500_keeps_its_cors_headers() -> None:
    response = Client(raise_request_exception=False).get("/api/boom/", HTTP_ORIGIN=PAGE)
    assert (response.status_code, response.headers["Access-Control-Allow-Origin"]) == (500, PAGE)


def test_disabled_route_does_not_vary_on_origin(client: Client) -> None:
    response = client.get("/api/internal/", HTTP_ORIGIN=PAGE)
    assert "Origin" not in response.headers.get("Vary", "")


@pytest.mark.parametrize(
    ("path", "method", "headers", "allowed"),
    [
        ("/api/notes/1/", "PATCH", "authorization,content-type,x-demo-client", True),
        ("/api/notes/1/", "PUT", "x-not-listed", False),
        ("/api/notes/public/", "POST", "content-type", False),
        ("/api/auth/login/", "POST", "content-type,x-csrftoken", True),
        ("/api/auth/login/", "POST", "authorization", False),
    ],
    ids=[
        "notes-patch-custom-header",
        "notes-unlisted-header",
        "public-feed-read-only",
        "login-csrf-header",
        "login-no-authorization",
    ],
)
def test_preflight(client: Client, path: str, method: str, headers: str, allowed: bool) -> None:
    """Judged by the header the browser reads (a refusal's status depends on DEBUG)."""
    response = client.options(
        path,
        HTTP_ORIGIN=PAGE,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )
    assert ("Access-Control-Allow-Origin" in response.headers) is allowed


def test_notes_send_credentials_header(client: Client) -> None:
    response = client.get("/api/notes/", HTTP_ORIGIN=PAGE)
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_public_feed_never_sends_credentials_header(client: Client) -> None:
    response = client.get("/api/notes/public/", HTTP_ORIGIN=PAGE)
    assert "Access-Control-Allow-Credentials" not in response.headers


#: Methods the policy allows and the route does not implement, one per way of
#: attaching a policy: (path, method, request headers the browser asks for).
NOT_IMPLEMENTED = [
    ("/api/notes/", "PUT", "authorization,content-type,x-demo-client"),
    ("/api/notes/", "DELETE", "authorization,x-demo-client"),
    ("/api/search/", "PUT", "content-type"),
    ("/api/export/", "DELETE", "content-type"),
    ("/api/version/", "PUT", "content-type"),
    ("/api/auth/token/", "DELETE", "content-type"),
]
NOT_IMPLEMENTED_IDS = [
    "viewset-list-put",
    "viewset-list-delete",
    "api-view",
    "plain-view",
    "middleware-only",
    "mixin-apiview",
]


@pytest.mark.parametrize(("path", "method", "headers"), NOT_IMPLEMENTED, ids=NOT_IMPLEMENTED_IDS)
def test_preflight_for_a_method_the_route_lacks_is_granted(
    client: Client, path: str, method: str, headers: str
) -> None:
    """The policy alone decides: Allow-Methods lists the policy's methods, this one too."""
    response = client.options(
        path,
        HTTP_ORIGIN=PAGE,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )
    assert (
        response.status_code,
        response.headers.get("Access-Control-Allow-Origin"),
        method in response.headers.get("Access-Control-Allow-Methods", "").split(", "),
    ) == (200, PAGE, True)


@pytest.mark.parametrize(("path", "method", "headers"), NOT_IMPLEMENTED, ids=NOT_IMPLEMENTED_IDS)
def test_method_the_route_lacks_gets_a_readable_405(
    token_client: Client, path: str, method: str, headers: str
) -> None:
    """The actual request, CSRF checks on as in a browser: 405 with the route's headers."""
    client = Client(
        enforce_csrf_checks=True,
        HTTP_ORIGIN=PAGE,
        HTTP_AUTHORIZATION=token_client.defaults["HTTP_AUTHORIZATION"],
    )
    response = client.generic(method, path, "{}", content_type="application/json")
    assert (response.status_code, response.headers.get("Access-Control-Allow-Origin")) == (
        405,
        PAGE,
    )


@pytest.mark.parametrize("path", ["/api/notes/public/", "/api/health/"], ids=["action", "plain"])
def test_preflight_for_a_method_outside_the_policy_is_refused(client: Client, path: str) -> None:
    """The "public" policy allows GET only: no Access-Control-Allow-* header at all."""
    response = client.options(
        path,
        HTTP_ORIGIN=PAGE,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    granted = [h for h in response.headers if h.lower().startswith("access-control-allow-")]
    assert granted == []


def _embed_allow_origin(client: Client, origin: str) -> str | None:
    return client.get("/api/embed/", HTTP_ORIGIN=origin).headers.get("Access-Control-Allow-Origin")


def test_embed_allows_the_seeded_page_origin_only(client: Client) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    drf_cors.refresh_origins()  # the seed's commit is the test's rollback: refresh by hand
    assert (_embed_allow_origin(client, PAGE), _embed_allow_origin(client, OTHER)) == (PAGE, None)


def test_embed_allows_the_page_by_its_row_not_by_the_global_origins(
    client: Client, AllowedOrigin: Any
) -> None:
    """The origin keys inherit as one field: "embeds" names a source, so only rows count."""
    call_command("seed_demo", stdout=io.StringIO())
    AllowedOrigin.objects.filter(origin=PAGE).delete()
    drf_cors.refresh_origins()
    assert _embed_allow_origin(client, PAGE) is None


def test_embed_serves_a_row_from_its_commit_until_its_delete(
    client: Client, AllowedOrigin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """No restart and no wait: the save's and the delete's commit refresh the origins."""
    seen = [_embed_allow_origin(client, OTHER)]
    with django_capture_on_commit_callbacks(execute=True):
        row = AllowedOrigin.objects.create(origin=OTHER, policy="embeds")
    seen.append(_embed_allow_origin(client, OTHER))
    with django_capture_on_commit_callbacks(execute=True):
        row.delete()
    seen.append(_embed_allow_origin(client, OTHER))
    assert seen == [None, OTHER, None]


def test_embed_row_of_another_policy_is_not_served(
    client: Client, AllowedOrigin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A row serves the policy it names: a row for every policy ("") does not reach "embeds"."""
    with django_capture_on_commit_callbacks(execute=True):
        AllowedOrigin.objects.create(origin=OTHER, policy="")
    assert _embed_allow_origin(client, OTHER) is None


def test_embed_preflight_is_for_reads_only(client: Client) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    drf_cors.refresh_origins()
    granted = [
        "Access-Control-Allow-Origin"
        in client.options(
            "/api/embed/", HTTP_ORIGIN=PAGE, HTTP_ACCESS_CONTROL_REQUEST_METHOD=method
        ).headers
        for method in ("GET", "POST")
    ]
    assert granted == [True, False]


@pytest.fixture
def admin_client_(db: None) -> Client:
    """The sample's admin, logged in as seed_demo's superuser."""
    call_command("seed_demo", stdout=io.StringIO())
    client = Client()
    assert client.login(username="admin", password="admin-password")
    return client


ADD_ORIGIN = "/admin/drf_cors_origins/allowedorigin/add/"


def test_admin_refuses_an_origin_with_a_trailing_slash(
    admin_client_: Client, AllowedOrigin: Any
) -> None:
    response = admin_client_.post(ADD_ORIGIN, {"origin": OTHER + "/", "policy": "embeds"})
    errors = response.context["adminform"].form.errors
    assert (response.status_code, f"Write it as '{OTHER}'" in errors["origin"][0]) == (200, True)


def test_admin_refuses_a_policy_that_reads_no_source(admin_client_: Client) -> None:
    response = admin_client_.post(ADD_ORIGIN, {"origin": OTHER, "policy": "session"})
    assert "policy" in response.context["adminform"].form.errors


def test_admin_adds_an_origin_the_widget_then_allows(
    admin_client_: Client,
    client: Client,
    AllowedOrigin: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(ADD_ORIGIN, {"origin": OTHER, "policy": "embeds"})
    assert (response.status_code, _embed_allow_origin(client, OTHER)) == (302, OTHER)


def test_admin_page_sends_no_cors_headers(admin_client_: Client) -> None:
    """Outside URLS_REGEX: the admin is never readable cross-origin."""
    response = admin_client_.get("/admin/", HTTP_ORIGIN=PAGE)
    assert [h for h in response.headers if h.lower().startswith("access-control-")] == []
