"""The README tells a newcomer the truth: its configuration table is what settings.py reads, and it names
every command and benchmark there is."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text()
SETTINGS = (ROOT / "src" / "gridgov" / "settings.py").read_text()


def section(title: str) -> str:
    return re.search(rf"^## {title}\n(.*?)(?=^## |\Z)", README, re.M | re.S).group(1)


def test_the_configuration_table_lists_exactly_the_variables_settings_read():
    listed = set(re.findall(r"^\| `(GRIDGOV_[A-Z_]+)` \|", section("Configuration"), re.M))
    read = set(re.findall(r"\b(GRIDGOV_[A-Z_]+)\b", SETTINGS))
    assert listed == read, f"read but not listed: {sorted(read - listed)}; listed but not read: {sorted(listed - read)}"


def test_the_commands_table_names_every_command_of_ours():
    ours = {path.stem for path in (ROOT / "src" / "gridgov").glob("**/management/commands/*.py")} - {"__init__"}
    listed = set(re.findall(r"^\| `gridgov ([a-z]+)", section("Commands"), re.M))
    assert ours <= listed, sorted(ours - listed)


def test_the_readme_names_every_benchmark_and_runs_them_with_the_virtualenv():
    benchmarks = {path.name for path in (ROOT / "bench").glob("*.py") if not path.name.startswith("_")}
    named = set(re.findall(r"bench/([a-z_]+\.py)", README))
    assert benchmarks == named, (sorted(benchmarks - named), sorted(named - benchmarks))
    assert ".venv/bin/python bench/" in README and "python bench/" not in README.replace(".venv/bin/python bench/", "")


def test_the_readme_points_only_at_files_a_clone_has():
    for path in re.findall(r"`((?:\.\./|docs/|scripts/|bench/|\.ci/)[\w./-]+)`", README):
        assert (ROOT / path).exists(), path
    assert "../" not in README
