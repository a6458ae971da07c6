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
