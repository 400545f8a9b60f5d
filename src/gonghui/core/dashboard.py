"""Tiles other apps add to the dashboard, without the dashboard importing them.

An app registers a provider in its ``AppConfig.ready()``; the dashboard asks every provider
for a tile of the unit it shows. A provider decides through ``core.access`` whether the
user may see its figures and returns ``None`` when not (or when it has nothing to say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .models import OrgUnit, User


@dataclass(frozen=True)
class Tile:
    title: str
    template: str  # rendered with ``tile`` in its context
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100  # lower first
    url: str = ""  # where "more" leads


TileProvider = Callable[[User, OrgUnit, date], Tile | None]
_providers: dict[str, TileProvider] = {}


def register_tile(name: str, provider: TileProvider) -> None:
    """Register (or replace, so ``ready()`` may run twice) the provider called ``name``."""
    _providers[name] = provider


def tiles_for(user: User, unit: OrgUnit, today: date) -> list[Tile]:
    tiles = [t for p in _providers.values() if (t := p(user, unit, today)) is not None]
    return sorted(tiles, key=lambda t: (t.order, t.title))
