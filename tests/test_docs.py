"""The README stays true: every command documented, the two set-up commands present, no placeholders."""

from __future__ import annotations

import re

from conftest import ROOT

from wirewatch.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_in_readme():
    for name in cli.commands:
        assert f"`wirewatch {name}" in README, name


def test_setup_and_test_commands_marked_for_ci():
    for marker in ("<!-- setup -->", "<!-- test -->"):
        block = README.split(marker, 1)[1]
        command = re.search(r"```bash\n(.+?)\n```", block, re.S)
        assert command and command.group(1).strip()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "readme_command setup" in ci and "readme_command test" in ci


def test_no_placeholders_left():
    assert not re.search(r"^[A-Z_]{6,}$", README, re.M)


def test_every_subcommand_in_readme():
    import click

    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            for sub in command.commands:
                assert f"{name} {sub}" in README or f"`{sub}" in README, f"{name} {sub}"


def test_docs_pages_linked_from_readme_exist():
    for link in re.findall(r"\]\((docs/[^)]+)\)", README):
        assert (ROOT / link).exists(), link
