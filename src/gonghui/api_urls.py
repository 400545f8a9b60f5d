"""The JSON API under /api/v1/ (Django Ninja); each app contributes a router."""

from django.urls import path

from gonghui.core.api import api

urlpatterns = [path("", api.urls)]
