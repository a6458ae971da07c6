"""One pager: every paged page reads its rows through ``gridgov.pages.page_of``. The partial ``_pager.html``
draws a ``BoundedPaginator`` (a count that may stop at 1,000); a page built on Django's own ``Paginator`` broke
it (no ``counted_all``) the moment its list had a row."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def test_no_view_builds_its_own_paginator():
    builders = []
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or path.name == "pages.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Paginator":
                builders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert builders == []

