from django.urls import include, path

from gonghui.members import dashboard_views

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("gonghui.core.urls")),
    path("members/", include("gonghui.members.urls")),
    path("congress/", include("gonghui.congress.urls")),
    path("care/", include("gonghui.care.urls")),
    path("api/v1/", include("gonghui.api_urls")),
]
