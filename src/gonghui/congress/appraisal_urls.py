"""Democratic appraisal (民主评议): definition, rating, paper forms, results, overview."""

from django.urls import path

from . import appraisal_views as v

urlpatterns = [
    path("appraisal/", v.appraisal_list, name="appraisal_list"),
    path("appraisal/new/", v.appraisal_new, name="appraisal_new"),
    path("appraisal/tasks/", v.appraisal_tasks, name="appraisal_tasks"),
    path("appraisal/overview/", v.appraisal_overview, name="appraisal_overview"),
    path("appraisal/<int:appraisal_id>/", v.appraisal_detail, name="appraisal_detail"),
    path("appraisal/<int:appraisal_id>/edit/", v.appraisal_edit, name="appraisal_edit"),
    path(
        "appraisal/<int:appraisal_id>/subjects/",
        v.appraisal_subject_add,
        name="appraisal_subject_add",
    ),
    path(
        "appraisal/subjects/<int:subject_id>/remove/",
        v.appraisal_subject_remove,
        name="appraisal_subject_remove",
    ),
    path("appraisal/<int:appraisal_id>/open/", v.appraisal_open, name="appraisal_open"),
    path("appraisal/<int:appraisal_id>/close/", v.appraisal_close, name="appraisal_close"),
    path("appraisal/<int:appraisal_id>/paper/", v.appraisal_paper, name="appraisal_paper"),
    path("appraisal/<int:appraisal_id>/results/", v.appraisal_results, name="appraisal_results"),
    path("appraisal/<int:appraisal_id>/results.xlsx", v.appraisal_xlsx, name="appraisal_xlsx"),
    path("appraisal/<int:appraisal_id>/results.docx", v.appraisal_docx, name="appraisal_docx"),
    path("appraisal/<int:appraisal_id>/rate/", v.appraisal_rate, name="appraisal_rate"),
    path("appraisal/<int:appraisal_id>/publish/", v.appraisal_publish, name="appraisal_publish"),
    path("appraisal/<int:appraisal_id>/published/", v.appraisal_public, name="appraisal_public"),
]
