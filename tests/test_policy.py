"""``CorsPolicy``: immutable, validated when built, inherited per field."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from drf_cors import CorsPolicy
from drf_cors.conf import compiled, effective_values


def test_policy_is_immutable() -> None:
    policy = CorsPolicy(allowed_origins=["https://app.example.com"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.allow_credentials = True  # type: ignore[misc]


def test_lists_are_frozen_into_tuples() -> None:
    origins = ["https://app.example.com"]
    policy = CorsPolicy(allowed_origins=origins)
    origins.append("https://evil.example.com")
    assert policy.allowed_origins == ("https://app.example.com",)


def test_equal_policies_are_equal_and_hash_alike() -> None:
    one = CorsPolicy(allowed_origins=["https://a.example"], allow_credentials=True)
    two = CorsPolicy(allowed_origins=("https://a.example",), allow_credentials=True)
    assert one == two
    assert hash(one) == hash(two)


def test_repr_shows_only_what_is_set() -> None:
    assert repr(CorsPolicy(allow_credentials=True)) == "CorsPolicy(allow_credentials=True)"


def test_invalid_policy_lists_every_problem_at_once() -> None:
    with pytest.raises(ImproperlyConfigured) as info:
        CorsPolicy(
            allowed_origins=["https://app.example.com/", "app.example.com"],
            allowed_origin_regexes=["(unclosed"],
            allow_methods=["get"],
            allow_headers=["x bad"],
            preflight_max_age=-1,
            allow_credentials="yes",  # type: ignore[arg-type]
        )
    message = str(info.value)
    for fragment in (
        "path, query or fragment",
        "no scheme",
        "does not compile",
        "not upper case",
        "not a valid header name",
        "preflight_max_age",
        "True or False",
    ):
        assert fragment in message


@pytest.mark.parametrize(
    "kwargs",
    [
        {"allowed_origins": "https://app.example.com"},
        {"allow_methods": "GET"},
        {"allowed_origin_regexes": [1]},
        {"preflight_max_age": True},
        {"preflight_max_age": "60"},
        {"allow_methods": ["*"]},
        {"expose_headers": ["X-Ok", ""]},
    ],
    ids=["origins-str", "methods-str", "regex-int", "age-bool", "age-str", "methods-star", "empty"],
)
def test_wrong_types_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ImproperlyConfigured):
        CorsPolicy(**kwargs)  # type: ignore[arg-type]


def test_credentials_with_all_origins_is_refused_when_built() -> None:
    with pytest.raises(ImproperlyConfigured, match="allow_credentials"):
        CorsPolicy(allow_all_origins=True, allow_credentials=True)


def test_unknown_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        CorsPolicy(allowed_origin=["https://x.example"])  # type: ignore[call-arg]


def test_header_wildcard_and_compiled_regexes_are_accepted() -> None:
    policy = CorsPolicy(allow_headers=["*"], allowed_origin_regexes=[re.compile(r"https://x")])
    assert policy.allow_headers == ("*",)


# Inheritance: action -> view -> global; a named policy over the global defaults only.

VIEW = CorsPolicy(allowed_origins=["https://view.example"], allow_credentials=True)


def test_view_policy_inherits_unset_fields_from_global_defaults() -> None:
    values = effective_values(VIEW)
    assert values["allowed_origins"] == ("https://view.example",)
    assert values["preflight_max_age"] == 86400
    assert values["allow_credentials"] is True


def test_action_policy_inherits_from_its_view() -> None:
    values = effective_values(VIEW, CorsPolicy(expose_headers=["X-A"]))
    assert values["allowed_origins"] == ("https://view.example",)
    assert values["allow_credentials"] is True
    assert values["expose_headers"] == ("X-A",)


def test_lists_replace_rather_than_merge() -> None:
    values = effective_values(VIEW, CorsPolicy(allowed_origins=["https://action.example"]))
    assert values["allowed_origins"] == ("https://action.example",)


def test_named_policy_on_an_action_stands_on_its_own() -> None:
    values = effective_values(VIEW, "partners")
    assert values["allow_credentials"] is False
    assert values["allowed_origins"] == ("https://partner-a.example", "https://partner-b.example")


def test_disabled_view_is_inherited_by_actions() -> None:
    policy = compiled(CorsPolicy(enabled=False), CorsPolicy(expose_headers=["X-A"]))
    assert policy.enabled is False


@override_settings(REST_FRAMEWORK={"CORS": {"ALLOW_ALL_ORIGINS": True}})
def test_credentials_with_all_origins_after_inheritance_grants_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    policy = compiled(CorsPolicy(allow_credentials=True))
    assert not policy.matcher.allows("https://any.example")
    assert policy.error is not None
    assert "refused" in caplog.text


def test_unknown_policy_name_grants_nothing_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    policy = compiled("no-such-policy")
    assert not policy.matcher.allows("https://app.example.com")
    assert "no-such-policy" in caplog.text


@pytest.mark.parametrize(
    ("policies", "fragment"),
    [
        ({"bad": ["not", "a", "dict"]}, "must be a dict"),
        ({"bad": {"ALLOWED_ORIGIN": []}}, "unknown keys"),
        ({"bad": {"ALLOWED_ORIGINS": ["nope"]}}, "no scheme"),
    ],
    ids=["not-dict", "unknown-key", "invalid"],
)
def test_broken_named_policy_grants_nothing(
    policies: dict[str, object], fragment: str, caplog: pytest.LogCaptureFixture
) -> None:
    with override_settings(REST_FRAMEWORK={"CORS": {"POLICIES": policies}}):
        policy = compiled("bad")
    assert policy.error is not None
    assert fragment in policy.error


@override_settings(REST_FRAMEWORK={"CORS": ["not", "a", "dict"]})
def test_broken_global_settings_grant_nothing() -> None:
    assert compiled(None).error is not None


@override_settings(REST_FRAMEWORK={"CORS": {"POLICIES": "nope"}})
def test_policies_not_a_dict_means_no_named_policy() -> None:
    assert "not defined" in (compiled("partners").error or "")


def test_compiled_policies_are_cached() -> None:
    assert compiled(VIEW) is compiled(VIEW)
    assert compiled(VIEW) is compiled(CorsPolicy(**VIEW.explicit()))


def test_preflight_max_age_zero_has_no_header_value() -> None:
    assert compiled(CorsPolicy(preflight_max_age=0)).max_age_value is None


def test_unset_sentinel_reads_well() -> None:
    from drf_cors.policy import UNSET, _Unset

    assert repr(UNSET) == "UNSET"
    assert not UNSET
    assert _Unset() is UNSET


def test_compiled_policy_repr_names_its_source() -> None:
    assert repr(compiled("partners")) == "<CompiledPolicy policy 'partners'>"


@pytest.mark.parametrize(
    "spec", [{"ALLOWED_ORIGINS": ["https://x.example"]}, 42], ids=["dict", "int"]
)
def test_a_view_policy_of_the_wrong_type_grants_nothing(spec: object) -> None:
    policy = compiled(spec)  # type: ignore[arg-type]
    assert policy.error is not None
    assert "must be a CorsPolicy" in policy.error


@pytest.mark.parametrize(
    ("parent", "child", "allowed", "refused"),
    [
        (
            {"ALLOWED_ORIGIN_REGEXES": [r"https://.*\.example\.net"]},
            CorsPolicy(allowed_origins=["https://partner.example"]),
            "https://partner.example",
            "https://x.example.net",
        ),
        (
            {"ALLOW_ALL_ORIGINS": True},
            CorsPolicy(allowed_origins=["https://partner.example"], allow_credentials=True),
            "https://partner.example",
            "https://anyone.example",
        ),
        (
            {"ALLOWED_ORIGINS": ["https://app.example.com"]},
            CorsPolicy(allowed_origin_regexes=[r"https://pr-\d+\.example\.net"]),
            "https://pr-1.example.net",
            "https://app.example.com",
        ),
    ],
    ids=["origins-drop-parent-regexes", "origins-drop-parent-allow-all", "regexes-drop-origins"],
)
def test_origin_keys_are_replaced_together(
    parent: dict[str, object], child: CorsPolicy, allowed: str, refused: str
) -> None:
    with override_settings(REST_FRAMEWORK={"CORS": parent}):
        policy = compiled(child)
    assert policy.error is None
    assert policy.matcher.allows(allowed)
    assert not policy.matcher.allows(refused)


def test_policy_without_origin_keys_keeps_the_parent_origins() -> None:
    values = effective_values(VIEW, CorsPolicy(allow_methods=["GET"]))
    assert values["allowed_origins"] == ("https://view.example",)
