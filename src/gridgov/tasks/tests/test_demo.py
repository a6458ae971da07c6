"""The demo month in 东门社区: 30+ activities with work at every step and 10,000+ points (seed 003)."""

import pytest

from gridgov.demo import collect_stats, seed_demo


@pytest.mark.django_db
def test_demo_seeds_a_believable_month_in_dongmen():
    seed_demo()
    stats = collect_stats()
    assert sum(stats["tasks"].values()) >= 30
    claims = stats["task_claims"]
    assert claims["audited"] >= 100 and claims["submitted"] > 0 and claims["evaluated"] > 0 and claims["claimed"] > 0
    assert stats["task_points_audited"] >= 10000
    assert stats["tasks"]["published"] > 0


@pytest.mark.django_db
def test_the_demo_month_happens_in_the_day_and_its_seasonal_tasks_fit_their_month():
    from django.utils import timezone

    from gridgov.reports.models import Report
    from gridgov.tasks.demo import SEASON_WORDS, SEASONS
    from gridgov.tasks.models import Claim, Task

    seed_demo()  # ledger postings are not checked: the ledger's services take no ``now`` yet
    stamps = [moment for row in Claim.objects.values_list("claimed_at", "submitted_at", "evaluated_at", "audited_at")
              for moment in row if moment]
    stamps += list(Report.objects.values_list("created_at", flat=True))
    night = [timezone.localtime(moment) for moment in stamps if timezone.localtime(moment).hour < 6]
    assert stamps and not night, night[:5]
    for title, published, deadline in Task.objects.values_list("title", "created_at", "deadline"):
        seasons = {season for season, words in SEASON_WORDS.items() if any(word in title for word in words)}
        months = {SEASONS[timezone.localtime(published).month], SEASONS[timezone.localtime(deadline).month]}
        assert not seasons or seasons & months, (title, published, deadline)
