"""The one pager (``gridgov.pages.page_of`` and ``{% pager %}``): any ``?page=`` answers a page, the links keep the
request's other parameters (escaped), and a list with its own words for the links uses them."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from gridgov.pages import PAGE_ROWS, page_of

ROWS = list(range(120))  # three pages of 50


def _page(query: str):
    request = RequestFactory().get(f"/list/?{query}")
    return request, page_of(request, ROWS)


@pytest.mark.parametrize("asked, number", [("", 1), ("page=2", 2), ("page=3", 3), ("page=abc", 1), ("page=0", 3),
                                           ("page=-1", 3), ("page=4", 3), ("page=1.5", 1), ("page=" + "9" * 40, 3)])
def test_any_page_number_answers_a_page(asked, number):
    _request, page = _page(asked)
    assert page.number == number and len(page.object_list) == (20 if number == 3 else PAGE_ROWS)


def _drawn(query: str, template: str = "{% load gridgov %}{% pager page %}") -> str:
    request, page = _page(query)
    with translation.override("zh-hans"):
        return Template(template).render(Context({"request": request, "page": page}))


def test_the_links_keep_the_other_parameters_and_drop_the_page():
    html = _drawn("q=%E5%BC%A0%26x&node=C01&page=2")
    assert "共 120 条" in html and "第 2 / 3 页" in html
    assert 'href="?q=%E5%BC%A0%26x&amp;node=C01&amp;page=1"' in html
    assert 'href="?q=%E5%BC%A0%26x&amp;node=C01&amp;page=3"' in html
    assert html.count("page=") == 2


def test_the_first_and_last_pages_link_one_way_only():
    first, last = _drawn(""), _drawn("page=3")
    assert 'rel="prev"' not in first and 'href="?page=2"' in first
    assert 'rel="next"' not in last and 'href="?page=2"' in last


def test_a_list_names_its_own_links():
    html = _drawn("page=2", '{% load i18n gridgov %}{% translate "Newer" as newer %}{% translate "Older" as older %}'
                            '{% pager page previous=newer next=older %}')
    assert "‹ 较新" in html and "较早 ›" in html


def test_an_empty_list_draws_no_pager():
    request = RequestFactory().get("/list/")
    page = page_of(request, [])
    html = Template("{% load gridgov %}{% pager page %}").render(Context({"request": request, "page": page}))
    assert html.strip() == ""
