"""Checking a rule set before it is saved: every refusal names the index or indicator and the reason.

A rule set arrives as a definition (a dict: the shipped schemes, the API) or as admin rows; both are
checked by the same functions, so a rule that references an unknown source, divides by zero, weighs by
something that is not a number or makes indices depend on each other in a circle is never stored.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gridgov.errors import Invalid
from gridgov.indices.models import Aggregation, Colour, EntityKind, Normalisation, PeriodKind
from gridgov.indices.sources import INDEX_SOURCE, SOURCES
from gridgov.orgs.models import NodeKind, Role

FACTS = ("total", "rank", "vetoed", "previous_colour")
OPERATORS = ("<", "<=", ">", ">=", "==", "!=", "in", "not_in")


def number(value, *, what: str) -> Decimal:
    """A finite number, or a refusal that names ``what``. Booleans are not numbers here."""
    if isinstance(value, bool) or value is None or value == "":
        raise Invalid(_("%(what)s must be a number, not %(value)r.") % {"what": what, "value": value})
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise Invalid(_("%(what)s must be a number, not %(value)r.") % {"what": what, "value": value}) from None
    if not result.is_finite():
        raise Invalid(_("%(what)s must be a finite number.") % {"what": what})
    return result


def check_indicator(*, where: str, source: str, filter, aggregation: str, normalisation: str, parameter,
                    weight, sign, entity_kind: str, index_codes=()) -> None:
    """One indicator's own rules (cycles are checked over the whole rule set)."""
    if source != INDEX_SOURCE and source not in SOURCES:
        raise Invalid(_("%(where)s: unknown event source %(source)r; known: %(known)s.")
                              % {"where": where, "source": source, "known": ", ".join([*SOURCES, INDEX_SOURCE])})
    if not isinstance(filter, dict):
        raise Invalid(_("%(where)s: the filter must be an object of key: value.") % {"where": where})
    if source == INDEX_SOURCE:
        if set(filter) != {"index"} or filter["index"] not in index_codes:
            raise Invalid(_("%(where)s: an index source needs {\"index\": <code of an index of this rule "
                                    "set>}.") % {"where": where})
    else:
        known = SOURCES[source]
        if unknown := set(filter) - set(known.filters):
            raise Invalid(_("%(where)s: the source %(source)s has no filter %(keys)s; it knows %(known)s.")
                                  % {"where": where, "source": source, "keys": ", ".join(sorted(unknown)),
                                     "known": ", ".join(known.filters) or "—"})
        if aggregation == Aggregation.SUM and not known.value_field:
            raise Invalid(_("%(where)s: the source %(source)s has no value to sum.")
                                  % {"where": where, "source": source})
        if aggregation == Aggregation.RATE and known.success is None:
            raise Invalid(_("%(where)s: the source %(source)s has no success to take a rate of.")
                                  % {"where": where, "source": source})
        field = known.person_field if entity_kind == EntityKind.PERSON else known.node_path_field
        if not field:
            raise Invalid(_("%(where)s: events of %(source)s do not belong to a person.")
                                  % {"where": where, "source": source})
    if aggregation not in Aggregation.values:
        raise Invalid(_("%(where)s: unknown aggregation %(value)r.") % {"where": where, "value": aggregation})
    if normalisation not in Normalisation.values:
        raise Invalid(_("%(where)s: unknown normalisation %(value)r.")
                              % {"where": where, "value": normalisation})
    if normalisation == Normalisation.PER_MEMBER and entity_kind == EntityKind.PERSON:
        raise Invalid(_("%(where)s: a person has no members to divide by.") % {"where": where})
    if normalisation in (Normalisation.CAP, Normalisation.DIVIDE):
        divisor = number(parameter, what=_("%(where)s: the normalisation parameter") % {"where": where})
        if normalisation == Normalisation.DIVIDE and divisor == 0:
            raise Invalid(_("%(where)s: dividing by zero.") % {"where": where})
    number(weight, what=_("%(where)s: the weight") % {"where": where})
    if sign not in (1, -1):
        raise Invalid(_("%(where)s: the sign is 1 (bonus) or -1 (deduction).") % {"where": where})


def check_no_cycles(depends: dict[str, set[str]]) -> list[str]:
    """Indices in an order where each comes after those it reads; refuse a circle and name it."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(code, trail):
        if state.get(code) == "done":
            return
        if state.get(code) == "visiting":
            circle = " → ".join([*trail[trail.index(code):], code])
            raise Invalid(_("The indices depend on each other in a circle: %(circle)s.") % {"circle": circle})
        state[code] = "visiting"
        for other in sorted(depends.get(code, ())):
            visit(other, [*trail, code])
        state[code] = "done"
        order.append(code)

    for code in depends:
        visit(code, [])
    return order


def check_stars_and_tiers(*, stars, tiers) -> None:
    if not isinstance(stars, list):
        raise Invalid(_("Star thresholds are a list of numbers."))
    values = [number(value, what=_("A star threshold")) for value in stars]
    if values != sorted(values):
        raise Invalid(_("Star thresholds must rise from one star to the next."))
    if not isinstance(tiers, list):
        raise Invalid(_("Tiers are a list."))
    for tier in tiers:
        if not isinstance(tier, dict) or not tier.get("code"):
            raise Invalid(_("Each tier needs a code."))
        if unknown := set(tier) - {"code", "label", "min_score", "top_percent"}:
            raise Invalid(_("A tier has unknown keys: %(keys)s.") % {"keys": ", ".join(sorted(unknown))})
        if "min_score" in tier:
            number(tier["min_score"], what=_("The tier's minimum score"))
        if "top_percent" in tier:
            percent = number(tier["top_percent"], what=_("The tier's top percent"))
            if not 0 < percent <= 100:
                raise Invalid(_("A tier's top percent lies between 0 and 100."))


def check_colour_rule(*, colour: str, conditions, index_codes) -> None:
    if colour not in Colour.values:
        raise Invalid(_("Unknown colour %(colour)r.") % {"colour": colour})
    if not isinstance(conditions, list):
        raise Invalid(_("A colour rule's conditions are a list."))
    for condition in conditions:
        if not isinstance(condition, dict) or set(condition) != {"fact", "op", "value"}:
            raise Invalid(_("A condition is {\"fact\", \"op\", \"value\"}."))
        fact, op, value = condition["fact"], condition["op"], condition["value"]
        prefix, _dot, code = str(fact).partition(".")
        if not (fact in FACTS or (prefix in ("index", "rank") and code in index_codes)):
            raise Invalid(_("A colour rule refers to an unknown fact %(fact)r.") % {"fact": fact})
        if op not in OPERATORS:
            raise Invalid(_("Unknown comparison %(op)r.") % {"op": op})
        if op in ("in", "not_in"):
            if not isinstance(value, list):
                raise Invalid(_("'in' compares with a list."))
        elif fact not in ("previous_colour", "vetoed"):
            number(value, what=_("The value compared with %(fact)s") % {"fact": fact})


def check_definition(definition: dict) -> list[str]:
    """Check a whole rule-set definition; return its indices in computation order."""
    if not isinstance(definition, dict):
        raise Invalid(_("A rule set is an object."))
    for key in ("code", "name", "entity_kind", "indices"):
        if not definition.get(key):
            raise Invalid(_("A rule set needs %(key)s.") % {"key": key})
    entity_kind = definition["entity_kind"]
    if entity_kind not in EntityKind.values:
        raise Invalid(_("Unknown entity kind %(kind)r.") % {"kind": entity_kind})
    if definition.get("period_kind", "month") not in PeriodKind.values:
        raise Invalid(_("Unknown period %(kind)r.") % {"kind": definition.get("period_kind")})
    if unknown := set(definition.get("node_kinds", [])) - set(NodeKind.values):
        raise Invalid(_("Unknown node kinds: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))})
    if unknown := set(definition.get("roles", [])) - set(Role.values):
        raise Invalid(_("Unknown roles: %(roles)s.") % {"roles": ", ".join(sorted(unknown))})
    indices = definition["indices"]
    codes = [index.get("code") for index in indices]
    if len(set(codes)) != len(codes) or not all(codes):
        raise Invalid(_("Every index needs its own code."))
    depends: dict[str, set[str]] = {}
    for index in indices:
        number(index.get("base", 0), what=_("The base of %(index)s") % {"index": index["code"]})
        depends[index["code"]] = set()
        indicator_codes = [indicator.get("code") for indicator in index.get("indicators", [])]
        if len(set(indicator_codes)) != len(indicator_codes) or not all(indicator_codes):
            raise Invalid(_("Every indicator of %(index)s needs its own code.") % {"index": index["code"]})
        for indicator in index.get("indicators", []):
            check_indicator(
                where=f"{index['code']}.{indicator['code']}", source=indicator.get("source"),
                filter=indicator.get("filter", {}), aggregation=indicator.get("aggregation", "count"),
                normalisation=indicator.get("normalisation", "none"), parameter=indicator.get("parameter"),
                weight=indicator.get("weight", 1), sign=indicator.get("sign", 1), entity_kind=entity_kind,
                index_codes=codes,
            )
            if indicator.get("source") == INDEX_SOURCE:
                depends[index["code"]].add(indicator["filter"]["index"])
    order = check_no_cycles(depends)
    total = definition.get("total_index", "")
    if total and total not in codes:
        raise Invalid(_("The total index %(code)s is not an index of this rule set.") % {"code": total})
    check_stars_and_tiers(stars=definition.get("stars", []), tiers=definition.get("tiers", []))
    for rule in definition.get("colours", []):
        check_colour_rule(colour=rule.get("colour"), conditions=rule.get("when", []), index_codes=codes)
    return order


def definition_of(rule_set) -> dict:
    """A stored rule set as a definition (the inverse of ``services.rule_set_create``)."""
    return {
        "code": rule_set.code, "name": rule_set.name, "description": rule_set.description,
        "entity_kind": rule_set.entity_kind, "node_kinds": rule_set.node_kind_list, "roles": rule_set.role_list,
        "period_kind": rule_set.period_kind, "total_index": rule_set.total_index,
        "stars": rule_set.stars, "tiers": rule_set.tiers,
        "indices": [
            {"code": index.code, "name": index.name, "base": str(index.base), "indicators": [
                {"code": i.code, "name": i.name, "group": i.group, "source": i.source, "filter": i.filter,
                 "aggregation": i.aggregation, "normalisation": i.normalisation,
                 "parameter": None if i.parameter is None else str(i.parameter), "weight": str(i.weight),
                 "sign": i.sign, "veto": i.is_veto}
                for i in index.indicators.all()
            ]}
            for index in rule_set.indices.all()
        ],
        "colours": [{"colour": rule.colour, "label": rule.label, "when": rule.conditions}
                    for rule in rule_set.colour_rules.all()],
    }
