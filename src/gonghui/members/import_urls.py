"""URLs of the roster import, included from members/urls.py under "import/" (names live in
the "members" namespace)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("", import_views.import_start, name="import_start"),
    path("template.xlsx", import_views.import_template, name="import_template"),
    path("<int:import_id>/", import_views.import_preview, name="import_preview"),
    path("<int:import_id>/commit/", import_views.import_commit, name="import_commit"),
    path("<int:import_id>/result/", import_views.import_result, name="import_result"),
    path("<int:import_id>/errors.xlsx", import_views.import_errors, name="import_errors"),
]
