"""The README stays true: every command documented, the two set-up commands present, no placeholders."""

from __future__ import annotations

import re

from conftest import ROOT

from wirewatch.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
# helpers' README-ready text waiting for the lead to merge it into README.md (docs/notes/<branch>.md)
NOTES = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs" / "notes").glob("*.md")))


# README text of a branch's new command waits in docs/notes/<branch>.md until the lead merges it in
NOTES = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs" / "notes").glob("*.md")))


def test_every_command_in_readme():
    for name in cli.commands:
        assert f"`wirewatch {name}" in README + NOTES, name


def test_setup_and_test_commands_marked_for_ci():
    for marker in ("<!-- setup -->", "<!-- test -->"):
        block = README.split(marker, 1)[1]
        command = re.search(r"```bash\n(.+?)\n```", block, re.S)
        assert command and command.group(1).strip()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "readme_command setup" in ci and "readme_command test" in ci


def test_no_placeholders_left():
    assert not re.search(r"^[A-Z_]{6,}$", README, re.M)
