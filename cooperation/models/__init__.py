"""The data model, one module per sub-domain. Everything is importable from ``cooperation.models``."""

from .actors import Agency, AgencyKind, Official, Post
from .agreements import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    CooperationArea,
    PartyRole,
)
from .base import CitedModel, ParticipantRole, TrackedModel
from .deletions import Deletion
from .geography import Country, Region, RegionLevel
from .operations import (
    Event,
    EventKind,
    Operation,
    OperationOutcome,
    OperationParticipant,
    OperationStatus,
    OutcomeKind,
    Unit,
)
from .sources import Citation, CitationKind, Confidence, Modality, Source, SourceKind
from .trafficking import (
    Assessment,
    AssessmentRole,
    Drug,
    DrugGroup,
    Likelihood,
    NodeRole,
    RouteNode,
    RouteStatus,
    TraffickingRoute,
    TransportMode,
    Trend,
)
from .training import CentreStatus, CourseParticipant, TrainingCentre, TrainingCourse, TrainingTopic

__all__ = [
    "Agency",
    "AgencyKind",
    "Agreement",
    "AgreementKind",
    "AgreementParty",
    "AgreementStatus",
    "Assessment",
    "AssessmentRole",
    "CentreStatus",
    "CitedModel",
    "Citation",
    "CitationKind",
    "Confidence",
    "CooperationArea",
    "Country",
    "CourseParticipant",
    "Deletion",
    "Drug",
    "DrugGroup",
    "Event",
    "EventKind",
    "Likelihood",
    "Modality",
    "NodeRole",
    "Official",
    "Operation",
    "OperationOutcome",
    "OperationParticipant",
    "OperationStatus",
    "OutcomeKind",
    "ParticipantRole",
    "PartyRole",
    "Post",
    "Region",
    "RegionLevel",
    "RouteNode",
    "RouteStatus",
    "Source",
    "SourceKind",
    "TrackedModel",
    "TraffickingRoute",
    "TrainingCentre",
    "TrainingCourse",
    "TrainingTopic",
    "TransportMode",
    "Trend",
    "Unit",
]
