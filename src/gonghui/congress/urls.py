"""URLs of the congress app, one module per area so each reads on its own."""

from django.urls import path

from . import views

app_name = "congress"
urlpatterns = [
    path("", views.home, name="home"),
]
