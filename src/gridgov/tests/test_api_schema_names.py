"""OpenAPI components are one namespace: two apps' schemas with one class name would silently document one
answer with the other's fields (the cockpit's CategoryOut once replaced the reports' in the document)."""

import importlib
import pkgutil
from collections import defaultdict

from ninja import Schema

import gridgov


def test_no_two_api_schemas_share_a_name():
    owners = defaultdict(set)
    for module_info in pkgutil.walk_packages(gridgov.__path__, "gridgov."):
        if not (module_info.name.endswith(".api") or module_info.name.endswith("api_schemas")):
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module.__name__:
                owners[name].add(module.__name__)
    shared = {name: sorted(modules) for name, modules in owners.items() if len(modules) > 1}
    assert not shared
