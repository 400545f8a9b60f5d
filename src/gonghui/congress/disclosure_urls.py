"""Affairs disclosure (校务公开 / 厂务公开): the board, items, categories, report, overview."""

from django.urls import path

from . import disclosure_views as v

urlpatterns = [
    path("disclosure/", v.disclosure_board, name="disclosure_board"),
    path("disclosure/items/<int:item_id>/", v.disclosure_item, name="disclosure_item"),
    path(
        "disclosure/items/<int:item_id>/history/",
        v.disclosure_history,
        name="disclosure_history",
    ),
    path(
        "disclosure/attachments/<int:attachment_id>/",
        v.disclosure_attachment,
        name="disclosure_attachment",
    ),
    path("disclosure/manage/", v.disclosure_manage, name="disclosure_manage"),
    path("disclosure/manage/new/", v.disclosure_item_new, name="disclosure_item_new"),
    path(
        "disclosure/items/<int:item_id>/edit/", v.disclosure_item_edit, name="disclosure_item_edit"
    ),
    path(
        "disclosure/items/<int:item_id>/publish/",
        v.disclosure_item_publish,
        name="disclosure_item_publish",
    ),
    path(
        "disclosure/items/<int:item_id>/revise/",
        v.disclosure_item_revise,
        name="disclosure_item_revise",
    ),
    path(
        "disclosure/items/<int:item_id>/withdraw/",
        v.disclosure_item_withdraw,
        name="disclosure_item_withdraw",
    ),
    path(
        "disclosure/items/<int:item_id>/attachments/",
        v.disclosure_attachment_add,
        name="disclosure_attachment_add",
    ),
    path("disclosure/categories/", v.disclosure_categories, name="disclosure_categories"),
    path("disclosure/categories/presets/", v.disclosure_presets, name="disclosure_presets"),
    path(
        "disclosure/categories/<int:category_id>/edit/",
        v.disclosure_category_edit,
        name="disclosure_category_edit",
    ),
    path(
        "disclosure/categories/<int:category_id>/archive/",
        v.disclosure_category_archive,
        name="disclosure_category_archive",
    ),
    path("disclosure/report/", v.disclosure_report, name="disclosure_report"),
    path("disclosure/report/docx/", v.disclosure_report_docx, name="disclosure_report_docx"),
    path("disclosure/overview/", v.disclosure_overview, name="disclosure_overview"),
]
