"""Personas only care has, beside the shared ones of ``gonghui.conftest``."""

from __future__ import annotations

import pytest

from gonghui.core.models import Role, User
from gonghui.core.services import role_grant
from gonghui.testing.factories import UserFactory


@pytest.fixture
def care_officer(world) -> User:
    """A care officer (帮扶专干) named on the school union: manages care and keeps hardship
    files, nothing else."""
    user = UserFactory(username="care_officer", display_name="care_officer")
    role_grant(actor=None, user=user, role=Role.CARE_OFFICER, unit=world.school)
    return user
