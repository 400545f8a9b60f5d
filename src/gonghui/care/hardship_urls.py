from django.urls import path

from . import hardship_views

urlpatterns = [
    path("hardship/", hardship_views.hardship_list, name="hardship_list"),
]
