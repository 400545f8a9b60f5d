"""A test client for the JSON API that sends a bearer token, as integrations do."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from gonghui.core.models import User
from gonghui.core.services import token_create

PREFIX = "/api/v1"


class Api:
    """Talks to the API with a new token of ``user`` (or the ``token`` given; neither: no auth)."""

    def __init__(self, user: User | None = None, *, token: str | None = None) -> None:
        self.client = Client()
        if user is not None and token is None:
            token = token_create(actor=None, user=user, name="test")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, path: str, /, **params: Any) -> Any:
        return self.client.get(PREFIX + path, params, **self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body or {})
        return self.client.post(
            PREFIX + path, data, content_type="application/json", **self.headers
        )

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        data = json.dumps(body)
        return self.client.patch(
            PREFIX + path, data, content_type="application/json", **self.headers
        )
