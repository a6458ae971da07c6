"""The cadre's long lists come 50 rows a page (issue 18): the evaluation and audit queues, the published tasks and
the overdue claims. The second page goes on where the first stopped, in the same order and with as many queries;
a page number that is garbage or past the end answers a page, never an error; the count of the whole list stays
on the page and on the workbench; the audit queue's ticked claims are confirmed from whichever page they are on."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gridgov import pages, sql
from gridgov.tasks import selectors
from gridgov.tasks.models import Claim, ClaimState, Task

ROWS = 60  # more than a page (50), so there are two


@pytest.fixture
def tasks(publish, street):
    """``ROWS`` tasks of the community, each published a minute after the one before: 任务00 the oldest."""
    first = publish(title="任务00", places=1)
    start = timezone.now() - timedelta(days=2)
    made = [first]
    for number in range(1, ROWS):
        task = Task.objects.get(pk=first.pk)
        task.pk = None
        task.title = f"任务{number:02d}"
        task.save()
        made.append(task)
    for number, task in enumerate(made):
        Task.objects.filter(pk=task.pk).update(created_at=start + timedelta(minutes=number))
    return made


def _claims(street, tasks, state, **times):
    """A claim of worker A on each task, in ``state``, the one on 任务00 the oldest (by each of ``times``)."""
    start = timezone.now() - timedelta(days=30)
    Claim.objects.bulk_create([
        Claim(task=task, worker=street.worker_a, node=street.grid_a, state=state, evidence_text="巡查完毕",
              points_awarded=task.points, claimed_at=start, due_at=start + timedelta(hours=number),
              **{field: start + timedelta(hours=number) for field in times},
              **({"evaluator": street.community_cadre} if state == ClaimState.EVALUATED else {}))
        for number, task in enumerate(tasks)])


@pytest.fixture
def to_evaluate(street, tasks):
    _claims(street, tasks, ClaimState.SUBMITTED, submitted_at=True)


@pytest.fixture
def to_audit(street, tasks):
    _claims(street, tasks, ClaimState.EVALUATED, submitted_at=True, evaluated_at=True)


def _get(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def _titles(page):
    return [number for number in range(ROWS) if f"任务{number:02d}</a>" in page]


def _pages(client, person, name):
    client.force_login(person.user)
    url = reverse(name)
    client.get(url)  # the session's first request
    first, first_queries = _get(client, url)
    second, second_queries = _get(client, url, page=2)
    return first, second, (first_queries, second_queries)


def test_the_evaluation_queue_comes_fifty_a_page_the_oldest_first(client, street, to_evaluate):
    first, second, queries = _pages(client, street.community_cadre, "tasks:evaluation_queue")
    assert _titles(first) == list(range(50)) and _titles(second) == list(range(50, ROWS))
    assert queries == (16, 16)  # the page's ids, then its rows (pages.rows_first)
    assert "有 60 份提交等待您考评" in first and "共 60 条" in first and "第 2 / 2 页" in second
    assert "?page=2" in first and "?page=1" in second
    # deciding one claim without script comes back to the page it was decided on
    assert f'name="next" value="{reverse("tasks:evaluation_queue")}?page=2"' in second


def test_the_audit_queue_comes_fifty_a_page_and_ticks_all_on_the_page(client, street, to_audit):
    first, second, queries = _pages(client, street.auditor, "tasks:audit_queue")
    assert _titles(first) == list(range(50)) and _titles(second) == list(range(50, ROWS))
    assert queries == (13, 13)
    assert "有 60 份已考评的认领等待您审核" in first and "勾选本页全部 50 条" in first and "勾选本页全部 10 条" in second
    assert first.count('name="claim"') == 50 and second.count('name="claim"') == 10


def test_the_ticked_claims_of_the_second_page_are_confirmed_and_the_queue_stays_on_that_page(
        client, street, to_audit, budget):
    client.force_login(street.auditor.user)
    page = selectors.audit_queue(person=street.auditor)
    ticked = [claim.pk for claim in page[50:ROWS]]
    back = f"{reverse('tasks:audit_queue')}?page=2"
    response = client.post(reverse("tasks:audit_batch"), {"claim": ticked, "next": back})
    assert response.status_code == 302 and response.url == back
    assert Claim.objects.filter(pk__in=ticked, state=ClaimState.AUDITED).count() == 10
    assert selectors.audit_queue(person=street.auditor).count() == 50


def test_the_published_tasks_come_fifty_a_page_the_newest_first(client, street, tasks):
    first, second, queries = _pages(client, street.community_cadre, "tasks:published")
    newest_first = list(range(ROWS - 1, -1, -1))
    assert _titles(first)[::-1] == newest_first[:50] and _titles(second)[::-1] == newest_first[50:]
    assert queries == (16, 16)


def test_the_overdue_claims_come_fifty_a_page_the_longest_overdue_first(client, street, to_evaluate):
    first, second, queries = _pages(client, street.community_cadre, "tasks:overdue")
    assert _titles(first) == list(range(50)) and _titles(second) == list(range(50, ROWS))
    assert queries == (15, 15)  # the pager reuses the count by which area_first chose to sort


@pytest.mark.parametrize("sort_at_most", [1000, 10])
def test_every_page_of_the_overdue_claims_is_in_order_whether_the_area_is_sorted_or_walked(
        client, street, to_evaluate, monkeypatch, sort_at_most):
    """``area_first`` sorts a small area's rows and walks a large one's index: both give the same pages."""
    monkeypatch.setitem(sql.area_first.__kwdefaults__, "sort_at_most", sort_at_most)
    client.force_login(street.community_cadre.user)
    for number, wanted in ((1, range(50)), (2, range(50, ROWS))):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("tasks:overdue"), {"page": number}).content.decode()
        assert _titles(page) == list(wanted)
        listed = [query["sql"] for query in captured.captured_queries if " OFFSET " in query["sql"] or
                  query["sql"].startswith('SELECT "tasks_claim"."id"') and "LIMIT 50" in query["sql"]]
        assert len(listed) == 1 and ("COALESCE" in listed[0]) == (sort_at_most > ROWS)


@pytest.mark.parametrize("asked, shown", [("x", 1), ("0", 2), ("-3", 2), ("99", 2), ("2.5", 1),
                                          ("99999999999999999999999", 2), ("", 1)])
def test_a_page_number_that_is_garbage_or_past_the_end_answers_a_page(client, street, to_evaluate, asked, shown):
    client.force_login(street.community_cadre.user)
    response = client.get(reverse("tasks:evaluation_queue"), {"page": asked})
    assert response.status_code == 200
    assert f"第 {shown} / 2 页" in response.content.decode()


def test_the_workbench_counts_the_whole_queue_not_the_page(client, street, to_evaluate):
    client.force_login(street.community_cadre.user)
    page = client.get(reverse("home")).content.decode()
    assert selectors.evaluation_queue(person=street.community_cadre).count() == ROWS
    assert f">{ROWS}<" in page


def test_a_queue_longer_than_the_pager_counts_says_more_and_has_no_last_page(client, street, to_evaluate, monkeypatch):
    """The pager counts at most ``COUNT_AT_MOST`` rows (or up to the page asked): past it, "more than", no last page,
    and the next page still reachable; the page that reaches the end is counted exactly again."""
    monkeypatch.setattr(pages, "COUNT_AT_MOST", 50)
    client.force_login(street.community_cadre.user)
    url = reverse("tasks:evaluation_queue")
    first = client.get(url).content.decode()
    assert _titles(first) == list(range(50))
    assert "超过 50 份提交等待您考评" in first and "超过 50 条" in first and "第 1 页" in first and "/ 2 页" not in first
    assert "?page=2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert _titles(second) == list(range(50, ROWS)) and "共 60 条" in second and "第 2 / 2 页" in second
    for garbage in ("0", "-3", "x"):  # below 1 or garbage: a whole page, never the one row past the bound
        assert _titles(client.get(url, {"page": garbage}).content.decode()) == list(range(50))


def test_the_audit_queue_past_the_count_says_more(client, street, to_audit, monkeypatch):
    monkeypatch.setattr(pages, "COUNT_AT_MOST", 50)
    client.force_login(street.auditor.user)
    page = client.get(reverse("tasks:audit_queue")).content.decode()
    assert "超过 50 份已考评的认领等待您审核" in page and "勾选本页全部 50 条" in page


def test_the_count_reaches_the_page_asked_so_that_page_is_whole(rf, street, to_evaluate, monkeypatch):
    """Bounded at 50 rows, page 3 of 20-row pages would hold one row; ``page_of`` counts up to row 60 for it (here
    the list's 60 rows, exactly: the last page). A paginator bounded below the page answers the last whole page."""
    monkeypatch.setattr(pages, "COUNT_AT_MOST", 50)
    queue = selectors.evaluation_queue(person=street.community_cadre)
    page = pages.BoundedPaginator(queue, 20, count_at_most=50).get_page("3")
    assert not page.paginator.counted_all and page.number == 2 and len(page.object_list) == 20 and page.has_next()
    page = pages.page_of(rf.get("/", {"page": "3"}), queue, per_page=20)
    assert page.paginator.counted_all and page.number == 3 and len(page.object_list) == 20 and not page.has_next()


def test_the_pager_counts_a_limited_subquery_and_the_queues_reuse_the_sorting_count(client, street, tasks, to_evaluate,
                                                                                    monkeypatch):
    """The published tasks are counted as ``COUNT(*)`` of a ``LIMIT 51`` subquery; the evaluation queue's pager
    takes the count by which ``area_first`` chose to sort, and counts nothing more."""
    monkeypatch.setattr(pages, "COUNT_AT_MOST", 50)
    client.force_login(street.community_cadre.user)

    def counts(name):
        client.get(reverse(name))
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse(name)).content.decode()
        return page, [query["sql"] for query in captured.captured_queries
                      if query["sql"].startswith("SELECT COUNT(*) FROM (") and " LIMIT " in query["sql"]]

    page, counted = counts("tasks:published")
    assert "超过 50 条" in page and [sql for sql in counted if "LIMIT 51" in sql and '"tasks_task"' in sql]
    page, counted = counts("tasks:evaluation_queue")
    assert "超过 50 条" in page and not [sql for sql in counted if "LIMIT 51" in sql]


def test_a_page_of_the_queue_is_chosen_by_id_before_its_rows_are_joined(client, street, to_audit):
    """``pages.rows_first``: the page's ids read first with the queue's filters and order and no join, then the
    task, the worker, the evaluator and the node joined to those ids only, and the same rows in order."""
    client.force_login(street.auditor.user)
    url = reverse("tasks:audit_queue")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        second = client.get(url, {"page": 2}).content.decode()
    sqls = [query["sql"] for query in captured.captured_queries]
    chosen = [sql for sql in sqls if sql.startswith('SELECT "tasks_claim"."id" AS "pk" FROM "tasks_claim"')
              and "LIMIT 10 OFFSET 50" in sql]  # the last 10
    assert len(chosen) == 1 and "JOIN" not in chosen[0]
    listed = [sql for sql in sqls if sql.startswith('SELECT "tasks_claim"."id"') and 'JOIN "orgs_person"' in sql]
    assert len(listed) == 1 and "LIMIT" not in listed[0] and "(SELECT" not in listed[0]
    assert _titles(second) == list(range(50, ROWS))
