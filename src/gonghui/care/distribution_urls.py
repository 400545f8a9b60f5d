from django.urls import URLPattern, path

from . import distribution_views as v

urlpatterns: list[URLPattern] = [
    path("distributions/", v.distribution_list, name="distribution_list"),
    path("distributions/new/", v.distribution_new, name="distribution_new"),
    path("distributions/counts/", v.distribution_counts, name="distribution_counts"),
    path("distributions/<int:pk>/", v.distribution_detail, name="distribution_detail"),
    path("distributions/<int:pk>/progress/", v.distribution_progress, name="distribution_progress"),
    path("distributions/<int:pk>/build/", v.distribution_build, name="distribution_build"),
    path("distributions/<int:pk>/close/", v.distribution_close, name="distribution_close"),
    path(
        "distributions/<int:pk>/handout-group/",
        v.distribution_handout_group,
        name="distribution_handout_group",
    ),
    path(
        "distributions/<int:pk>/lines/<int:line_id>/handout/",
        v.distribution_handout,
        name="distribution_handout",
    ),
    path(
        "distributions/<int:pk>/lines/<int:line_id>/override/",
        v.distribution_override,
        name="distribution_override",
    ),
    path(
        "distributions/<int:pk>/lines/<int:line_id>/exclude/",
        v.distribution_exclude,
        name="distribution_exclude",
    ),
    path(
        "distributions/<int:pk>/receipts.docx",
        v.distribution_receipts_docx,
        name="distribution_receipts_docx",
    ),
    path(
        "distributions/<int:pk>/receipts.xlsx",
        v.distribution_receipts_xlsx,
        name="distribution_receipts_xlsx",
    ),
]
