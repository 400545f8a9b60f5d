"""The typed JSON API (/api/v1/). Token auth: ``Authorization: Bearer <token>``
from ``gonghui token USER``; a logged-in browser session works too (with CSRF)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from . import services


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):  # noqa: ANN201
        user = services.token_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Gonghui API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    csrf=True,
    docs_url="/docs",
)
