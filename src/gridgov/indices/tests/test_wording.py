import importlib

from django.apps import apps
from django.utils import translation

from gridgov.indices import schemes, wording
from gridgov.indices.models import RuleSet
from gridgov.indices.services import rule_sets_install
from gridgov.orgs.permissions import SYSTEM

rename_migration = importlib.import_module("gridgov.indices.migrations.0004_neutral_scheme_names")


def test_a_filter_reads_as_words_not_as_a_dict_repr():
    with translation.override("zh-hans"):
        assert wording.filter_text({"on_time": False}) == "按时：否"
    assert "{" not in wording.filter_text({"item": "serve-enterprise"})
    assert "serve-enterprise" not in wording.filter_text({"item": "serve-enterprise"})


def test_a_source_is_named_not_shown_as_its_code():
    assert "report_resolved" not in wording.source_label("report_resolved")


def test_numbers_never_show_a_negative_zero():
    assert wording.number_text(-0.0) == "0"
    assert wording.number_text(-0.001) == "0"
    assert wording.number_text(-1.5) == "-1.5"


def test_shipped_schemes_name_no_place_of_origin_and_no_seed_reference():
    for definition in schemes.DEFINITIONS:
        for text in (definition["name"], definition["description"]):
            assert not any(word in text for word in ("台州", "衢州", "种子文献", "seed")), text


def test_the_migration_renames_rule_sets_installed_under_the_old_names_and_keeps_an_installation_own(db):
    rule_sets_install(actor=SYSTEM, definitions=schemes.DEFINITIONS)
    (old_name, old_description), _new = rename_migration.RENAMED["taizhou"]
    RuleSet.objects.filter(code="taizhou").update(name=old_name, description=old_description)
    RuleSet.objects.filter(code="quzhou-pioneer").update(name="本县党员先锋指数")
    rename_migration.rename(apps, None)
    assert RuleSet.objects.get(code="taizhou").name == "党组织“三力”指数"
    assert "种子文献" not in RuleSet.objects.get(code="taizhou").description
    assert RuleSet.objects.get(code="quzhou-pioneer").name == "本县党员先锋指数"
