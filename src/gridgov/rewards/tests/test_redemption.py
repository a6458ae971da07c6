"""Paying with points at a merchant: one posting member → merchant, and every refusal moves nothing."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.ledger import services as ledger
from gridgov.orgs.models import Role
from gridgov.rewards import services
from gridgov.rewards.errors import RewardsRefusal
from gridgov.rewards.models import Redemption, RedemptionToken
from gridgov.rewards.tests.conftest import balance
from gridgov.testing.factories import person


def state(shop):
    shop.soap.refresh_from_db()
    return (balance(shop.member), balance(shop.merchant.account), Redemption.objects.count(), shop.soap.stock,
            RedemptionToken.objects.filter(used_at__isnull=False).count())


def test_redeem_moves_points_from_member_to_merchant_in_one_posting(shop):
    issued = services.token_issue(person=shop.member)
    redemption = services.redeem(actor=shop.clerk, token_string=issued.token, item=shop.soap, idempotency_key="k1")
    assert balance(shop.member) == 70
    assert balance(shop.merchant.account) == 30
    assert redemption.posting is not None and redemption.points == 30 and redemption.staff == shop.clerk
    lines = {account_id: amount for account_id, amount in _lines(redemption.posting)}
    assert lines == {ledger.account_for_person(shop.member).pk: -30, shop.merchant.account.pk: 30}
    shop.soap.refresh_from_db()
    assert shop.soap.stock == 4
    assert RedemptionToken.objects.get(code=issued.code).used_at is not None


def test_typed_code_is_accepted_in_any_case_and_with_a_dash(shop):
    issued = services.token_issue(person=shop.member)
    typed = f"{issued.code[:4].lower()}-{issued.code[4:]}"
    services.redeem(actor=shop.clerk, token_string=typed, item=shop.discount, idempotency_key="k-typed")
    assert balance(shop.member) == 50


def test_the_code_reveals_nothing_about_the_member(shop):
    issued = services.token_issue(person=shop.member)
    nonce = issued.token.split(":")[0]
    assert shop.member.name not in issued.token and shop.member.name_masked not in issued.token
    assert str(shop.member.pk) not in nonce.split("_") and len(nonce) >= 16
    assert RedemptionToken.objects.get(nonce=nonce).person == shop.member


def test_inspect_shows_masked_name_and_balance_and_changes_nothing(shop):
    issued = services.token_issue(person=shop.member)
    before = state(shop)
    seen = services.token_inspect(actor=shop.clerk, token_string=issued.code)
    assert seen.member_masked == "周**" and seen.balance == 100 and seen.merchant == shop.merchant
    assert state(shop) == before


def test_double_submit_with_the_same_key_posts_once(shop):
    issued = services.token_issue(person=shop.member)
    first = services.redeem(actor=shop.clerk, token_string=issued.token, item=shop.soap, idempotency_key="tap")
    second = services.redeem(actor=shop.clerk, token_string=issued.token, item=shop.soap, idempotency_key="tap")
    assert first.pk == second.pk and first.posting_id == second.posting_id
    assert balance(shop.member) == 70 and Redemption.objects.count() == 1


def test_reusing_a_key_for_another_item_is_refused(shop):
    issued = services.token_issue(person=shop.member)
    services.redeem(actor=shop.clerk, token_string=issued.token, item=shop.soap, idempotency_key="same")
    with pytest.raises(RewardsRefusal) as refused:
        services.redeem(actor=shop.clerk, token_string=issued.token, item=shop.discount, idempotency_key="same")
    assert refused.value.code == "idempotency_conflict"
    assert balance(shop.member) == 70


def _forged(shop):
    token = services.token_issue(person=shop.member).token
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def _other_salt(shop):
    nonce = services.token_issue(person=shop.member).token.split(":")[0]
    return signing.TimestampSigner(salt="something.else").sign(nonce)


def _expired_row(shop):
    issued = services.token_issue(person=shop.member)
    RedemptionToken.objects.filter(code=issued.code).update(expires_at=timezone.now() - timedelta(seconds=1))
    return issued.code


def _used(shop):
    issued = services.token_issue(person=shop.member)
    services.redeem(actor=shop.clerk, token_string=issued.token, item=shop.discount, idempotency_key="earlier")
    return issued.token


def _unknown_code(shop):
    return "ABCD-EFGH"


def _unknown_nonce(shop):
    return signing.TimestampSigner(salt="gridgov.rewards.token").sign("no-such-nonce-xyz")


def _garbage(shop):
    return "hello world"


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (_forged, "token_invalid"),
        (_other_salt, "token_invalid"),
        (_garbage, "token_invalid"),
        (_expired_row, "token_expired"),
        (_used, "token_used"),
        (_unknown_code, "token_unknown"),
        (_unknown_nonce, "token_unknown"),
    ],
    ids=["forged-signature", "foreign-salt", "garbage", "expired", "replayed", "unknown-code", "unknown-nonce"],
)
def test_bad_codes_are_refused_and_nothing_moves(shop, make_token, code):
    token = make_token(shop)
    before = state(shop)
    with pytest.raises(RewardsRefusal) as refused:
        services.redeem(actor=shop.clerk, token_string=token, item=shop.soap, idempotency_key="bad")
    assert refused.value.code == code
    assert state(shop) == before
    assert not Redemption.objects.filter(idempotency_key="bad").exists()


def test_qr_text_past_its_signed_lifetime_is_refused_as_expired(shop, monkeypatch):
    issued = services.token_issue(person=shop.member)
    later = time.time() + 10_000
    monkeypatch.setattr(time, "time", lambda: later)
    before = state(shop)
    with pytest.raises(RewardsRefusal) as refused:
        services.redeem(actor=shop.clerk, token_string=issued.token, item=shop.soap, idempotency_key="late")
    assert refused.value.code == "token_expired" and state(shop) == before


def test_member_outside_the_merchants_area_is_refused(shop):
    villager = person("黄村民", node=shop.street.grid_c, role=Role.RESIDENT)
    from gridgov.rewards.tests.conftest import fund

    fund(villager, 100)
    issued = services.token_issue(person=villager)
    before = state(shop)
    with pytest.raises(RewardsRefusal) as refused:
        services.redeem(actor=shop.clerk, token_string=issued.token, item=shop.soap, idempotency_key="far")
    assert refused.value.code == "out_of_scope"
    assert state(shop) == before and balance(villager) == 100
    with pytest.raises(RewardsRefusal):
        services.token_inspect(actor=shop.clerk, token_string=issued.code)


def test_member_whose_only_role_is_above_the_merchant_is_outside(shop):
    issued = services.token_issue(person=shop.street.street_cadre)
    with pytest.raises(RewardsRefusal) as refused:
        services.token_inspect(actor=shop.clerk, token_string=issued.code)
    assert refused.value.code == "out_of_scope"


def test_insufficient_points_are_refused_with_a_friendly_reason(shop):
    expensive = services.item_create(actor=shop.street.community_cadre, merchant=shop.merchant, name="电饭煲",
                                      points=500)
    issued = services.token_issue(person=shop.member)
    before = state(shop)
    with pytest.raises(RewardsRefusal) as refused:
        services.redeem(actor=shop.clerk, token_string=issued.token, item=expensive, idempotency_key="poor")
    assert refused.value.code == "insufficient_points"
    assert state(shop) == before
    assert RedemptionToken.objects.get(code=issued.code).used_at is None  # the code still works for a cheaper item


def test_inactive_item_is_refused(shop):
    services.item_update(actor=shop.street.community_cadre, item=shop.soap, is_active=False)
    issued = services.token_issue(person=shop.member)
    before = state(shop)
    with pytest.raises(RewardsRefusal) as refused:
        services.redeem(actor=shop.clerk, token_string=issued.token, item=shop.soap, idempotency_key="gone")
    assert refused.value.code == "item_inactive" and state(shop) == before


def test_out_of_stock_is_refused(shop):
    services.item_update(actor=shop.street.community_cadre, item=shop.soap, stock=0)
    issued = services.token_issue(person=shop.member)
    before = state(shop)
    with pytest.raises(RewardsRefusal) as refused:
        services.redeem(actor=shop.clerk, token_string=issued.token, item=shop.soap, idempotency_key="empty")
    assert refused.value.code == "out_of_stock" and state(shop) == before


def test_staff_of_another_merchant_is_refused(shop):
    barber = services.merchant_create(actor=shop.street.community_cadre, name="老街理发店", node=shop.street.community)
    barber_clerk = person("郑理发", node=shop.street.community, role=Role.MERCHANT_STAFF)
    services.staff_add(actor=shop.street.community_cadre, merchant=barber, person=barber_clerk)
    issued = services.token_issue(person=shop.member)
    before = state(shop)
    with pytest.raises(RewardsRefusal) as refused:
        services.redeem(actor=barber_clerk, token_string=issued.token, item=shop.soap, idempotency_key="other")
    assert refused.value.code == "not_merchant_staff" and state(shop) == before


def test_a_resident_cannot_work_the_till(shop):
    issued = services.token_issue(person=shop.member)
    with pytest.raises(RewardsRefusal) as refused:
        services.redeem(actor=shop.street.worker_a, token_string=issued.token, item=shop.soap, idempotency_key="x")
    assert refused.value.code == "not_merchant_staff" and balance(shop.member) == 100


def test_staff_add_gives_the_merchant_staff_role_when_missing(shop):
    newcomer = person("冯新人")
    services.staff_add(actor=shop.street.community_cadre, merchant=shop.merchant, person=newcomer)
    assert newcomer.roles.filter(role=Role.MERCHANT_STAFF, node=shop.street.community).exists()


def test_a_worker_cannot_create_merchants(street):
    from gridgov.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.merchant_create(actor=street.worker_a, name="黑店", node=street.community)


@pytest.mark.parametrize("points", [0, -5, 2.5, "10", True])
def test_item_price_must_be_a_positive_whole_number(shop, points):
    from gridgov.errors import DomainError

    with pytest.raises(DomainError):
        services.item_create(actor=shop.street.community_cadre, merchant=shop.merchant, name="坏价格", points=points)


def _lines(posting):
    """(account id, amount) of a posting's lines, whatever the ledger calls them."""
    from gridgov.rewards.tests.ledger_helpers import posting_lines

    return posting_lines(posting)


def test_staff_add_refuses_a_person_whose_roles_all_lie_outside_the_managers_area(shop):
    from gridgov.errors import PermissionDenied

    outsider = person("赵外人", node=shop.street.grid_c, role=Role.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        services.staff_add(actor=shop.street.community_cadre, merchant=shop.merchant, person=outsider)
    assert not outsider.roles.filter(role=Role.MERCHANT_STAFF).exists()
    assert AuditRecord.objects.filter(action="merchant.staff_add", outcome="denied").exists()
