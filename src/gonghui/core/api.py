"""The typed JSON API (/api/v1/, OpenAPI at /api/v1/openapi.json).

Auth: ``Authorization: Bearer <token>`` (tokens from ``gonghui token USER``; no CSRF) or a
logged-in browser session (CSRF token required on unsafe methods). Every endpoint goes
through ``core.access`` and the same services and queries as the pages.

Errors have one shape, ``{"code", "message", "field"}`` (schemas.ErrorOut):
400 a refused domain action (DomainError), 401 no or bad credentials, 403 not allowed,
404 not found *or outside the caller's scope* (a guessed id of another union looks exactly
like a missing one), 422 malformed input (``field`` is the first bad field, ``detail`` the
full list).

Apps add their routers in ``gonghui/api_urls.py`` (core must not import the apps).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.security import APIKeyCookie, HttpBearer

from . import api_notifications, api_org, services
from .errors import DomainError
from .models import User


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gh_...``: a token issued by ``gonghui token USER``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = services.token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's login session. CSRF is checked on unsafe methods, but only once a
    session user exists, so that a request with a bad token and no session gets 401."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


class LocalSwagger(Swagger):
    """Swagger UI from the app's own static files, never from a CDN (unions run on
    intranets). Ninja serves its bundled assets only when "ninja" is an installed app;
    without it the docs page is a 404 rather than a page that loads a CDN."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if "ninja" not in settings.INSTALLED_APPS:
            raise Http404
        return super().render_page(request, api, **kwargs)


api = NinjaAPI(
    title="Gonghui API",
    version="1",
    description=__doc__ or "",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs=LocalSwagger(),
    docs_url="/docs",
)


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    **extra: Any,
) -> HttpResponse:
    body = {"code": code, "message": message, "field": field, **extra}
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    # Services refuse with code "forbidden" (or "<entity>.forbidden") when access fails.
    forbidden = exc.code == "forbidden" or exc.code.endswith(".forbidden")
    return _error(request, 403 if forbidden else 400, exc.code, exc.message, exc.field)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", _("You are not allowed to do this."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    field = exc.args[0] if exc.args and isinstance(exc.args[0], str) else None
    return _error(request, 404, "not_found", _("Not found."), field)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, "unauthorized", _("Log in or send a valid API token."))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {403: "forbidden", 405: "method_not_allowed", 429: "throttled"}
    if exc.status_code == 403 and "CSRF" in str(exc):
        return _error(request, 403, "csrf_failed", _("CSRF check failed: send the CSRF token."))
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    field = _field_of(exc.errors[0].get("loc", ())) if exc.errors else None
    return _error(
        request, 422, "invalid", _("Check the input."), field, detail=jsonable(exc.errors)
    )


def _field_of(loc: Any) -> str | None:
    """("body", "payload", "person", "id_number") -> "person.id_number"; pydantic's union
    tags such as "literal['a','b']" are dropped."""
    parts: list[str] = []
    for i, p in enumerate(loc):
        if i == 0 and p in ("body", "query", "path"):
            continue
        if i == 1 and p in ("payload", "filters"):
            continue
        if isinstance(p, str) and ("[" in p or "(" in p):
            break
        parts.append(str(p))
    return ".".join(parts) or None


def jsonable(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic error contexts may hold exceptions; keep what JSON can carry."""
    keep = ("type", "loc", "msg")
    return [{k: e[k] for k in keep if k in e} for e in errors]


_mounted: set[int] = set()


def mount(prefix: str, router: Router, *, tags: list[str]) -> None:
    """Add an app's router once (the URLconf may be imported again in tests)."""
    if id(router) in _mounted:
        return
    api.add_router(prefix, router, tags=tags)
    _mounted.add(id(router))


mount("/units", api_org.units, tags=["org"])
mount("/committees", api_org.committees, tags=["committees"])
mount("/notifications", api_notifications.router, tags=["notifications"])
