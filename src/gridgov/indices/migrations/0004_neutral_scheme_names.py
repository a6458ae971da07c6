"""Give the installed shipped rule sets their neutral names: no place of origin, no seed line references.

Only a name and description still exactly as shipped are changed (every version of the scheme), so an
installation's own wording stays as it is.
"""

from django.db import migrations

RENAMED = {
    "taizhou": (
        ("台州红云 一码两库三指数", "执行力指数、影响力指数、服务力指数与红绿茶灰四色码（种子文献001 第4460-4540行）"),
        ("党组织“三力”指数", "执行力、影响力、服务力三项指数，以及红、绿、茶、灰四色码"),
    ),
    "quzhou-pioneer": (
        ("衢州 党员先锋指数", "基本指数＋正向加分指数－反向扣分指数，直接降级指数一票降级；零基积分法（种子文献002）"),
        ("党员先锋指数", "基本指数＋正向加分指数－反向扣分指数；出现直接降级事项即降级；每期从零起算"),
    ),
    "quzhou-fortress": (
        ("衢州 村社党组织堡垒指数", "评星定级，先进、中间、后进三类支部（种子文献002 第2460-2540行）"),
        ("村社堡垒指数", "村社党组织评星定级，分先进、中间、后进三类"),
    ),
    "quzhou-street-service": (
        ("衢州 乡镇(街道)服务指数", "乡镇（街道）党（工）委服务指数（种子文献002 第45-50行）"),
        ("乡镇（街道）服务指数", "乡镇（街道）党（工）委服务村社、服务群众的情况"),
    ),
    "governance-points": (
        ("治村宝·善治宝 治理积分指数", "网格员与村民治理积分（积分账本）"),
        ("治理积分指数", "网格员与居民当月所得的治理积分"),
    ),
}


def rename(apps, schema_editor, forward=True):
    RuleSet = apps.get_model("indices", "RuleSet")
    for code, (old, new) in RENAMED.items():
        before, after = (old, new) if forward else (new, old)
        RuleSet.objects.filter(code=code, name=before[0]).update(name=after[0])
        RuleSet.objects.filter(code=code, description=before[1]).update(description=after[1])


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("indices", "0003_computation")]

    operations = [migrations.RunPython(rename, rename_back)]
