"""Benchmark-only URLconf: the product's URLs plus one trivial logged-in page.

``bench_member_list.py`` selects it by setting ``settings.ROOT_URLCONF`` in its own process,
so the baseline goes through the same middleware, session, authentication, context
processors and ``base.html`` shell as the member list, and nothing of it ships in the product.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

# Compiled once, like the cached template loader does for the product's templates.
TRIVIAL = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}bench{% endblock %}'
    "{% block content %}<p>ok</p>{% endblock %}"
)


@login_required
def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(TRIVIAL.render({}, request))


urlpatterns = [
    path("__bench__/trivial", trivial, name="bench_trivial"),
    path("", include("gonghui.urls")),
]
