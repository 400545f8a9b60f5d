"""Congress data, by area: ``meeting`` (congresses, terms, sessions, agenda, documents,
delegates, check-in, votes), ``proposals`` and ``disclosure``."""

# Areas whose models are imported from their own module (``congress.models.opinions``).
from . import appraisal, opinions  # noqa: F401
from .disclosure import (
    DisclosureAttachment,
    DisclosureCategory,
    DisclosureItem,
    DisclosureRevision,
)
from .meeting import (
    AgendaDocument,
    AgendaItem,
    Ballot,
    CheckIn,
    Congress,
    CongressKind,
    CongressRuleSet,
    CongressSession,
    CongressTerm,
    Delegate,
    Delegation,
    DocumentVersion,
    SessionOfficer,
    VoteReceipt,
)
from .proposals import (
    CoSignature,
    Department,
    Proposal,
    ProposalAttachment,
    ProposalCategory,
    ProposalEvent,
    ProposalReply,
)

__all__ = [
    "AgendaDocument",
    "AgendaItem",
    "Ballot",
    "CheckIn",
    "CoSignature",
    "Congress",
    "CongressKind",
    "CongressRuleSet",
    "CongressSession",
    "CongressTerm",
    "Delegate",
    "Delegation",
    "Department",
    "DisclosureAttachment",
    "DisclosureCategory",
    "DisclosureItem",
    "DisclosureRevision",
    "DocumentVersion",
    "Proposal",
    "ProposalAttachment",
    "ProposalCategory",
    "ProposalEvent",
    "ProposalReply",
    "SessionOfficer",
    "VoteReceipt",
]
