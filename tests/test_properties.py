"""Property tests: random policies against random ``Origin`` and preflight values.

A simple reference implementation of the matching rules (one regex per entry,
tried one by one) is the oracle for the compiled ``OriginMatcher`` (sets,
suffix tables, a combined regex). Through the real request path, no response
grants an origin the reference refuses, no response pairs credentials with
``*``, and no input makes the stack raise: no request, and no setting either
(the checks report anything written; ``CorsPolicy`` raises only
``ImproperlyConfigured``).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drf_cors import CorsPolicy
from drf_cors._origins import OriginError, OriginMatcher, parse_entry
from drf_cors.checks import check_settings
from drf_cors.defaults import POLICY_KEYS
from tests import settings as test_settings

# Hypothesis runs many examples in one test: the autouse cache-clearing
# fixture runs once around them, which is all these tests need.
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: The matcher alone is cheap: many more examples.
MATCHER = settings(PROPERTY, max_examples=600)

# ---------------------------------------------------------------------------
# The reference: what the README says, written the obvious way.

LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"


def entry_regex(entry: str) -> str:
    """One ``ALLOWED_ORIGINS`` entry as a regex over the whole origin."""
    scheme, _, rest = entry.partition("://")
    host, port = rest, ""
    if not rest.endswith("]") and ":" in rest.rsplit("]", 1)[-1]:
        host, port = rest.rsplit(":", 1)
    port_part = re.escape(f":{port}") if port else ""
    if port == "*":
        port_part = r"(?::[0-9]+)?"  # any port, or none
    if host.startswith("*."):
        host_part = rf"(?:{LABEL}\.)+" + re.escape(host[2:])  # one or more labels
    else:
        host_part = re.escape(host)
    return re.escape(scheme) + "://" + host_part + port_part


def reference_allows(values: dict[str, Any], origin: str) -> bool:
    if values["allow_all_origins"]:
        return True
    entries = values["allowed_origins"]
    if len(origin) > 300:
        return False  # longer than any origin a browser sends (README)
    if origin in [e for e in entries if "*" not in e]:
        return True  # exact entries, "null" included
    # Patterns and regexes never see "null" nor what no browser could send.
    if origin == "null" or not origin.isascii() or not origin.isprintable():
        return False
    if any(re.fullmatch(entry_regex(e), origin) for e in entries if "*" in e):
        return True
    return any(re.fullmatch(r, origin) for r in values["allowed_origin_regexes"])


# ---------------------------------------------------------------------------
# Strategies: small alphabets, so random origins often hit the random policy.

labels = st.sampled_from(["a", "b", "app", "x-1", "example", "org", "com", "localhost", "pr-7"])
dns_hosts = st.lists(labels, min_size=1, max_size=3).map(".".join)
hosts = dns_hosts | st.just("[::1]")
schemes = st.sampled_from(["http", "https"])
ports = st.sampled_from(["", "80", "443", "3000", "8000"])


def valid(entry: str) -> bool:
    try:
        parse_entry(entry)
    except OriginError:
        return False
    return True


@st.composite
def entries(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["subdomains", "exact", "anyport", "subdomains", "null"]))
    scheme = draw(schemes)
    host = draw(dns_hosts if kind == "subdomains" else hosts)
    if kind == "null":
        return "null"
    if kind == "anyport":
        return f"{scheme}://{host}:*"
    port = draw(ports | st.just("*")) if kind == "subdomains" else draw(ports)
    prefix = "*." if kind == "subdomains" else ""
    return f"{scheme}://{prefix}{host}{':' + port if port else ''}"


#: Each regex with an origin it matches whole, to build near misses from.
REGEX_HITS = {
    r"https://pr-\d+\.example\.org": "https://pr-12.example.org",
    r"https?://(www\.)?example\.com": "http://www.example.com",
    r"http://localhost:\d+": "http://localhost:3000",
    r".*": "https://anything.example",
    r"https://[a-z]+\.a": "https://app.a",
}
REGEXES = list(REGEX_HITS)

policies = st.fixed_dictionaries(
    {
        "allowed_origins": st.lists(entries().filter(valid), max_size=4),
        "allowed_origin_regexes": st.lists(st.sampled_from(REGEXES), max_size=2, unique=True),
        "allow_all_origins": st.booleans(),
        "allow_credentials": st.booleans(),
        "allow_methods": st.lists(
            st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]), unique=True
        ),
        "allow_headers": st.lists(
            st.sampled_from(["x-a", "x-b", "content-type", "authorization", "*"]), unique=True
        ),
    }
).filter(lambda p: not (p["allow_all_origins"] and p["allow_credentials"]))


NEAR_MISSES = {
    "concrete": lambda o: o,
    "concrete-again": lambda o: o,  # hits matter most: drawn twice as often
    "upper": str.upper,
    "slash": lambda o: o + "/",
    "prefixed": lambda o: "x" + o,
    "suffixed": lambda o: o + ".evil",
}


@st.composite
def origins(draw: st.DrawFn, policy: dict[str, Any]) -> str:
    """Hits and near misses of the policy's own entries and regexes, or made-up ones.

    The kind is drawn first so that every kind is tried often (Hypothesis
    favours the first items of a list).
    """
    entries, regexes = policy["allowed_origins"], policy["allowed_origin_regexes"]
    kind = draw(
        st.sampled_from(["entry", "apex", "deep", "bad-label", "literal", "regex", "other"])
    )
    if kind == "regex" and regexes:
        origin = REGEX_HITS[draw(st.sampled_from(regexes))]
        return str(draw(st.sampled_from(list(NEAR_MISSES.values())))(origin))
    if kind == "other" or not entries:
        made_up = f"{draw(schemes)}://{draw(hosts)}"
        port = draw(ports)
        return draw(st.sampled_from([made_up + (f":{port}" if port else ""), "null"]) | st.text())
    entry = draw(st.sampled_from(entries))
    if kind == "literal":
        return str(entry)  # a pattern is not an origin: "https://*.a" matches nothing
    port = draw(st.sampled_from(["", ":1", ":8000", ":", ":x"]))
    labels_for_star = {
        "apex": "",  # a wildcard never covers its own apex
        "deep": "a.b.",  # but covers more than one label
        "bad-label": "-a.",  # and only DNS labels
    }.get(kind, draw(labels) + ".")
    origin = entry.replace("*.", labels_for_star).replace(":*", port)
    return str(draw(st.sampled_from(list(NEAR_MISSES.values())))(origin))


def matcher(policy: dict[str, Any]) -> OriginMatcher:
    return OriginMatcher(
        (parse_entry(e) for e in policy["allowed_origins"]),
        (re.compile(r) for r in policy["allowed_origin_regexes"]),
        policy["allow_all_origins"],
    )


@MATCHER
@given(st.data(), policies)
def test_matcher_agrees_with_the_reference(data: st.DataObject, policy: dict[str, Any]) -> None:
    origin = data.draw(origins(policy))
    assert matcher(policy).allows(origin) == reference_allows(policy, origin)


@MATCHER
@given(st.data(), policies)
def test_matcher_agrees_with_the_reference_on_any_text(
    data: st.DataObject, policy: dict[str, Any]
) -> None:
    origin = data.draw(st.text(alphabet=st.sampled_from("htps:/.*[]aex-1:0Ñ\x00 "), max_size=25))
    assert matcher(policy).allows(origin) == reference_allows(policy, origin)


# ---------------------------------------------------------------------------
# Through the real request path: the middleware serves /outside/plain/ with
# the global defaults, which the example sets.


def serve(policy: dict[str, Any], **meta: str) -> Any:
    cors = {key.upper(): value for key, value in policy.items()}
    with override_settings(REST_FRAMEWORK={**test_settings.REST_FRAMEWORK, "CORS": cors}):
        client = Client()
        if "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in meta:
            return client.options("/outside/plain/", **meta)  # type: ignore[arg-type]
        return client.get("/outside/plain/", **meta)  # type: ignore[arg-type]


def assert_grant_is_sound(response: Any, policy: dict[str, Any], origin: str) -> None:
    granted = response.headers.get("Access-Control-Allow-Origin")
    credentials = response.headers.get("Access-Control-Allow-Credentials")
    if credentials is not None:
        assert (credentials, policy["allow_credentials"]) == ("true", True)
        assert granted != "*"
    if granted == "*":
        assert policy["allow_all_origins"]
        assert not policy["allow_credentials"]
    elif granted is not None:
        assert granted == origin
        assert reference_allows(policy, origin)


def source_accepts(entry: str) -> bool:
    """A source takes every ``ALLOWED_ORIGINS`` entry but null and public-suffix wildcards."""
    from drf_cors._snapshots import _accept

    return _accept(entry) is not None


@PROPERTY
@given(st.data(), st.lists(entries().filter(valid).filter(source_accepts), max_size=5))
def test_a_source_grants_exactly_what_the_same_entries_listed_grant(
    data: st.DataObject, listed: list[str]
) -> None:
    """Through the request path: ``ALLOWED_ORIGINS = entries`` and a source returning them."""
    from django.core.cache import cache

    from tests.testapp import sources

    origin = data.draw(origins({"allowed_origins": listed, "allowed_origin_regexes": []}))
    cache.clear()  # another example's shared result is not this one's
    sources.SOURCE_DATA["value"] = listed
    answers = []
    for cors in (
        {"ALLOWED_ORIGINS": listed},
        {"ALLOWED_ORIGINS_SOURCE": "tests.testapp.sources.listed"},
    ):
        with override_settings(REST_FRAMEWORK={**test_settings.REST_FRAMEWORK, "CORS": cors}):
            response = Client().get("/outside/plain/", HTTP_ORIGIN=origin)
        answers.append(response.headers.get("Access-Control-Allow-Origin"))
    sources.SOURCE_DATA["value"] = []
    assert answers[0] == answers[1]


@PROPERTY
@given(st.data(), policies)
def test_actual_response_never_grants_more_than_the_policy(
    data: st.DataObject, policy: dict[str, Any]
) -> None:
    origin = data.draw(origins(policy))
    response = serve(policy, HTTP_ORIGIN=origin)
    assert response.status_code == 200
    assert_grant_is_sound(response, policy, origin)


tokens = st.sampled_from(["GET", "PUT", "patch", "DELETE", "TRACE", "", "G ET", "x-a", "*"])
header_lists = st.lists(
    st.sampled_from(
        ["x-a", "X-B", "authorization", "content-type", "x-c", "", " ", "*", "a b", "é"]
    ),
    max_size=3,
).map(",".join)


@PROPERTY
@given(st.data(), policies, tokens | st.text(max_size=8), header_lists | st.text(max_size=12))
def test_preflight_never_grants_more_than_the_policy(
    data: st.DataObject, policy: dict[str, Any], method: str, headers: str
) -> None:
    origin = data.draw(origins(policy))
    response = serve(
        policy,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )
    assert response.status_code == 200  # granted, or refused with DEBUG off
    assert_grant_is_sound(response, policy, origin)
    if "Access-Control-Allow-Origin" not in response.headers:
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]
        return
    allowed = set(policy["allow_methods"]) | (
        {"HEAD"} if "GET" in policy["allow_methods"] else set()
    )
    assert method in allowed
    listed = {h.lower() for h in policy["allow_headers"]}
    for name in (h.strip().lower() for h in headers.split(",")):
        assert not name or name in listed or ("*" in listed and name != "authorization")


# ---------------------------------------------------------------------------
# Configuration input: whatever is written, the checks report it, never crash.

scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.floats()
values_of_any_type = st.recursive(
    scalars
    | st.sampled_from(["https://a.example", "null", "*", "GET", "x-a", r"(", "http://*.com"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=2)
    ),
    max_leaves=6,
)
#: Each key gets a value of its own type half the time, anything otherwise:
#: mistakes are found in combination with otherwise sensible settings.
TYPICAL = {
    "ALLOWED_ORIGINS": st.lists(entries() | st.text(max_size=8), max_size=3),
    "ALLOWED_ORIGIN_REGEXES": st.lists(st.sampled_from([*REGEXES, "(", "["]), max_size=2),
    "ALLOW_ALL_ORIGINS": st.booleans(),
    "ALLOW_CREDENTIALS": st.booleans(),
    "ALLOW_METHODS": st.lists(tokens, max_size=3),
    "ALLOW_HEADERS": st.lists(st.sampled_from(["x-a", "*", "cookie", "a b"]), max_size=3),
    "EXPOSE_HEADERS": st.lists(st.sampled_from(["x-a", "*", "set-cookie"]), max_size=3),
    "PREFLIGHT_MAX_AGE": st.integers(),
    "ALLOW_PRIVATE_NETWORK": st.booleans(),
    "ALLOWED_ORIGINS_SOURCE": st.sampled_from(
        [
            None,
            "tests.testapp.sources.listed",
            "no.such.module",
            "tests.testapp.sources.NOT_CALLABLE",
        ]
    ),
}
any_policy = st.fixed_dictionaries(
    {}, optional={key: TYPICAL[key] | values_of_any_type for key in POLICY_KEYS}
)
any_settings = any_policy.flatmap(
    lambda policy: st.fixed_dictionaries(
        {},
        optional={
            "URLS_REGEX": values_of_any_type,
            "ORIGINS_REFRESH": st.integers() | values_of_any_type,
            "ORIGINS_CACHE": st.sampled_from(["default", "missing"]) | values_of_any_type,
            "TYPO": values_of_any_type,
        },
    ).map(lambda extra: {**policy, **extra})
)


@PROPERTY
@given(any_settings, any_policy)
def test_checks_report_any_settings_without_raising(
    cors: dict[str, Any], named: dict[str, Any]
) -> None:
    cors = {**cors, "POLICIES": {"p": named}}
    with override_settings(REST_FRAMEWORK={**test_settings.REST_FRAMEWORK, "CORS": cors}):
        messages = check_settings()
    assert all(m.id.startswith(("drf_cors.E", "drf_cors.W")) for m in messages)


@PROPERTY
@given(any_policy)
def test_cors_policy_either_builds_or_raises_improperly_configured(values: dict[str, Any]) -> None:
    with contextlib.suppress(ImproperlyConfigured):
        CorsPolicy(**{key.lower(): value for key, value in values.items()})
