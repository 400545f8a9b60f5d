"""core.web.form_error: where a service's refusal shows on a form."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from gonghui.core.errors import DomainError
from gonghui.core.models import OrgUnit
from gonghui.core.web import chosen_union, form_error


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
