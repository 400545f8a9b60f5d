"""URLs of the care app, one module per area so each reads on its own."""

from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.home, name="home"),
]
urlpatterns += [path("hardship/", views.hardship_list, name="hardship_list")]
