"""django-hosts' host patterns for ``tests/test_hosts.py``: www is ROOT_URLCONF, api has its own."""

from django_hosts import host, patterns

host_patterns = patterns(
    "",
    host(r"www", "tests.testapp.urls", name="www"),
    host(r"api", "tests.testapp.urls_api_host", name="api"),
)
