"""The one read-only admin base: rows that change only through services are listed in the admin, never added,
changed or deleted there, and no app writes its own copy of the base."""

import ast
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from gridgov.admin import ReadOnlyAdmin, ReadOnlyInline
from gridgov.audit.models import AuditRecord
from gridgov.bookings.models import Booking
from gridgov.deadlines.models import Alert
from gridgov.households.models import Household, PatrolRound, RuleBreach, Visit
from gridgov.indices.models import Run
from gridgov.ledger.models import GrantedWeek, Line, Posting
from gridgov.notifications.models import Delivery, Message
from gridgov.orgs.models import ApiToken
from gridgov.reports.models import Report, ReportWeek
from gridgov.rewards.models import Redemption, RedemptionToken
from gridgov.tasks.models import Claim, Notice, Task

PACKAGE = Path(__file__).resolve().parents[1]
READ_ONLY_MODELS = [Task, Claim, Notice, Redemption, RedemptionToken, Household, Visit, PatrolRound, RuleBreach,
                    Report, ReportWeek, Alert, Booking, Message, Delivery, ApiToken, Run, AuditRecord, Posting, Line,
                    GrantedWeek]
PERMISSIONS = {"has_add_permission", "has_change_permission", "has_delete_permission"}


@pytest.fixture
def admin_client(client, db):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "pass-for-tests-1"))
    return client


def url(model, view):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda model: model._meta.label)
def test_a_superuser_may_list_a_service_owned_model_but_not_add_one(admin_client, model):
    assert isinstance(admin.site._registry[model], ReadOnlyAdmin)
    listed = admin_client.get(url(model, "changelist"))
    assert listed.status_code == 200
    assert listed.context["cl"].model_admin.get_actions(listed.wsgi_request) == {}
    assert admin_client.get(url(model, "add")).status_code == 403


def test_the_lines_and_events_of_a_read_only_row_take_the_read_only_inline():
    for parent in (Posting, Report, Booking):
        inlines = admin.site._registry[parent].inlines
        assert inlines and all(issubclass(inline, ReadOnlyInline) for inline in inlines), parent


def test_no_app_admin_writes_its_own_read_only_base():
    """An admin or inline class that refuses all of add, change and delete by itself is a copy of the base."""
    copies = []
    for path in PACKAGE.glob("*/admin.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                refused = {item.name for item in node.body if isinstance(item, ast.FunctionDef)
                           and item.name in PERMISSIONS and ast.unparse(item.body[-1]) == "return False"}
                if refused == PERMISSIONS:
                    copies.append(f"{path.parent.name}.{node.name}")
    assert copies == []
