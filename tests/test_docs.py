"""The README promises what the code does."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from drf_cors.defaults import DEFAULTS

README = Path(__file__).resolve().parent.parent / "README.md"


def _settings_table() -> dict[str, object]:
    text = README.read_text()
    table = text.split("<!-- settings-table", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for line in table.splitlines():
        match = re.match(r"\| `([A-Z_]+)` \| [^|]+ \| `([^`]+)` \|", line)
        if match:
            rows[match.group(1)] = ast.literal_eval(match.group(2))
    return rows


def test_readme_settings_table_lists_every_key_in_order() -> None:
    assert list(_settings_table()) == list(DEFAULTS)


def test_readme_settings_table_defaults_equal_the_code() -> None:
    for key, documented in _settings_table().items():
        actual = DEFAULTS[key]
        assert documented == (list(actual) if isinstance(actual, tuple) else actual), key


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (README.parent / ".ci" / "run").read_text()
    assert "scripts/test" in README.read_text()
    assert re.search(r"^scripts/test\b", ci, re.MULTILINE)
