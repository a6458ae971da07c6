"""The schemes the seed documents describe, shipped as ready-made rule-set definitions.

Pages show only each scheme's neutral name and description (no place of origin, no seed line references):
the weights, star cut-offs and tiers below are illustrative, and an installation sets its own.

- 台州红云 一码两库三指数 (seed 001 lines 4460-4540): 执行力 / 影响力 / 服务力 per organisation per month,
  and the four-colour QR code: 红 = activities held as required and top 8 on both 影响力 and 服务力;
  绿 = activities held as required; 灰 = 茶 two months running (so: not held, and last month tea or grey);
  茶 = activities not held strictly as required.
- 衢州 党员先锋指数 (seed 002 lines 2320-2335, 3910-3920): 基本指数 + 正向加分 − 反向扣分, with 直接降级
  items that downgrade whatever the score; 零基积分法 (every period starts at zero: base 0).
- 衢州 村社党组织堡垒指数 with 评星定级 and 先进 / 中间 / 后进 (seed 002 lines 2460-2540).
- 衢州 乡镇(街道)服务指数 (seed 002 lines 45-50).
- 治村宝 / 善治宝 points from the ledger as one more index.
"""

TAIZHOU = "taizhou"
PIONEER = "quzhou-pioneer"
FORTRESS = "quzhou-fortress"
STREET_SERVICE = "quzhou-street-service"
POINTS = "governance-points"

UNITS = ["community", "village", "cooperative"]

TAIZHOU_COLOURS = [
    {"colour": "red", "label": "党建活动正常开展，影响力、服务力指数排名均居前8名",
     "when": [{"fact": "index.execution", "op": ">=", "value": 100},
              {"fact": "rank.influence", "op": "<=", "value": 8},
              {"fact": "rank.service", "op": "<=", "value": 8}]},
    {"colour": "green", "label": "党建活动正常开展",
     "when": [{"fact": "index.execution", "op": ">=", "value": 100}]},
    {"colour": "grey", "label": "连续两月为茶码，需立即整改",
     "when": [{"fact": "previous_colour", "op": "in", "value": ["tea", "grey"]}]},
    {"colour": "tea", "label": "党建活动未严格按照要求开展，需引起重视", "when": []},
]

DEFINITIONS = [
    {
        "code": TAIZHOU, "name": "党组织“三力”指数", "entity_kind": "node", "node_kinds": UNITS,
        "description": "执行力、影响力、服务力三项指数，以及红、绿、茶、灰四色码",
        "indices": [
            {"code": "execution", "name": "执行力指数", "indicators": [
                {"code": "life_held", "name": "组织生活按要求开展率", "source": "activity",
                 "filter": {"required": True}, "aggregation": "rate", "weight": 100},
            ]},
            {"code": "influence", "name": "影响力指数", "indicators": [
                {"code": "submitted", "name": "动态信息报送", "source": "news", "aggregation": "count", "weight": 2},
                {"code": "adopted", "name": "信息录用", "source": "news", "filter": {"adopted": True},
                 "aggregation": "count", "weight": 5},
                {"code": "spread", "name": "传播次数（封顶100）", "source": "news", "aggregation": "sum",
                 "normalisation": "cap", "parameter": 100, "weight": "0.2"},
            ]},
            {"code": "service", "name": "服务力指数", "indicators": [
                {"code": "tasks", "name": "服务中心工作（任务完成审核）", "source": "task_audited", "weight": 1},
                {"code": "reports_on_time", "name": "服务群众（报事按时办结）", "source": "report_resolved",
                 "filter": {"on_time": True}, "weight": 2},
                {"code": "reports_late", "name": "报事超时办结", "source": "report_resolved",
                 "filter": {"on_time": False}, "weight": 1, "sign": -1},
                {"code": "enterprises", "name": "服务企业（干部评定）", "source": "assessment",
                 "filter": {"item": "serve-enterprise"}, "aggregation": "sum", "weight": 1},
            ]},
        ],
        "colours": TAIZHOU_COLOURS,
    },
    {
        "code": PIONEER, "name": "党员先锋指数", "entity_kind": "person",
        "roles": ["grid_leader", "grid_worker"], "node_kinds": UNITS,
        "description": "基本指数＋正向加分指数－反向扣分指数；出现直接降级事项即降级；每期从零起算",
        "stars": [20, 40, 60, 80, 100],
        "tiers": [{"code": "advanced", "label": "先锋", "top_percent": 20},
                  {"code": "middle", "label": "合格", "min_score": 20},
                  {"code": "lagging", "label": "后进"}],
        "indices": [
            {"code": "pioneer", "name": "党员先锋指数", "base": 0, "indicators": [
                {"code": "study", "name": "学分", "group": "基本指数", "source": "assessment",
                 "filter": {"item": "study"}, "aggregation": "sum", "normalisation": "cap", "parameter": 40},
                {"code": "attendance", "name": "组织生活出勤率", "group": "基本指数", "source": "attendance",
                 "aggregation": "rate", "weight": 20},
                {"code": "work", "name": "工分（任务积分/10）", "group": "正向加分指数", "source": "task_audited",
                 "aggregation": "sum", "normalisation": "divide", "parameter": 10},
                {"code": "bonus", "name": "先锋表现加分", "group": "正向加分指数", "source": "assessment",
                 "filter": {"item": "bonus"}, "aggregation": "sum"},
                {"code": "deduction", "name": "反向扣分", "group": "反向扣分指数", "source": "assessment",
                 "filter": {"item": "deduction"}, "aggregation": "sum", "sign": -1},
                {"code": "downgrade", "name": "直接降级事项", "group": "直接降级指数", "source": "assessment",
                 "filter": {"item": "downgrade"}, "aggregation": "count", "weight": 0, "veto": True},
            ]},
        ],
    },
    {
        "code": FORTRESS, "name": "村社堡垒指数", "entity_kind": "node", "node_kinds": UNITS,
        "description": "村社党组织评星定级，分先进、中间、后进三类",
        "stars": [60, 70, 80, 90, 95],
        "tiers": [{"code": "advanced", "label": "先进", "min_score": 80},
                  {"code": "middle", "label": "中间", "min_score": 60},
                  {"code": "lagging", "label": "后进"}],
        "indices": [
            {"code": "fortress", "name": "堡垒指数", "indicators": [
                {"code": "life", "name": "组织生活落实", "source": "activity", "filter": {"required": True},
                 "aggregation": "rate", "weight": 50},
                {"code": "reports", "name": "报事按时办结率", "source": "report_resolved", "aggregation": "rate",
                 "weight": 10},
                {"code": "tasks", "name": "治理任务完成（百分位）", "source": "task_audited",
                 "normalisation": "percentile", "weight": "0.1"},
                {"code": "review", "name": "支部检修评定", "source": "assessment", "filter": {"item": "fortress"},
                 "aggregation": "sum", "normalisation": "cap", "parameter": 30},
                {"code": "veto", "name": "一票否决事项", "group": "直接降级", "source": "assessment",
                 "filter": {"item": "fortress-veto"}, "weight": 0, "veto": True},
            ]},
        ],
    },
    {
        "code": STREET_SERVICE, "name": "乡镇（街道）服务指数", "entity_kind": "node", "node_kinds": ["street"],
        "description": "乡镇（街道）党（工）委服务村社、服务群众的情况",
        "stars": [60, 70, 80, 90, 95],
        "indices": [
            {"code": "service", "name": "服务指数", "indicators": [
                {"code": "reports", "name": "报事按时办结率", "source": "report_resolved", "aggregation": "rate",
                 "weight": 60},
                {"code": "life", "name": "村社组织生活落实率", "source": "activity", "filter": {"required": True},
                 "aggregation": "rate", "weight": 40},
            ]},
        ],
    },
    {
        "code": POINTS, "name": "治理积分指数", "entity_kind": "person",
        "roles": ["grid_leader", "grid_worker", "resident"], "node_kinds": UNITS,
        "description": "网格员与居民当月所得的治理积分",
        "indices": [
            {"code": "points", "name": "治理积分", "indicators": [
                {"code": "earned", "name": "当月所得积分", "source": "ledger_points", "aggregation": "sum"},
            ]},
        ],
    },
]
