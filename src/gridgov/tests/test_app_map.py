"""The app map in docs/architecture.md is the rule: no module imports an app its row does not allow, and only
the tree app touches role assignments or path arithmetic."""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
DOCS = PACKAGE.parents[1] / "docs" / "architecture.md"
FOUNDATION = {"errors", "context", "workflow", "media", "models", "submissions", "templatetags", "api_schemas", "audit",
              "security", "logins", "spreadsheets", "limits", "sql", "replicas", "admin", "widgets", "jobs", "triggers"}
WIRING = {"api", "urls", "demo", "management", "cli", "settings", "startup", "wsgi", "testing", "tests", "apps", "__init__"}
EXEMPT_FILES = {"demo.py"}  # demo seeders make a month of data through every app's services
# Each app's management commands are wiring too (they share gridgov.management.base).


def app_map() -> dict[str, set[str]]:
    table = re.search(r"<!-- app-map:start -->\n(.*)\n<!-- app-map:end -->", DOCS.read_text(), re.S).group(1)
    allowed = {}
    for line in table.splitlines()[2:]:
        unit, imports = (cell.strip() for cell in line.strip("|").split("|"))
        names = set() if imports == "—" else {name.strip() for name in imports.split(",")}
        if "foundation" in names:
            names = (names - {"foundation"}) | FOUNDATION
        allowed[unit] = names
    return allowed


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gridgov"):
            parts = node.module.split(".")
            found |= {alias.name for alias in node.names} if len(parts) == 1 else {parts[1]}
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("gridgov.")}
    return found


def modules():
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).parts
        if {"tests", "migrations", "management"} & set(relative[:-1]) or path.name in EXEMPT_FILES:
            continue
        yield relative[0].removesuffix(".py"), path


def test_every_app_imports_only_what_the_app_map_allows():
    allowed = app_map()
    wrong = []
    for unit, path in modules():
        if unit in WIRING:
            continue
        assert unit in allowed, f"{unit} is missing from docs/architecture.md's app map"
        for target in imports_of(path) - {unit} - allowed[unit]:
            wrong.append(f"{path.relative_to(PACKAGE)} imports {target}")
    assert wrong == []


def test_only_the_tree_app_reads_role_assignments_or_slices_paths():
    pattern = re.compile(r"RoleAssignment|steplen|node\.path\[")
    offenders = [str(path.relative_to(PACKAGE)) for unit, path in modules()
                 if unit != "orgs" and pattern.search(path.read_text())]
    assert offenders == []


def test_the_foundation_imports_no_app():
    for unit, path in modules():
        if unit in FOUNDATION:
            assert imports_of(path) <= FOUNDATION, path
