"""Admin: rule sets are edited here (indices, indicators and colour rules inline). A version that a published
run used is locked and read-only: change it by saving a new version (the action below). Every row is checked
by the same rules as a definition, so an unknown source, a zero divisor or a bad weight is refused on save.
Runs, scores and recorded events are read-only here: they change only through the services."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from gridgov.admin import ReadOnlyAdmin
from gridgov.errors import DomainError, message_of
from gridgov.indices import rules, services
from gridgov.indices.models import ColourRule, Index, Indicator, OrgCode, RuleSet, Run
from gridgov.indices.sources import source_choices
from gridgov.orgs.selectors import person_for_user


class IndicatorForm(forms.ModelForm):
    source = forms.ChoiceField(label=_("event source"), choices=source_choices)

    class Meta:
        model = Indicator
        fields = "__all__"

    def clean(self):
        data = super().clean()
        index = data.get("index") or getattr(self.instance, "index", None)
        if index is not None and not self.errors:
            codes = list(index.rule_set.indices.values_list("code", flat=True))
            rules.check_indicator(
                where=data.get("code", ""), source=data.get("source"), filter=data.get("filter") or {},
                aggregation=data.get("aggregation"), normalisation=data.get("normalisation"),
                parameter=data.get("parameter"), weight=data.get("weight"), sign=data.get("sign"),
                entity_kind=index.rule_set.entity_kind, index_codes=codes,
            )
        return data


class ColourRuleForm(forms.ModelForm):
    class Meta:
        model = ColourRule
        fields = "__all__"

    def clean(self):
        data = super().clean()
        rule_set = data.get("rule_set") or getattr(self.instance, "rule_set", None)
        if rule_set is not None and not self.errors:
            rules.check_colour_rule(colour=data.get("colour"), conditions=data.get("conditions") or [],
                                    index_codes=list(rule_set.indices.values_list("code", flat=True)))
        return data


class LockedMixin:
    def _locked(self, obj) -> bool:
        rule_set = obj if isinstance(obj, RuleSet) else getattr(obj, "rule_set", None)
        return bool(rule_set and rule_set.locked_at)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)

    def has_add_permission(self, request, *obj):
        """ModelAdmin passes only the request; an inline also passes the parent object."""
        return super().has_add_permission(request, *obj) and not (obj and self._locked(obj[0]))


class IndexInline(LockedMixin, admin.TabularInline):
    model = Index
    extra = 0
    show_change_link = True


class ColourRuleInline(LockedMixin, admin.TabularInline):
    model = ColourRule
    form = ColourRuleForm
    extra = 0


class IndicatorInline(admin.StackedInline):
    model = Indicator
    form = IndicatorForm
    extra = 0

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.rule_set.locked_at)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and obj.rule_set.locked_at)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.rule_set.locked_at)


@admin.register(RuleSet)
class RuleSetAdmin(LockedMixin, admin.ModelAdmin):
    list_display = ["name", "code", "version", "entity_kind", "period_kind", "is_active", "locked_at"]
    list_filter = ["entity_kind", "is_active"]
    inlines = [IndexInline, ColourRuleInline]
    actions = ["new_version"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        try:
            rules.check_definition(rules.definition_of(form.instance))
        except DomainError as refusal:
            messages.error(request, message_of(refusal))

    @admin.action(description=_("Save as a new version (editable)"))
    def new_version(self, request, queryset):
        actor = person_for_user(request.user)
        for rule_set in queryset:
            try:
                created = services.rule_set_new_version(actor=actor, rule_set=rule_set)
            except DomainError as refusal:
                messages.error(request, message_of(refusal))
            else:
                messages.success(request, _("Created %(name)s.") % {"name": created})


@admin.register(Index)
class IndexAdmin(LockedMixin, admin.ModelAdmin):
    list_display = ["name", "code", "rule_set", "base"]
    inlines = [IndicatorInline]


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "period", "revision", "state", "rule_set", "entity_count", "computed_at", "reason"]
    list_filter = ["scheme", "state"]


@admin.register(OrgCode)
class OrgCodeAdmin(admin.ModelAdmin):
    list_display = ["node", "slug", "created_at"]
    readonly_fields = ["node", "slug", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
