"""The points a page of people earned in a month or a year (the households ranking, the dividend): the same sums
from ids in two index reads as from a queryset in one join (issue 18)."""

from gridgov.ledger.models import Account, AccountKind, EarnedTotal
from gridgov.ledger.selectors import earned_by_people
from gridgov.ledger.services import grant_points
from gridgov.orgs.models import Person


def test_a_page_of_peoples_points_by_month_and_year(street, budget, period, django_assert_num_queries):
    for n, (person, amount) in enumerate(((street.worker_a, 30), (street.worker_a, 5), (street.resident, 7))):
        grant_points(actor=street.community_cadre, person=person, amount=amount, reason="志愿服务",
                     idempotency_key=f"earned-{n}", budget_node=street.community)
    year = period[:4]
    other_month = f"{year}-01" if period != f"{year}-01" else f"{year}-02"
    worker_account = Account.objects.get(kind=AccountKind.PERSON, person=street.worker_a)
    EarnedTotal.objects.create(account=worker_account, period=other_month, points=100)
    EarnedTotal.objects.create(account=worker_account, period=f"{int(year) - 1}-12", points=1000)  # last year
    ids = [street.worker_a.pk, street.resident.pk, street.worker_b.pk]  # worker_b has no account

    with django_assert_num_queries(2):  # the accounts, then their totals
        assert earned_by_people(ids, period_prefix=period) == {street.worker_a.pk: 35, street.resident.pk: 7}
    assert earned_by_people(ids, period_prefix=f"{year}-") == {street.worker_a.pk: 135, street.resident.pk: 7}
    assert earned_by_people(ids, period_prefix=year) == {street.worker_a.pk: 135, street.resident.pk: 7}
    assert earned_by_people(ids, period_prefix=f"{int(year) - 1}-1") == {street.worker_a.pk: 1000}
    with django_assert_num_queries(0):
        assert earned_by_people([], period_prefix=period) == {}
    assert earned_by_people([street.worker_b.pk], period_prefix=period) == {}

    as_queryset = Person.objects.filter(pk__in=ids).values("pk")
    with django_assert_num_queries(1):
        assert earned_by_people(as_queryset, period_prefix=f"{year}-") == {street.worker_a.pk: 135,
                                                                          street.resident.pk: 7}
