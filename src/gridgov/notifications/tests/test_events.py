"""Each event that asks something of a person produces one message for them and none for anyone else."""

from datetime import timedelta

from gridgov.deadlines import scan
from gridgov.notifications.models import Message
from gridgov.notifications.tests.conftest import T0, inbox_of, recipients
from gridgov.orgs.models import Role
from gridgov.tasks import services as tasks
from gridgov.testing.factories import person


def submitted_claim(publish, street, worker=None):
    worker = worker or street.worker_a
    claim = tasks.task_claim(actor=worker, task=publish(), now=T0 + timedelta(hours=1))
    return tasks.claim_submit(actor=worker, claim=claim, text="巡查完毕", now=T0 + timedelta(hours=2))


QUEUED = ("claim_to_evaluate", "claim_to_audit")  # the cadres' side, checked on its own below


def claim_messages():
    decided = Message.objects.exclude(kind="task_published").exclude(kind__in=QUEUED).order_by("pk")
    return list(decided.values_list("kind", "recipient__name", "title"))


# ---------------------------------------------------------------------------------------------- tasks


def test_a_published_task_reaches_the_grid_workers_and_leaders_under_its_node_and_no_one_else(street, publish):
    person("钱网格长", node=street.grid_a, role=Role.GRID_LEADER)
    switched_off = person("郑停用", node=street.grid_a, role=Role.GRID_WORKER)
    switched_off.__class__.objects.filter(pk=switched_off.pk).update(is_active=False)
    publish(node=street.grid_a, title="楼道杂物清理")
    assert recipients("task_published") == ["刘网格", "钱网格长"]  # not 孙网格 (grid B), the resident, the cadres
    assert inbox_of(street.worker_a) == [("新任务：楼道杂物清理", 1)]
    message = Message.objects.get(recipient=street.worker_a)
    assert message.node == street.grid_a and "20 积分" in message.body


def test_a_task_for_the_whole_community_reaches_every_worker_in_it_but_not_the_village(street, publish):
    publish()
    assert recipients("task_published") == ["刘网格", "孙网格"]


def test_tasks_published_together_to_one_node_are_one_message_per_worker(street, publish):
    for minute in range(3):
        publish(title=f"巡查{minute}", now=T0 + timedelta(minutes=minute))
    publish(node=street.grid_a, title="另一个节点的任务", now=T0 + timedelta(minutes=5))
    assert inbox_of(street.worker_a) == [("新任务：另一个节点的任务", 1), ("网格内有 3 个新任务", 3)]
    assert inbox_of(street.worker_b) == [("网格内有 3 个新任务", 3)]
    assert Message.objects.get(recipient=street.worker_b).url == "/tasks/"


def test_approval_and_confirmation_each_tell_the_worker_only(street, publish, budget):
    claim = submitted_claim(publish, street)
    claim = tasks.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True, now=T0 + timedelta(hours=3))
    tasks.claim_audit(actor=street.auditor, claim=claim, confirm=True, now=T0 + timedelta(hours=4))
    assert sorted(claim_messages()) == [
        ("claim_approved", "刘网格", "考评通过：消防安全巡查"),
        ("claim_confirmed", "刘网格", "审核通过：消防安全巡查"),
        ("points_granted", "刘网格", "获得 20 积分：任务积分：消防安全巡查"),
    ]


def test_a_rejection_tells_the_worker_why(street, publish):
    claim = submitted_claim(publish, street)
    tasks.claim_evaluate(actor=street.community_cadre, claim=claim, approve=False, reason="照片不清楚",
                         now=T0 + timedelta(hours=3))
    assert claim_messages() == [("claim_rejected", "刘网格", "考评退回，请补充材料：消防安全巡查")]
    assert Message.objects.get(kind="claim_rejected").body == "原因：照片不清楚"


def test_an_audit_sending_the_claim_back_tells_the_worker(street, publish):
    claim = submitted_claim(publish, street)
    claim = tasks.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True, now=T0 + timedelta(hours=3))
    tasks.claim_audit(actor=street.auditor, claim=claim, confirm=False, reason="与任务无关", now=T0 + timedelta(hours=4))
    assert [kind for kind, *_rest in claim_messages()] == ["claim_approved", "claim_sent_back"]
    assert recipients("claim_sent_back") == ["刘网格"]


def test_a_hand_in_tells_the_community_cadre_who_evaluates_it_and_no_one_else(street, publish):
    person("钱街道", node=street.street, role=Role.STREET_CADRE)
    claim = submitted_claim(publish, street)
    assert recipients("claim_to_evaluate") == [street.community_cadre.name]  # not the street, the auditor, the worker
    message = Message.objects.get(kind="claim_to_evaluate")
    assert message.title == "待考评：消防安全巡查" and message.url == f"/tasks/claims/{claim.pk}/"
    assert street.worker_a.name in message.body


def test_hand_ins_arriving_together_are_one_message_that_opens_the_evaluation_queue(street, publish):
    task = publish()
    for worker in (street.worker_a, street.worker_b):
        claim = tasks.task_claim(actor=worker, task=task, now=T0 + timedelta(hours=1))
        tasks.claim_submit(actor=worker, claim=claim, text="巡查完毕", now=T0 + timedelta(hours=2))
    assert inbox_of(street.community_cadre) == [("2 项任务等待您考评", 2)]
    assert Message.objects.get(kind="claim_to_evaluate").url == "/tasks/evaluation/"


def test_an_approval_tells_the_auditor_and_a_send_back_tells_the_evaluator_again(street, publish):
    claim = submitted_claim(publish, street)
    claim = tasks.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True, now=T0 + timedelta(hours=3))
    assert recipients("claim_to_audit") == [street.auditor.name]
    tasks.claim_audit(actor=street.auditor, claim=claim, confirm=False, reason="与任务无关",
                      now=T0 + timedelta(hours=3, minutes=30))
    assert Message.objects.filter(kind="claim_to_evaluate", recipient=street.community_cadre).count() == 1
    assert inbox_of(street.community_cadre)[0] == ("2 项任务等待您考评", 2)


def test_a_rejection_and_a_confirmation_put_nothing_in_a_cadres_queue(street, publish, budget):
    claim = submitted_claim(publish, street)
    Message.objects.filter(kind="claim_to_evaluate").delete()
    claim = tasks.claim_evaluate(actor=street.community_cadre, claim=claim, approve=False, reason="照片不清楚",
                                 now=T0 + timedelta(hours=3))
    assert not Message.objects.filter(kind__in=QUEUED).exists()


def test_a_refused_decision_tells_nobody(street, publish):
    claim = submitted_claim(publish, street)
    try:
        tasks.claim_evaluate(actor=street.community_cadre, claim=claim, approve=False, reason="")
    except Exception:  # reason_required
        pass
    assert claim_messages() == []


# ---------------------------------------------------------------------------------------------- points


def test_points_granted_reach_the_person_only(street, budget):
    from gridgov.ledger.services import grant_points

    grant_points(actor=street.community_cadre, person=street.resident, amount=5, reason="垃圾分类示范户",
                 idempotency_key="award:1", budget_node=street.community)
    assert recipients() == ["周居民"]
    assert inbox_of(street.resident) == [("获得 5 积分：垃圾分类示范户", 1)]


def test_a_batch_of_forty_grants_to_one_person_is_one_message(street, budget):
    from gridgov.ledger.services import grant_batch

    grants = [{"person": street.worker_a, "amount": 1, "reason": f"第{n}次巡查"} for n in range(40)]
    grants.append({"person": street.worker_b, "amount": 3, "reason": "巡查"})
    grant_batch(actor=street.community_cadre, grants=grants, budget_node=street.community, idempotency_key="m:1")
    assert inbox_of(street.worker_a) == [("你收到 40 笔积分", 40)]
    assert inbox_of(street.worker_b) == [("获得 3 积分：巡查", 1)]
    grant_batch(actor=street.community_cadre, grants=grants, budget_node=street.community, idempotency_key="m:1")
    assert inbox_of(street.worker_a) == [("你收到 40 笔积分", 40)]  # a replay grants nothing and tells nothing


# ---------------------------------------------------------------------------------------------- work orders


def test_a_filed_report_tells_its_handler_only(street, environment):
    from gridgov.reports import services as reports

    reports.report_file(actor=street.resident, node=street.micro_a1, category=environment, text="垃圾桶满了", now=T0)
    assert recipients() == ["刘网格"]
    assert inbox_of(street.worker_a) == [("新工单：环境卫生", 1)]


def test_reassigning_and_escalating_tell_the_new_handler(street, environment):
    from gridgov.reports import services as reports

    report = reports.report_file(actor=street.resident, node=street.micro_a1, category=environment, text="垃圾",
                                 now=T0)
    Message.objects.all().delete()
    colleague = person("吴网格", node=street.grid_a, role=Role.GRID_WORKER)
    report = reports.report_reassign(actor=street.community_cadre, report=report, handler=colleague,
                                     reason="刘网格休假", now=T0 + timedelta(hours=1))
    assert recipients() == ["吴网格"]
    reports.report_escalate(actor=colleague, report=report, reason="需要社区协调", now=T0 + timedelta(hours=2))
    assert recipients() == ["吴网格", "李社区"]
    assert inbox_of(street.community_cadre) == [("工单上报给你办理：环境卫生", 1)]


def test_a_bad_rating_that_reopens_the_work_order_tells_the_handler(street, environment):
    from gridgov.reports import services as reports

    report = reports.report_file(actor=street.resident, node=street.micro_a1, category=environment, text="垃圾",
                                 now=T0)
    report = reports.report_accept(actor=street.worker_a, report=report, now=T0 + timedelta(hours=1))
    report = reports.report_resolve(actor=street.worker_a, report=report, resolution="已清理", now=T0 + timedelta(hours=2))
    Message.objects.all().delete()
    reports.report_rate(actor=street.resident, report=report, rating=1, comment="没清理干净", now=T0 + timedelta(hours=3))
    assert recipients() == ["刘网格"]
    assert inbox_of(street.worker_a) == [("居民评价不满意，工单重新办理：环境卫生", 1)]


def test_taking_a_work_order_oneself_tells_nobody(street, environment):
    from gridgov.reports import services as reports

    report = reports.report_file(actor=street.resident, node=street.micro_a1, category=environment, text="垃圾",
                                 now=T0)
    Message.objects.all().delete()
    reports.report_reassign(actor=street.community_cadre, report=report, handler=street.community_cadre, now=T0)
    assert recipients() == []


# ---------------------------------------------------------------------------------------------- deadlines


def test_a_scan_tells_the_handler_of_lateness_and_the_cadre_above_of_an_escalation(street, environment):
    from gridgov.reports import services as reports

    report = reports.report_file(actor=street.resident, node=street.micro_a1, category=environment, text="垃圾",
                                 now=T0)
    Message.objects.all().delete()
    scan.scan_deadlines(now=T0 + timedelta(hours=72))  # accept-by passed long ago: overdue and escalated at once
    assert recipients("deadline") == ["刘网格", "李社区"]
    assert inbox_of(street.worker_a) == [("已超时：居民报事 · 环境卫生 · 已提交", 1)]
    assert inbox_of(street.community_cadre) == [("超时未办，已上报给你：居民报事 · 环境卫生 · 已提交", 1)]
    assert Message.objects.get(recipient=street.worker_a).url == f"/reports/{report.pk}/"
    scan.scan_deadlines(now=T0 + timedelta(hours=72, minutes=5))  # nothing new raised: nothing new said
    assert Message.objects.filter(kind="deadline").count() == 2


def test_alerts_of_one_scan_are_one_message_per_recipient(street, environment):
    from gridgov.reports import services as reports

    for text in ("垃圾一", "垃圾二", "垃圾三"):
        reports.report_file(actor=street.resident, node=street.micro_a1, category=environment, text=text, now=T0)
    scan.scan_deadlines(now=T0 + timedelta(hours=25))
    assert [row for row in inbox_of(street.worker_a) if "到期" in row[0] or "超时" in row[0]] == [
        ("3 件事项即将到期或已超时", 3)]
    assert Message.objects.get(kind="deadline").url == "/reports/alerts/"


def test_a_message_commits_with_the_action_only(street, publish):
    from django.db import transaction

    try:
        with transaction.atomic():
            publish()
            raise RuntimeError
    except RuntimeError:
        pass
    assert not Message.objects.exists()

