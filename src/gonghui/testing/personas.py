"""The personas every access test walks through (see the ``world`` fixture in conftest)."""

PERSONAS = (
    "chair",
    "cadre",
    "group_leader",
    "member",
    "other_chair",
    "upper_officer",
    "auditor",
    "admin",
)
