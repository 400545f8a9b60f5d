"""Hardship-file pages, under /care/hardship/ in the ``care`` namespace."""

from django.urls import path

from . import hardship_views as v

urlpatterns = [
    path("hardship/", v.hardship_list, name="hardship_list"),
    path("hardship/new/", v.hardship_new, name="hardship_new"),
    path("hardship/mine/", v.hardship_mine, name="hardship_mine"),
    path("hardship/counts/", v.hardship_counts, name="hardship_counts"),
    path("hardship/reads/", v.hardship_reads, name="hardship_reads"),
    path("hardship/export/", v.hardship_export, name="hardship_export"),
    path("hardship/export/full/", v.hardship_export_full, name="hardship_export_full"),
    path("hardship/<int:file_id>/", v.hardship_detail, name="hardship_detail"),
    path("hardship/<int:file_id>/edit/", v.hardship_edit, name="hardship_edit"),
    path("hardship/<int:file_id>/review/", v.hardship_review, name="hardship_review"),
    path("hardship/<int:file_id>/exit/", v.hardship_exit, name="hardship_exit"),
    path("hardship/<int:file_id>/aid/", v.hardship_aid, name="hardship_aid"),
    path("hardship/<int:file_id>/family/new/", v.hardship_family_new, name="hardship_family_new"),
    path(
        "hardship/<int:file_id>/family/<int:person_id>/edit/",
        v.hardship_family_edit,
        name="hardship_family_edit",
    ),
    path(
        "hardship/<int:file_id>/family/<int:person_id>/archive/",
        v.hardship_family_archive,
        name="hardship_family_archive",
    ),
]
