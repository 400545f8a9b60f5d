"""The JSON API under /api/v1/ (Django Ninja). ``core.api`` holds the NinjaAPI instance with
the core routers; the capability apps' routers are added here, because core must not import
the apps (import-linter contract)."""

from django.urls import path

from gonghui.care.api import router as care_router
from gonghui.core.api import api, mount
from gonghui.members.api import router as members_router

mount("/members", members_router, tags=["members"])
mount("/care", care_router, tags=["care"])

urlpatterns = [path("", api.urls)]
