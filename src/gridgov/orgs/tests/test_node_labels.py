from gridgov.orgs.forms import NodeChoiceField
from gridgov.orgs.models import Node


def test_a_node_drop_down_names_each_node_with_its_place_and_never_its_code(street):
    field = NodeChoiceField(queryset=Node.objects.filter(path__startswith=street.community.path).order_by("path"))
    labels = [label for _value, label in field.choices][1:]
    assert labels[0] == street.community.name
    assert all(label.startswith(street.community.name + " › ") for label in labels[1:])
    assert not any(node.code in label for node in Node.objects.all() for label in labels)


def test_a_changed_queryset_relabels_the_drop_down(street):
    field = NodeChoiceField(queryset=Node.objects.filter(pk=street.community.pk))
    assert [label for _value, label in field.choices][1:] == ["东门社区"]
    field.queryset = Node.objects.filter(pk__in=[street.community.pk, street.grid_a.pk])
    assert [label for _value, label in field.choices][1:] == ["东门社区", "东门社区 › 东门第一网格"]
