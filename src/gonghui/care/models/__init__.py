"""Care data, by area: ``visits`` (rules, caps, life events, visits, the payment ledger),
``distributions`` and ``hardship``."""

# Areas whose models are imported from their own module (``care.models.donations``).
from . import donations, health  # noqa: F401
from .distributions import Distribution, DistributionLine
from .hardship import (
    AidRecord,
    HardshipCause,
    HardshipFamilyMember,
    HardshipFile,
    HardshipReview,
    HardshipTier,
)
from .visits import (
    CapItem,
    CarePayment,
    CareSettings,
    EventKind,
    LifeEvent,
    SpendingCap,
    Visit,
    VisitPhoto,
    VisitRule,
    VisitTask,
)

__all__ = [
    "AidRecord",
    "CapItem",
    "CarePayment",
    "CareSettings",
    "Distribution",
    "DistributionLine",
    "EventKind",
    "HardshipCause",
    "HardshipFamilyMember",
    "HardshipFile",
    "HardshipReview",
    "HardshipTier",
    "LifeEvent",
    "SpendingCap",
    "Visit",
    "VisitPhoto",
    "VisitRule",
    "VisitTask",
]
