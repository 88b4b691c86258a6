"""Origins from the database, as a demo user sees them: the admin changes what Chromium allows.

The embed widget (``/api/embed/``, policy ``"embeds"``) allows the origins of
``drf_cors.contrib.origins``' ``AllowedOrigin`` rows. ``seed_demo`` adds none
for the page's second origin, so from there the call is blocked. The test then
does what the page's hint says, in the same browser: follows its link to the
real Django admin, logs in, is refused an invalid entry with drf_cors' own
message, adds the origin, and presses the row's Retry (allowed), then deletes
the row and presses Retry again (blocked). The API server is the same process
throughout: the admin's save and delete refresh the origins once they commit.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Demo

pytestmark = pytest.mark.browser

ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "admin-password"
TIMEOUT_MS = 30_000


def _embed(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("window.demoResults.embed")
    return result


def _retry(page: Any) -> dict[str, Any]:
    """Press the embed row's Retry and wait for that row's next run."""
    runs = int(page.get_attribute("tr[data-call=embed]", "data-runs") or "0")
    page.click("tr[data-call=embed] button[data-retry=embed]")
    page.wait_for_selector(f"tr[data-call=embed][data-runs='{runs + 1}']", timeout=TIMEOUT_MS)
    page.wait_for_selector("body[data-state=done]", timeout=TIMEOUT_MS)
    return _embed(page)


def _verdict(result: dict[str, Any]) -> tuple[str, int | None, dict[str, Any]]:
    return result["outcome"], result["status"], result["read"]


def _refusal(origin: str) -> str:
    """What drf_cors says of ``origin`` as an ``AllowedOrigin`` (its system check's wording)."""
    from django.core.exceptions import ValidationError

    from drf_cors.contrib.origins.models import AllowedOrigin

    try:
        AllowedOrigin(origin=origin).full_clean()
    except ValidationError as error:
        return " ".join(error.message_dict["origin"])
    raise AssertionError(f"{origin!r} was expected to be refused")


def test_admin_adds_then_deletes_the_page_origin_without_a_restart(
    demo: Demo, browser: Any
) -> None:
    origin = demo.unlisted_page
    blocked = ("blocked", None, {"error": "TypeError: Failed to fetch"})
    allowed = ("allowed", 200, {"widget": "public notes", "titles": 3})
    pid = demo.api_process.pid
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(origin + "/")
        page.wait_for_selector("body[data-state=done]", timeout=60_000)
        steps = [("first load", _verdict(_embed(page)))]

        # The hint's link: the admin's add form, prefilled, behind its login.
        with context.expect_page() as opened:
            page.click("tr[data-call=embed] .hint a")
        admin = opened.value
        admin.wait_for_selector("#id_username", timeout=TIMEOUT_MS)
        admin.fill("#id_username", ADMIN_USERNAME)
        admin.fill("#id_password", ADMIN_PASSWORD)
        admin.click("input[type=submit]")
        admin.wait_for_selector("#id_origin", timeout=TIMEOUT_MS)
        prefilled = (admin.input_value("#id_origin"), admin.input_value("#id_policy"))

        # An origin with a trailing slash: refused by the form, with drf_cors' message.
        admin.fill("#id_origin", origin + "/")
        admin.click("input[name=_save]")
        error = admin.inner_text(".field-origin .errorlist", timeout=TIMEOUT_MS)

        admin.fill("#id_origin", origin)
        admin.click("input[name=_save]")
        added = admin.inner_text(".messagelist", timeout=TIMEOUT_MS)

        page.bring_to_front()
        steps.append(("after adding it", _verdict(_retry(page))))

        # Delete it, the way the hint now says: the change list, the row, Delete.
        with context.expect_page() as opened:
            page.click("tr[data-call=embed] .hint a")
        changelist = opened.value
        changelist.click(f"#result_list a:text-is('{origin}')")
        changelist.click("a.deletelink")
        changelist.click("input[type=submit]")  # "Yes, I'm sure"
        deleted = changelist.inner_text(".messagelist", timeout=TIMEOUT_MS)

        page.bring_to_front()
        steps.append(("after deleting it", _verdict(_retry(page))))
        # Either verdict of the embed row is expected: the page stays all green.
        mismatches = page.locator("td.expect.mismatch").count()
    finally:
        context.close()

    assert prefilled == (origin, "embeds")
    assert (error, f"Write it as '{origin}'" in error) == (_refusal(origin + "/"), True)
    assert ("was added successfully" in added, "was deleted successfully" in deleted) == (
        True,
        True,
    )
    assert steps == [
        ("first load", blocked),
        ("after adding it", allowed),
        ("after deleting it", blocked),
    ]
    assert (demo.api_process.poll(), demo.api_process.pid) == (None, pid)
    assert mismatches == 0
