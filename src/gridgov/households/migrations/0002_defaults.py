"""Default resident-file fields (三知六掌握), the visit checklist (十必查), the inspection items (庭院卫生, 垃圾分类 …), visit frequencies per care tag and the
link quotas (1人7户). All are data: an installation changes them in the admin. The seeds name the items, not
these exact lists, sensitivities or numbers: they are illustrative defaults."""

from django.db import migrations

FIELDS = [
    # code, label, section, sensitivity
    ("hukou_type", "户籍类型", "basic", "open"),
    ("house_type", "房屋类型", "basic", "open"),
    ("land_area", "承包土地（亩）", "basic", "internal"),
    ("affairs_interest", "关注的村务公开事项", "affairs", "open"),
    ("fire_danger", "消防隐患", "dangers", "internal"),
    ("house_safety", "房屋安全", "dangers", "internal"),
    ("disputes", "矛盾纠纷", "disputes", "sensitive"),
    ("employment", "就业情况", "employment", "internal"),
    ("income", "家庭年收入", "employment", "sensitive"),
    ("assistance", "低保与救助", "employment", "sensitive"),
    ("major_events", "重大事项（婚丧嫁娶、建房等）", "events", "internal"),
    ("offences", "违法犯罪记录", "offences", "sensitive"),
    ("key_person", "重点人员管控情况", "offences", "sensitive"),
]
CHECKLIST = [
    ("power", "用火用电安全"), ("gas", "燃气安全"), ("house", "房屋安全"), ("health", "身体状况"),
    ("livelihood", "生活困难"), ("dispute", "矛盾纠纷"), ("rental", "出租房与流动人口"),
    ("yard", "庭院卫生与垃圾分类"), ("fraud", "防诈骗宣传"), ("policy", "政策知晓"),
]
FREQUENCIES = [("elderly_alone", 7), ("disability", 14), ("low_income", 14), ("left_behind_child", 14),
               ("key_person", 7)]
QUOTAS = [("party_member", 7), ("grid_worker", 3)]
INSPECTION = [("yard", "庭院卫生", 30), ("sorting", "垃圾分类", 30), ("surroundings", "房前屋后整洁", 20),
              ("civility", "文明新风", 20)]


def load(apps, schema_editor):
    FileField = apps.get_model("households", "FileField")
    ChecklistItem = apps.get_model("households", "ChecklistItem")
    VisitFrequency = apps.get_model("households", "VisitFrequency")
    LinkQuota = apps.get_model("households", "LinkQuota")
    for order, (code, label, section, sensitivity) in enumerate(FIELDS):
        FileField.objects.get_or_create(code=code, defaults={"label": label, "section": section,
                                                             "sensitivity": sensitivity, "order": order})
    for order, (code, label) in enumerate(CHECKLIST):
        ChecklistItem.objects.get_or_create(code=code, defaults={"label": label, "order": order})
    for tag, days in FREQUENCIES:
        VisitFrequency.objects.get_or_create(tag=tag, defaults={"days": days})
    InspectionItem = apps.get_model("households", "InspectionItem")
    for order, (code, label, max_score) in enumerate(INSPECTION):
        InspectionItem.objects.get_or_create(code=code, defaults={"label": label, "max_score": max_score,
                                                                  "order": order})
    for kind, minimum in QUOTAS:
        LinkQuota.objects.get_or_create(kind=kind, defaults={"minimum": minimum})


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
