"""URLs of the provincial default caps (cap_views)."""

from django.urls import path

from . import cap_views

urlpatterns = [
    path("caps/", cap_views.caps_index, name="caps"),
    path("caps/new-province/", cap_views.caps_new_province, name="caps_new_province"),
    path("caps/<str:province>/", cap_views.caps_province, name="caps_province"),
    path("caps/<str:province>/new-year/", cap_views.caps_new_year, name="caps_new_year"),
    path(
        "caps/<str:province>/<int:year>/withdraw/",
        cap_views.caps_withdraw,
        name="caps_withdraw",
    ),
    path(
        "caps/<str:province>/<str:item>/<int:year>/correct/",
        cap_views.caps_correct,
        name="caps_correct",
    ),
]
