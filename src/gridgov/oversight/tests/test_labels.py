import re
from pathlib import Path

from gridgov.oversight.labels import ACTION_LABELS, action_label

SOURCE = Path(__file__).resolve().parents[2]
ACTION = re.compile(r"""action=["']([a-z_]+\.[a-z_.]+)["']""")


def test_every_action_the_code_audits_has_a_label():
    written = {
        code
        for path in SOURCE.rglob("*.py") if "tests" not in path.parts
        for code in ACTION.findall(path.read_text(encoding="utf-8"))
    }
    assert written, "no audited actions found"
    assert sorted(written - set(ACTION_LABELS)) == []


def test_an_unnamed_action_is_named_by_its_area_not_shown_as_its_code():
    assert "task.someday" not in action_label("task.someday")
    assert "x.y" not in action_label("x.y")


def test_a_recorded_reason_reads_in_words():
    from gridgov.oversight.labels import reason_text
    assert reason_text("out_of_scope") != "out_of_scope"
    assert reason_text("no_place: 这个任务已满") == "这个任务已满"
    assert reason_text("居民撤回") == "居民撤回"
