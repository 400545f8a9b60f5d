"""HTML of the member list written in Python: its 50 rows and its filter fields.

The list must answer within a few times a trivial page at 200,000 members (bench/). The
template engine spends about a tenth of a millisecond per row on variable lookups,
includes and ``{% url %}``, and Django's widget templates render each ``<option>`` through
two more templates; building the same markup here with ``escape`` costs a few percent of
that. The markup is the same the templates wrote before; tests check what it shows.
``html.escape`` is the function Django's ``escape`` wraps, without its lazy-string check.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any, cast

from django.forms import BoundField, ChoiceField, Select
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .queries import ListMember

_STATUS_BADGE = {"active": "text-bg-success", "applied": "text-bg-warning"}


def _url_pattern(name: str) -> tuple[str, str]:
    """The URL of ``name`` for any member id, as the text before and after the id: one
    ``reverse`` per page instead of one per row."""
    head, _sep, tail = reverse(name, args=[987654321]).partition("987654321")
    return head, tail


def member_rows_html(members: Iterable[ListMember]) -> SafeString:
    """The list's table rows."""
    detail = _url_pattern("members:detail")
    reveal = _url_pattern("members:reveal")
    model_worker = escape(_("Model worker"))
    show_title = escape(_("Show ID number and phone (the reading is logged)"))
    show = escape(_("show"))
    out: list[str] = []
    for m in members:
        person, union = m.person, m.union
        pk = m.pk
        where = escape(union.short_name or union.name)
        if m.unit_id != m.union_id:
            where += " / " + escape(m.unit.name)
        sensitive = (
            f'<span class="sensitive" id="sensitive-{pk}"><span class="masked">'
            f"{escape(m.masked_id or '—')}</span><br>"
            f'<span class="masked">{escape(m.masked_phone or "—")}</span>'
        )
        if m.can_reveal:
            sensitive += (
                '\n<button type="button" class="btn btn-link btn-sm p-0 ms-1 align-baseline" '
                f'hx-post="{reveal[0]}{pk}{reveal[1]}" hx-target="#sensitive-{pk}" '
                f'hx-swap="outerHTML" title="{show_title}">'
                f'<i class="bi bi-eye"></i> {show}</button>'
            )
        sensitive += "</span>"
        award = (
            f' <i class="bi bi-award text-warning" title="{model_worker}"></i>'
            if m.is_model_worker
            else ""
        )
        retired = (
            f' <span class="badge text-bg-light">{escape(m.work_status_label)}</span>'
            if m.work_status == "retired"
            else ""
        )
        born = person.birth_date.isoformat() if person.birth_date else "—"
        out.append(
            "<tr>"
            f'<td class="text-nowrap">{escape(m.member_no or "—")}</td>'
            f'<td class="text-nowrap"><a href="{detail[0]}{pk}{detail[1]}">'
            f"{escape(person.name)}</a>{award}</td>"
            f"<td>{escape(m.gender_label)}</td>"
            f'<td class="text-nowrap">{born}</td>'
            f'<td class="text-nowrap">{sensitive}</td>'
            f'<td><span class="small">{where}</span></td>'
            f"<td>{escape(m.employment_label)}</td>"
            f'<td><span class="badge {_STATUS_BADGE.get(m.status, "text-bg-secondary")}">'
            f"{escape(m.status_label)}</span>{retired}</td>"
            "</tr>\n"
        )
    return mark_safe("".join(out))  # every value above went through escape()


def unit_options_html(options: Iterable[tuple[int, str, bool]]) -> SafeString:
    """The unit chooser's options from (pk, label, selected): a template loop took half a
    millisecond for the twenty options a federation's chooser opens with."""
    html = "".join(
        f'<option value="{pk}"{" selected" if selected else ""}>{escape(label)}</option>'
        for pk, label, selected in options
    )
    return mark_safe(html)  # labels escaped, pk an int


def _text(value: Any) -> str:
    return escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """Attributes as Django's ``attrs.html`` writes them: True alone, False/None left out."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{_text(value)}"')
    return "".join(parts)


def widget_html(bf: BoundField) -> SafeString:
    """A select or an input of a form, from the widget's own context (its choices,
    selected values, attributes) without its templates."""
    widget = bf.field.widget
    attrs = bf.build_widget_attrs(dict(widget.attrs), widget)
    if bf.auto_id and "id" not in widget.attrs:
        attrs["id"] = bf.auto_id
    field = bf.field
    if type(widget) is Select and isinstance(field, ChoiceField) and _flat(field.choices):
        return _select_html(bf, field, attrs)
    w = widget.get_context(bf.html_name, bf.value(), attrs)["widget"]
    if "optgroups" not in w:
        value = w["value"]
        value_attr = "" if value is None or value == "" else f' value="{_text(value)}"'
        html = (
            f'<input type="{w["type"]}" name="{_text(w["name"])}"{value_attr}{_attrs(w["attrs"])}>'
        )
        return mark_safe(html)  # escaped above
    options = []
    for _group, group_options, _index in w["optgroups"]:
        for o in group_options:
            selected = " selected" if o["selected"] else ""
            options.append(
                f'<option value="{_text(o["value"])}"{selected}>{_text(o["label"])}</option>'
            )
    html = f'<select name="{_text(w["name"])}"{_attrs(w["attrs"])}>' + "".join(options)
    return mark_safe(html + "</select>")  # escaped above


def _flat(choices: Any) -> bool:
    return all(not isinstance(label, (list, tuple)) for _value, label in choices)


def _select_html(bf: BoundField, field: ChoiceField, attrs: dict[str, Any]) -> SafeString:
    """A plain select as ``widget_html`` writes it from the widget's context, straight from
    the field's choices: the context builds a dictionary per option (half a millisecond for
    the list's filter fields). The first option equal to the value is the selected one."""
    value = bf.value()
    chosen: str | None = "" if value is None else str(value)
    options = []
    # Django normalises a ChoiceField's choices to (value, label) pairs when they are set;
    # the stubs give the getter the setter's wider type (mappings, callables).
    for choice, label in cast(Iterable[tuple[Any, Any]], field.choices):
        selected = str(choice) == chosen
        if selected:
            chosen = None  # as Django's Select: one selected option at most
        options.append(
            f'<option value="{_text(choice)}"{" selected" if selected else ""}>'
            f"{_text(label)}</option>"
        )
    html = f'<select name="{_text(bf.html_name)}"{_attrs(attrs)}>' + "".join(options)
    return mark_safe(html + "</select>")  # escaped above
