"""core.web: where a service's refusal shows on a form, the one-form page, the union chooser."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit
from gonghui.core.web import chosen_union, form_error, form_page


class NameForm(forms.Form):
    name = forms.CharField()


def _form() -> NameForm:
    form = NameForm({"name": "张三"})
    assert form.is_valid()
    return form


def test_it_puts_the_refusal_on_the_field_it_names():
    form = _form()
    form_error(form, DomainError("x.name", "名称已被使用", field="name"))
    assert form.errors == {"name": ["名称已被使用"]}


def test_it_puts_a_refusal_for_a_field_the_form_lacks_above_the_form():
    form = _form()
    form_error(form, DomainError("x.other", "不能这样做", field="other"))
    assert form.non_field_errors() == ["不能这样做"]


def test_it_puts_a_refusal_without_a_field_above_the_form():
    form = _form()
    form_error(form, DomainError("x.state", "状态不允许"))
    assert form.non_field_errors() == ["状态不允许"] and not form.is_valid()


# ---- chosen_union ------------------------------------------------------------------------

UNIONS = [OrgUnit(pk=7, name="第一中学工会"), OrgUnit(pk=9, name="第二中学工会")]


def test_it_takes_the_first_union_when_none_is_asked_for():
    assert chosen_union(RequestFactory().get("/"), UNIONS).pk == 7


def test_it_takes_the_union_asked_for_by_query_or_post():
    assert chosen_union(RequestFactory().get("/", {"union": "9"}), UNIONS).pk == 9
    assert chosen_union(RequestFactory().post("/", {"union": "9"}), UNIONS).pk == 9


def test_it_answers_404_for_a_union_not_offered():
    with pytest.raises(Http404):
        chosen_union(RequestFactory().get("/", {"union": "8"}), UNIONS)


def test_it_answers_403_when_no_union_is_offered():
    with pytest.raises(PermissionDenied):
        chosen_union(RequestFactory().get("/"), [])


# ---- form_page -------------------------------------------------------------------------

PARTIAL = "core/partials/_form.html"


def _request(method: str, htmx: bool = False):
    request = getattr(RequestFactory(), method)("/x/")
    request.user = AnonymousUser()
    request.htmx = htmx
    return request


def test_it_shows_a_form_page_with_200_and_a_refused_post_with_400():
    shown = form_page(_request("get"), NameForm(), title="新建", template=PARTIAL)
    refused = form_page(_request("post"), NameForm({}), title="新建", template=PARTIAL, back="/")
    assert shown.status_code == 200 and 'action="/x/"' in shown.content.decode()
    assert refused.status_code == 400 and 'href="/"' in refused.content.decode()


def test_it_answers_htmx_with_the_partial_and_200_so_the_refused_form_is_swapped_in():
    request = _request("post", htmx=True)
    response = form_page(request, NameForm({}), title="新建", template="no/such/page.html")
    assert response.status_code == 200 and 'id="action-panel"' in response.content.decode()
