"""Our own id -> label table for the EU portal's `frameworkProgramme` ids (spec ft-portal.md §3.3)."""

from __future__ import annotations

# Kept by hand because the facet API's labels lose "+" and carry URL escapes (`Erasmus  (ERASMUS )`,
# `Coal %26 Steel`). Each entry: id -> (abbreviation used in sources/*.toml, label shown to users).
PROGRAMMES: dict[str, tuple[str, str]] = {
    "43108390": ("HORIZON", "Horizon Europe"),
    "43353764": ("ERASMUS", "Erasmus+"),
    "43252405": ("LIFE", "LIFE"),
    "43332642": ("EU4H", "EU4Health"),
    "43152860": ("DIGITAL", "Digital Europe"),
    "43251567": ("CEF", "Connecting Europe Facility"),
    "43251589": ("CERV", "CERV (Citizens, Equality, Rights and Values)"),
    "43251814": ("CREA", "Creative Europe"),
    "43252476": ("SMP", "Single Market Programme"),
    "43392145": ("EMFAF", "EMFAF (European Maritime, Fisheries and Aquaculture Fund)"),
    "43254019": ("ESF", "European Social Fund+"),
    "43254037": ("ESC", "European Solidarity Corps"),
    "43252386": ("JUST", "Justice"),
    "43089234": ("INNOVFUND", "Innovation Fund"),
    "44773066": ("JTM", "Just Transition Mechanism"),
    "44416173": ("I3", "Interregional Innovation Investments (I3)"),
    "44181033": ("EDF", "European Defence Fund"),
    "43298916": ("EURATOM", "Euratom"),
    "43252449": ("RFCS", "Research Fund for Coal & Steel"),
    "43637601": ("PPPA", "Pilot Projects & Preparatory Actions"),
    "43252368": ("ISF", "Internal Security Fund"),
    "45532249": ("EUBA", "EU Bodies and Agencies"),
    "43697167": ("EP", "European Parliament"),
    "43252517": ("SOCPL", "Social Prerogative and Specific Competencies Lines"),
    "43252433": ("PERICLES", "PERICLES IV"),
    "43253967": ("RENEWFM", "Renewable Energy Financing Mechanism"),
    "45876777": ("NDICI", "NDICI – Global Europe"),
    "46324255": ("ERDF-TA", "Technical assistance for ERDF, CF and JTF"),
    "111111": ("PROSPECT", "EU External Action (EuropeAid)"),
    "31045243": ("H2020", "Horizon 2020"),
    "31059643": ("COSME", "COSME"),
    "43298664": ("AGRIP", "Promotion of Agricultural Products"),
}

# Other spellings people are likely to write in a source file.
_ALIASES = {"ERASMUS+": "ERASMUS", "EU4HEALTH": "EU4H", "CREATIVE-EUROPE": "CREA", "HORIZON-EUROPE": "HORIZON"}


def programme_label(programme_id: str) -> str:
    """The label users see; an id we do not know yet still gets a readable name."""
    entry = PROGRAMMES.get(programme_id)
    return entry[1] if entry else f"Programme {programme_id}" if programme_id else ""


def programme_id(value: str) -> str | None:
    """Resolve a numeric id or an abbreviation (any case) to the portal's id; None if unknown."""
    value = value.strip()
    if value.isdigit():
        return value
    key = value.upper().replace(" ", "-")
    key = _ALIASES.get(key, key)
    for pid, (abbreviation, _label) in PROGRAMMES.items():
        if abbreviation == key:
            return pid
    return None
