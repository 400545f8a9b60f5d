from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("gonghui.core.urls")),
    path("members/", include("gonghui.members.urls")),
    path("api/v1/", include("gonghui.api_urls")),
]
