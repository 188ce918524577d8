"""The controlled vocabularies of the records: the choices of their fields (kinds, statuses, roles, units),
one place for all of them. The API's enumerations, the CSV's codes and the admin's filters take them from the
fields that use them."""

from django.db import models


class AgencyKind(models.TextChoices):
    DRUG_CONTROL = "drug_control_agency", "Drug control agency"
    POLICE = "police", "Police"
    MILITARY = "military", "Military"
    CUSTOMS = "customs", "Customs"
    INTELLIGENCE = "intelligence", "Intelligence service"
    MINISTRY = "ministry", "Ministry or government department"
    JUDICIARY = "judiciary", "Prosecutor or court"
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organisation"
    NGO = "ngo", "Non-governmental organisation"
    MEDIA = "media", "Media or research organisation"
    OTHER = "other", "Other"


class AgreementKind(models.TextChoices):
    TREATY = "treaty", "Treaty or convention"
    MOU = "memorandum_of_understanding", "Memorandum of understanding"
    BILATERAL = "bilateral_agreement", "Bilateral agreement"
    INTER_AGENCY = "inter_agency_agreement", "Inter-agency agreement"
    ACTION_PLAN = "action_plan", "Action plan"
    INITIATIVE = "announced_initiative", "Announced plan or initiative"
    OTHER = "other", "Other"


class AgreementStatus(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    NEGOTIATING = "negotiating", "Negotiating"
    SIGNED = "signed", "Signed"
    IN_FORCE = "in_force", "In force"
    EXPIRED = "expired", "Expired"
    TERMINATED = "terminated", "Terminated"


class PartyRole(models.TextChoices):
    PARTY = "party", "Party"
    SIGNATORY = "signatory", "Signatory"
    FUNDER = "funder", "Funder"
    HOST = "host", "Host"
    BENEFICIARY = "beneficiary", "Beneficiary"
    IMPLEMENTER = "implementer", "Implementer"
    OBSERVER = "observer", "Observer"


class LinkKind(models.TextChoices):
    IMPLEMENTS = "implements", "Implements"
    AMENDS = "amends", "Amends"
    RENEWS = "renews", "Renews or extends"
    SUPERSEDES = "supersedes", "Supersedes"


class ParticipantRole(models.TextChoices):
    """The part a country, a region or an agency played in a training course or an operation."""

    PARTICIPANT = "participant", "Participant"
    LEAD = "lead", "Lead"
    SUPPORT = "support", "Support"
    HOST = "host", "Host"
    SPONSOR = "sponsor", "Sponsor"
    INSTRUCTOR = "instructor", "Instructor or trainer"
    INVITED = "invited", "Invited"
    OBSERVER = "observer", "Observer"


class RegionLevel(models.TextChoices):
    WORLD = "world", "World"
    CONTINENT = "continent", "Continental region (M49)"
    SUB_REGION = "sub_region", "Sub-region (M49)"
    INTERMEDIATE = "intermediate", "Intermediate region (M49)"
    GROUPING = "grouping", "Grouping (not M49)"


class OperationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ONGOING = "ongoing", "Ongoing"
    COMPLETED = "completed", "Completed"
    SUSPENDED = "suspended", "Suspended"


class OutcomeKind(models.TextChoices):
    ARRESTS = "arrests", "Arrests"
    SEIZURE = "seizure", "Seizure"
    LAB_DISMANTLED = "laboratory_dismantled", "Laboratory dismantled"
    CROP_ERADICATED = "crop_eradicated", "Crop eradicated"
    OTHER = "other", "Other"


class Unit(models.TextChoices):
    KILOGRAM = "kg", "kilograms"
    TONNE = "t", "tonnes"
    GRAM = "g", "grams"
    LITRE = "l", "litres"
    UNIT = "units", "units (tablets, doses, packages)"
    PERSON = "persons", "persons"
    HECTARE = "ha", "hectares"
    LABORATORY = "laboratories", "laboratories"


class EventKind(models.TextChoices):
    VISIT = "visit", "Visit"
    TOUR = "tour", "Tour"
    CONFERENCE = "conference", "Conference"
    MEETING = "meeting", "Meeting"
    SIGNING = "signing", "Signing"
    CEREMONY = "ceremony", "Ceremony (an opening, a handover, a graduation)"
    ANNOUNCEMENT = "announcement", "Announcement"
    OPERATION_ANNOUNCEMENT = "operation_announcement", "Announcement of an operation or its results"
    SEIZURE_REPORT = "seizure_report", "Report of a seizure"
    STATEMENT = "statement", "Statement"
    OTHER = "other", "Other"


class Stance(models.TextChoices):
    """What a statement says of what it concerns."""

    WELCOMED = "welcomed", "Welcomed"
    SUPPORTED = "supported", "Supported"
    CRITICISED = "criticised", "Criticised"
    NEUTRAL = "neutral", "Neutral"
    OTHER = "other", "Other"


class SourceKind(models.TextChoices):
    NEWS_ARTICLE = "news_article", "News article"
    ANALYSIS = "analysis", "Analysis"
    REPORT = "report", "Report"
    PRESS_RELEASE = "press_release", "Press release"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    TREATY_TEXT = "treaty_text", "Treaty text"
    DATASET = "dataset", "Dataset"
    OTHER = "other", "Other"


class Confidence(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Modality(models.TextChoices):
    """In what mood the source states the fact."""

    REPORTED = "reported", "Reported"
    OFFICIAL = "official", "Official"
    ANNOUNCED = "announced", "Announced"
    PLANNED = "planned", "Planned"
    ALLEGED = "alleged", "Alleged"
    ANALYSIS = "analysis", "Analysis"


class CitationKind(models.TextChoices):
    """Whether a citation's text is the source's own words, or words of ours that render them: only the
    source's own words can be checked against its text (a paraphrase or translation is not a quote)."""

    VERBATIM = "verbatim", "Verbatim"
    PARAPHRASE = "paraphrase", "Paraphrase"
    TRANSLATION = "translation", "Translation"


class DrugGroup(models.TextChoices):
    """UNODC drug groups."""

    COCAINE = "cocaine_type", "Cocaine-type"
    OPIOIDS = "opioids", "Opioids"
    CANNABIS = "cannabis_type", "Cannabis-type"
    ATS = "amphetamine_type_stimulants", "Amphetamine-type stimulants"
    NPS = "new_psychoactive_substances", "New psychoactive substances"
    SEDATIVES = "sedatives_and_tranquillizers", "Sedatives and tranquillizers"
    HALLUCINOGENS = "hallucinogens", "Hallucinogens"
    PRECURSORS = "precursors", "Precursor chemicals"
    OTHER = "other", "Other"


class TransportMode(models.TextChoices):
    SEA = "sea", "Sea"
    AIR = "air", "Air"
    LAND = "land", "Land"
    RIVER = "river", "River"
    POST = "post", "Post and courier"
    MULTIMODAL = "multimodal", "Several modes"


class RouteStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPECTED = "suspected", "Suspected"
    HISTORICAL = "historical", "Historical"


class NodeRole(models.TextChoices):
    ORIGIN = "origin", "Origin"
    DEPARTURE = "departure", "Departure"
    TRANSIT = "transit", "Transit"
    DESTINATION = "destination", "Destination"


class AssessmentRole(models.TextChoices):
    CONSUMER_MARKET = "consumer_market", "Consumer market"
    PRODUCER = "producer", "Producer"
    SOURCE = "source", "Source of supply"
    TRANSIT_POINT = "transit_point", "Transit point"
    ENTRY_POINT = "entry_point", "Entry point"
    TRAFFICKING_HUB = "trafficking_hub", "Trafficking hub"


class Trend(models.TextChoices):
    GROWING = "growing", "Growing"
    STABLE = "stable", "Stable"
    DECLINING = "declining", "Declining"
    EMERGING = "emerging", "Emerging"


class Likelihood(models.TextChoices):
    ESTABLISHED = "established", "Established"
    LIKELY = "likely", "Likely"
    POSSIBLE = "possible", "Possible"


class CentreStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    UNDER_CONSTRUCTION = "under_construction", "Being set up"
    OPERATIONAL = "operational", "Operational"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled (never opened)"


class CourseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    POSTPONED = "postponed", "Postponed"
    ONGOING = "ongoing", "Under way"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class MilestoneKind(models.TextChoices):
    """What happened in the life of a centre or a course. Centres and courses each take some of them
    (``CENTRE_LIFECYCLE``, ``COURSE_LIFECYCLE``)."""

    PLANNED = "planned", "Planned"
    ANNOUNCED = "announced", "Announced"
    CONSTRUCTION_STARTED = "construction_started", "Construction or setting up began"
    FOUNDATION_STONE = "foundation_stone", "Foundation stone laid"
    OPENED = "opened", "Opened"
    CLOSED = "closed", "Closed"
    POSTPONED = "postponed", "Postponed"
    STARTED = "started", "Started or launched"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"
