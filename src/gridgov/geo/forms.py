from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.geo.geometry import GCJ02, WGS84

CRS_LABELS = [(WGS84, _("WGS-84 (GPS, most GIS exports)")), (GCJ02, _("GCJ-02 (drawn on 高德 or 腾讯 maps)"))]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("GeoJSON file"), allow_empty_file=True)
    crs = forms.ChoiceField(label=_("Coordinates of the file"), choices=CRS_LABELS, initial=WGS84)
