"""The README stays true: its sandbox account and test-number table match the sandbox."""

from __future__ import annotations

import re
from pathlib import Path

from faxgui.sandbox.accounts import DEMO_PASSWORD, DEMO_USERNAME
from faxgui.sandbox.numbers import OTHER_OUTCOMES, SANDBOX_NUMBERS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_test_number_with_its_outcome():
    rows = dict(re.findall(r"^\| `(\d+)` \| .*? \| (.*?) \|$", README.read_text(), re.MULTILINE))
    assert rows == {number.number: number.outcome for number in SANDBOX_NUMBERS}


def test_readme_explains_the_outcomes_that_come_from_the_request():
    text = README.read_text()
    for outcome in OTHER_OUTCOMES:
        assert f"| {outcome.result.value}, {outcome.error.value} | {outcome.how} |" in text


def test_readme_gives_the_demo_account_and_the_two_commands():
    text = README.read_text()
    assert f"user name `{DEMO_USERNAME}`, password `{DEMO_PASSWORD}`" in text
    assert "make run" in text
    assert "make test" in text
