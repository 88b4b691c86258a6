"""Origins sources for the tests: each returns what ``SOURCE_DATA`` holds, and counts its calls.

A test puts entries (a list, or a dict of host -> list) in ``SOURCE_DATA`` or
makes ``FAIL`` raise; ``CALLS`` counts the reads, so a test can prove a source
is not read per request.
"""

from __future__ import annotations

from typing import Any

#: What :func:`listed` returns (tests set it).
SOURCE_DATA: dict[str, Any] = {"value": []}
#: An exception :func:`listed` raises instead, when set.
FAIL: dict[str, BaseException | None] = {"error": None}
CALLS: list[str] = []

NOT_CALLABLE = ["https://a.example"]


def listed() -> Any:
    CALLS.append("listed")
    error = FAIL["error"]
    if error is not None:
        raise error
    return SOURCE_DATA["value"]


def other() -> list[str]:
    CALLS.append("other")
    return ["https://other-source.example"]


class _PerPolicy:
    """A source serving each policy its own origins (``for_policy``), as the contrib app does."""

    def for_policy(self, name: str | None) -> Any:
        def read() -> list[str]:
            CALLS.append(f"per-policy:{name}")
            return [f"https://{name or 'global'}.scoped.example"]

        return read

    def __call__(self) -> list[str]:
        result: list[str] = self.for_policy(None)()
        return result


scoped = _PerPolicy()
