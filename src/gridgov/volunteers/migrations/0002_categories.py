"""Default need categories with the "3812" windows (3 minutes to publish, 8 to be claimed, 12 hours to be
served); an admin may change them (data, not code)."""

from django.db import migrations

CATEGORIES = [
    # code, name, skill, reviewed first, minutes to publish, to claim, to serve
    ("wish", "微心愿", "", False, 3, 8, 12 * 60),
    ("elderly", "助老助残", "", False, 3, 8, 12 * 60),
    ("company", "企业服务", "", True, 3, 8, 12 * 60),
    ("environment", "环境整治", "", False, 3, 8, 12 * 60),
    ("medical", "医疗救护", "医护", False, 3, 8, 4 * 60),
    ("repair", "家电维修", "维修", False, 3, 8, 24 * 60),
]


def load(apps, schema_editor):
    Category = apps.get_model("volunteers", "Category")
    for order, (code, name, skill, review, publish, claim, complete) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={
            "name": name, "skill": skill, "needs_review": review, "publish_minutes": publish,
            "claim_minutes": claim, "complete_minutes": complete, "order": order,
        })


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
