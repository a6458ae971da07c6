"""Default report categories with their deadlines and points; an admin may change them (data, not code)."""

from django.db import migrations

CATEGORIES = [
    # code, name, hours to accept, hours to resolve, points for a confirmed useful report
    ("safety", "安全隐患", 4, 24, 10),
    ("environment", "环境卫生", 24, 72, 5),
    ("facilities", "道路设施", 24, 120, 5),
    ("construction", "违章建筑", 24, 168, 10),
    ("dispute", "邻里纠纷", 24, 72, 3),
    ("other", "其他", 48, 168, 2),
]


def load(apps, schema_editor):
    Category = apps.get_model("reports", "Category")
    for order, (code, name, response, resolution, points) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={
            "name": name, "response_hours": response, "resolution_hours": resolution, "points": points,
            "order": order,
        })


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
