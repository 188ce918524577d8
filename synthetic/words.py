"""Words the synthetic data is made of: names, titles and phrasings. Plain text with no tab, newline or backslash."""

# Countries that counternarcotics reporting names most, most frequent first; every other country follows in
# ISO order with a long tail of small weights (see Generator.country_weights).
FREQUENT_COUNTRIES = [
    "US", "CO", "MX", "RU", "PE", "BO", "EC", "BR", "AF", "NL", "ES", "VE", "GB", "DE", "FR", "IT", "PA",
    "GT", "HN", "CN", "IR", "PK", "MM", "TH", "NG", "GH", "GW", "TR", "KZ", "TJ", "UZ", "NI", "DO", "JM",
    "AR", "CL", "PY", "BE", "PT", "CA", "AU", "IN", "PH", "ZA", "MA",
]  # fmt: skip

AGENCY_TEMPLATES = [
    ("drug_control_agency", "National Drug Control Agency", "NDCA"),
    ("drug_control_agency", "Anti-Narcotics Directorate", "AND"),
    ("drug_control_agency", "Drug Enforcement Service", "DES"),
    ("police", "National Police Anti-Drug Unit", "NPADU"),
    ("police", "Criminal Investigation Department", "CID"),
    ("police", "Federal Police", "FP"),
    ("military", "Navy Counter-Narcotics Command", "NCNC"),
    ("military", "Coast Guard", "CG"),
    ("customs", "Customs Service", "CS"),
    ("customs", "Border and Port Control Unit", "BPCU"),
    ("intelligence", "Financial Intelligence Unit", "FIU"),
    ("intelligence", "National Intelligence Service", "NIS"),
    ("ministry", "Ministry of the Interior", "MOI"),
    ("ministry", "Ministry of Justice", "MOJ"),
    ("ministry", "Ministry of Foreign Affairs", "MFA"),
    ("judiciary", "Public Prosecutor's Office", "PPO"),
    ("judiciary", "Special Prosecutor for Organised Crime", "SPOC"),
    ("ngo", "Centre for Drug Policy Studies", "CDPS"),
    ("media", "Investigative Reporting Network", "IRN"),
    ("other", "National Commission on Drugs", "NCD"),
]

INTERNATIONAL_TEMPLATES = [
    ("intergovernmental", "Regional Drug Control Programme", "RDCP"),
    ("intergovernmental", "Maritime Analysis and Operations Centre", "MAOC"),
    ("intergovernmental", "Inter-Regional Counternarcotics Council", "ICC"),
    ("intergovernmental", "Joint Interagency Task Force", "JIATF"),
    ("ngo", "International Drug Policy Forum", "IDPF"),
    ("media", "Global Organised Crime Observatory", "GOCO"),
]

DIVISIONS = ["Regional Office", "Division", "Section", "Directorate", "Unit", "Branch", "Command", "Bureau"]

GIVEN_NAMES = [
    "Viktor", "Ana", "Carlos", "Maria", "Sergei", "Olga", "Juan", "Lucia", "Ahmed", "Fatima", "John", "Sarah",
    "Pedro", "Elena", "Dmitri", "Irina", "Luis", "Gabriela", "Kwame", "Amina", "Wei", "Mei", "Raj", "Priya",
    "Hans", "Ingrid", "Pierre", "Claire", "Marco", "Giulia", "Jorge", "Rosa", "Alexei", "Natalia", "Tomas",
    "Camila", "Oluwaseun", "Ngozi", "Mehmet", "Ayse", "Nurlan", "Aigerim", "Somchai", "Malee", "Diego", "Valeria",
]  # fmt: skip

FAMILY_NAMES = [
    "Ivanov", "Garcia", "Rodriguez", "Petrov", "Martinez", "Lopez", "Smith", "Johnson", "Hernandez", "Gonzalez",
    "Sokolov", "Morozov", "Perez", "Sanchez", "Ramirez", "Torres", "Flores", "Rivera", "Mensah", "Okafor",
    "Chen", "Wang", "Sharma", "Patel", "Muller", "Schmidt", "Dubois", "Martin", "Rossi", "Bianchi", "Silva",
    "Santos", "Kuznetsov", "Volkov", "Castillo", "Vargas", "Adeyemi", "Bello", "Yilmaz", "Kaya", "Nazarbayev",
    "Suleimenov", "Srisuk", "Wongsa", "Mendoza", "Romero", "Herrera", "Medina",
]  # fmt: skip

POST_TITLES = [
    "Director", "Deputy Director", "Head", "Minister", "Deputy Minister", "Chief of Staff", "Commissioner",
    "Attorney General", "Head of International Cooperation", "Liaison Officer", "Ambassador", "Spokesperson",
]  # fmt: skip

CONCEALMENTS = [
    "plantain shipments", "flower shipments", "banana containers", "coffee sacks", "fruit juice cartons",
    "frozen fish", "timber loads", "car parts", "passenger luggage", "swallowed capsules", "postal parcels",
    "hollowed-out furniture", "semi-submersible vessels", "light aircraft", "fishing boats", "charcoal bags",
]  # fmt: skip

PLACES = [
    "the capital", "the main port", "the northern border", "the southern border", "the international airport",
    "a free trade zone", "the Pacific coast", "the Atlantic coast", "a river port", "a border crossing",
]  # fmt: skip

OPERATION_WORDS = [
    "Orion", "Trident", "Lionfish", "Andes", "Pacific Shield", "Cobra", "Harbour", "Atlas", "Condor", "Jaguar",
    "Pelican", "Sentinel", "Horizon", "Coral", "Falcon", "Meridian", "Anchor", "Tempest", "Canal", "Summit",
]  # fmt: skip

CENTRE_KINDS = ["Counternarcotics Training Centre", "Regional Police Academy", "Law Enforcement Training School"]

COURSE_KINDS = ["Course on", "Workshop on", "Seminar on", "Specialised training in"]

PUBLISHERS = [
    "The Synthetic Herald", "Synthetic Wire Service", "Example Drug Policy Review", "Example Crime Monitor",
    "Synthetic Gazette", "Example Security Report",
]  # fmt: skip

LANGUAGES = ["en", "en", "en", "en", "en", "en", "es", "es", "pt", "ru", "fr"]

HEADLINES = [
    "{c} steps up counternarcotics cooperation",
    "What {c} agreed with its partners on drugs",
    "Drug trafficking through {c}: a briefing",
    "{c} and the drug trade: the year in review",
    "Police in {c} report on joint operations",
    "Officials in {c} outline new anti-drug plans",
]

FILLER = [
    "Officials declined to give further details.",
    "The figures could not be independently verified.",
    "Analysts say the trade has shifted in recent years.",
    "Critics question whether the measures will work.",
    "The ministry did not respond to a request for comment.",
    "Seizures at the border have risen sharply.",
    "The announcement came after months of talks.",
    "Local media reported the news first.",
]

AGENCY_NOUNS = {
    "drug_control_agency": "drug control agency",
    "police": "police force",
    "military": "military command",
    "customs": "customs authority",
    "intelligence": "intelligence service",
    "ministry": "government department",
    "judiciary": "prosecution service",
    "intergovernmental": "intergovernmental organisation",
    "ngo": "non-governmental organisation",
    "media": "research organisation",
    "other": "public body",
}
AGREEMENT_NOUNS = {
    "treaty": "treaty",
    "memorandum_of_understanding": "memorandum of understanding",
    "bilateral_agreement": "bilateral agreement",
    "inter_agency_agreement": "inter-agency agreement",
    "action_plan": "action plan",
    "announced_initiative": "initiative",
    "other": "cooperation agreement",
}
UNIT_WORDS = {"kg": "kilograms", "t": "tonnes", "g": "grams", "units": "doses"}
EVENT_VERBS = {
    "visit": "paid an official visit", "tour": "toured the region", "conference": "spoke at a conference",
    "signing": "attended a signing ceremony", "announcement": "made an announcement",
    "statement": "issued a statement", "other": "met counterparts", "meeting": "met counterparts",
    "ceremony": "attended an opening ceremony", "operation_announcement": "announced the results of an operation",
    "seizure_report": "reported a seizure",
}  # fmt: skip
EVENT_TITLES = {
    "visit": "Official visit", "tour": "Regional tour", "conference": "Conference on drug trafficking",
    "signing": "Signing ceremony", "announcement": "Announcement", "statement": "Statement", "other": "Meeting",
    "meeting": "Bilateral meeting", "ceremony": "Opening ceremony", "operation_announcement": "Operation results",
    "seizure_report": "Seizure report",
}  # fmt: skip


def lower_first(label: str) -> str:
    return label[0].lower() + label[1:]


def article(noun: str) -> str:
    return "an" if noun[0].lower() in "aeiou" else "a"


def join(names: list[str]) -> str:
    """Ecuador; Ecuador and Peru; Ecuador, Peru and Bolivia."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def sentence(text: str) -> str:
    return text[0].upper() + text[1:]
