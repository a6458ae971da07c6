"""Every ``gridgov`` command of ours answers ``--help``, in Chinese, as a newcomer's first try."""

import re
from pathlib import Path

import pytest
from django.core.management import ManagementUtility

PACKAGE = Path(__file__).resolve().parents[1]
COMMANDS = sorted(path.stem for path in PACKAGE.glob("**/management/commands/*.py") if path.stem != "__init__")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def help_of(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exit:
        ManagementUtility(["gridgov", *argv, "--help"]).execute()
    assert exit.value.code == 0
    return capsys.readouterr().out


def test_the_project_has_the_commands_the_readme_names():
    assert {"demo", "stats", "ledger", "deadlines", "indices", "tasks"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_every_command_prints_a_chinese_description(capsys, command):
    text = help_of(capsys, command)
    assert text.startswith(f"usage: gridgov {command}")
    description = text.split("\n\n")[1]
    assert CHINESE.search(description), description


def test_help_of_a_subcommand_prints(capsys):
    assert "usage: gridgov ledger verify" in help_of(capsys, "ledger", "verify")
