"""SQLAlchemy 2 models of the whole cycle: units, steps, obligations, outbox, reports, draws, visits.

One import for every caller (and for Alembic's metadata in ``migrations/env.py``): the models live
in ``base``, ``models_cycle``, ``models_review``, ``models_intake``, ``models_criteria`` and ``models_web``;
importing this module registers them all.
"""

from giamsat.db.base import NAMING, AwareDateTime, Base
from giamsat.db.models_criteria import Appraisal, CriterionFinding
from giamsat.db.models_cycle import (
    Cycle,
    HouseholdFigure,
    Message,
    Obligation,
    PovertyModel,
    Step,
    Submission,
    Unit,
    Village,
)
from giamsat.db.models_intake import MailIntake
from giamsat.db.models_review import (
    AuditEntry,
    Consultation,
    Document,
    Finding,
    Recommendation,
    RecommendationEvent,
    SampleDraw,
    Visit,
)
from giamsat.db.models_rounds import AdhocRound, PrepItem
from giamsat.db.models_web import CommuneLink, WebUser

__all__ = [
    "AdhocRound", "Appraisal", "AuditEntry", "AwareDateTime", "Base", "CommuneLink", "Consultation",
    "CriterionFinding", "Cycle", "Document", "Finding", "HouseholdFigure", "MailIntake", "Message",
    "NAMING", "Obligation", "PovertyModel", "PrepItem", "Recommendation", "RecommendationEvent",
    "SampleDraw", "Step", "Submission", "Unit", "Village", "Visit", "WebUser",
]
