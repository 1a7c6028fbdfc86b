from voronka.crm.models.activities import Call, CallDirection, Task, TaskKind
from voronka.crm.models.base import TRACKING_FIELDS, UTM_FIELDS, Entity, Semantics
from voronka.crm.models.clients import (
    Communication,
    CommunicationKind,
    CommunicationType,
    Company,
    Contact,
)
from voronka.crm.models.custom_fields import CustomFieldDefinition, CustomFieldType
from voronka.crm.models.deals import Deal
from voronka.crm.models.dictionaries import (
    CloseReason,
    CrmSettings,
    LeadStatus,
    Pipeline,
    Source,
    Stage,
)
from voronka.crm.models.leads import Lead
from voronka.crm.models.timeline import EventKind, TimelineEvent

__all__ = [
    "TRACKING_FIELDS",
    "UTM_FIELDS",
    "Call",
    "CallDirection",
    "CloseReason",
    "Communication",
    "CommunicationKind",
    "CommunicationType",
    "Company",
    "Contact",
    "CrmSettings",
    "CustomFieldDefinition",
    "CustomFieldType",
    "Deal",
    "Entity",
    "EventKind",
    "Lead",
    "LeadStatus",
    "Pipeline",
    "Semantics",
    "Source",
    "Stage",
    "Task",
    "TaskKind",
    "TimelineEvent",
]
