"""The five modules of 治村宝 and 26 key work types under them (seed 003), as data an admin may edit."""

from django.db import migrations

CATALOGUE = [
    ("xiangfeng", "乡风文明", [
        ("wenming-shijian", "文明实践"), ("yifeng-yisu", "移风易俗"), ("zhiyuan-fuwu", "志愿服务"),
        ("wenhua-huodong", "文化活动"), ("jiafeng-jiaxun", "家风家训"), ("daode-pingyi", "道德评议"),
    ]),
    ("zhili", "基层治理", [
        ("yiqing-fangkong", "疫情防控"), ("xiaofang-anquan", "消防安全"), ("weijian-paimo", "违建排摸"),
        ("maodun-tiaojie", "矛盾调解"), ("renkou-caiji", "人口信息采集"), ("anquan-shengchan", "安全生产检查"),
        ("fangxun-fangtai", "防汛防台"),
    ]),
    ("fuyu", "生活富裕", [
        ("kunnan-bangfu", "困难帮扶"), ("jiuye-bangfu", "就业帮扶"), ("yanglao-guanai", "养老关爱"),
        ("shebao-daiban", "社保医保代办"),
    ]),
    ("shengtai", "生态宜居", [
        ("wushui-gongzhi", "五水共治"), ("jiegan-fenshao", "秸秆焚烧"), ("laji-fenlei", "垃圾分类"),
        ("huanjing-zhengzhi", "环境整治"), ("hedao-xuncha", "河道巡查"),
    ]),
    ("chanye", "产业兴旺", [
        ("qiye-zoufang", "企业走访"), ("nongye-fuwu", "农业生产服务"), ("dianshang-zhunong", "电商助农"),
        ("zhaoshang-fuwu", "招商服务"),
    ]),
]


def load(apps, schema_editor):
    Module = apps.get_model("tasks", "Module")
    WorkType = apps.get_model("tasks", "WorkType")
    for module_order, (code, name, types) in enumerate(CATALOGUE, start=1):
        module, _ = Module.objects.get_or_create(code=code, defaults={"name": name, "order": module_order})
        for order, (type_code, type_name) in enumerate(types, start=1):
            WorkType.objects.get_or_create(code=type_code, defaults={"module": module, "name": type_name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
