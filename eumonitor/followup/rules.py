"""The rules of follow-up work (pure): roles, the case workflow, partner roles, amounts, notes."""

from __future__ import annotations

from eumonitor.model import EumonitorError


class CaseRuleError(EumonitorError):
    """A change the rules do not allow; the message is Norwegian and says what is allowed."""


class ReasonMissing(CaseRuleError):
    """ "ikke aktuell" without a reason: told apart so the CLI can name the option that gives one."""


# Roles, weakest first: a leser reads and follows, a redaktør changes cases and profiles, an admin manages users.
ROLES = ("leser", "redaktør", "admin")
ROLE_ALIASES = {"redaktor": "redaktør", "reader": "leser", "editor": "redaktør"}
ROLE_NB = {"leser": "leser", "redaktør": "redaktør", "admin": "administrator"}

# The workflow's ids (what the CLI takes, what is stored) and their Norwegian labels, in workflow order.
STATUSES = ("til-vurdering", "aktuell", "soker", "sendt", "innvilget", "avslatt", "ikke-aktuell")
STATUS_NB = {
    "til-vurdering": "til vurdering",
    "aktuell": "aktuell",
    "soker": "søker",
    "sendt": "sendt",
    "innvilget": "innvilget",
    "avslatt": "avslått",
    "ikke-aktuell": "ikke aktuell",
}
INITIAL = "til-vurdering"
CHAIN = ("til-vurdering", "aktuell", "soker", "sendt")  # the steps before a decision
DECISIONS = ("innvilget", "avslatt")
FINAL = frozenset(DECISIONS)
PARTNER_ROLES = ("koordinator", "partner", "pilot", "referansegruppe")
MAX_NOTE = 5000
MAX_REASON = 500
MAX_ORGANISATION = 200
MAX_AMOUNT = 1_000_000_000  # EUR; the largest EU grants are a few hundred million: more is a typing error


def role_id(text: str) -> str:
    """A role as given on the command line or in a form, as stored; unknown ones are refused."""
    wanted = text.strip().lower()
    wanted = ROLE_ALIASES.get(wanted, wanted)
    if wanted not in ROLES:
        raise CaseRuleError(f"ukjent rolle «{text}»; tillatt: {', '.join(ROLES)}")
    return wanted


def may(role: str | None, needed: str) -> bool:
    """Whether someone with `role` (None: not logged in) may do what needs `needed`."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def status_id(text: str) -> str:
    wanted = text.strip().lower()
    if wanted not in STATUSES:
        raise CaseRuleError(f"ukjent status «{text}»; tillatt: {', '.join(STATUSES)}")
    return wanted


def allowed_next(current: str) -> tuple[str, ...]:
    """Where a case may go from `current`.

    Forward along the chain (steps may be skipped: an adviser may decide to apply at once), one step back
    to correct a slip, a decision only after "sendt", "ikke aktuell" from any step before a decision, and
    back from "ikke aktuell" to reconsider. A decision is final.
    """
    if current in FINAL:
        return ()
    if current == "ikke-aktuell":
        return ("til-vurdering", "aktuell")
    at = CHAIN.index(current)
    found = list(CHAIN[at + 1 :])
    if at > 0:
        found.insert(0, CHAIN[at - 1])
    if current == "sendt":
        found += list(DECISIONS)
    return (*found, "ikke-aktuell")


def check_transition(current: str, wanted: str, reason: str = "", amount: int | None = None) -> None:
    """Refuse a status change the workflow does not allow, with the reason in Norwegian."""
    if wanted == current:
        if amount is not None and amount_field(wanted) is not None:
            return  # the same status with an amount: correcting the amount applied for or won
        raise CaseRuleError(f"saken har allerede status «{STATUS_NB[current]}»")
    allowed = allowed_next(current)
    if wanted not in allowed:
        options = ", ".join(f"{STATUS_NB[s]} ({s})" for s in allowed) or "ingen: avgjørelsen er endelig"
        raise CaseRuleError(f"kan ikke gå fra «{STATUS_NB[current]}» til «{STATUS_NB[wanted]}»; mulig nå: {options}")
    if wanted == "ikke-aktuell" and not reason.strip():
        raise ReasonMissing("«ikke aktuell» trenger en begrunnelse")
    if len(reason) > MAX_REASON:
        raise CaseRuleError(f"begrunnelsen kan ha høyst {MAX_REASON} tegn")
    if amount is not None and amount_field(wanted) is None:
        raise CaseRuleError("beløp kan bare oppgis for søker, sendt (søkt beløp) eller innvilget (tildelt beløp)")


def amount_field(status: str) -> str | None:
    """Which amount an --amount given with this status is: applied for while applying, won when granted."""
    if status in ("soker", "sendt"):
        return "amount_applied"
    if status == "innvilget":
        return "amount_won"
    return None


def check_amount(value: int | float | str | None) -> int | None:
    """An amount in whole EUR (None: not given); negative, absurd or non-numeric ones are refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).replace(" ", "").replace("\u00a0", "")
    # Whole euros only: "1200000,50" or "2,5" is refused rather than rounded behind the user's back.
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not (text.isascii() and text.isdigit()):
        raise CaseRuleError(f"beløpet «{value}» er ikke et helt antall euro (skriv f.eks. 250000 eller 250 000)")
    number = int(text)
    if not 1 <= number <= MAX_AMOUNT:
        raise CaseRuleError(f"beløpet skal være mellom 1 og {MAX_AMOUNT:,} euro".replace(",", " "))
    return number


def check_note(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise CaseRuleError("notatet er tomt")
    if len(cleaned) > MAX_NOTE:
        raise CaseRuleError(f"notatet kan ha høyst {MAX_NOTE} tegn")
    return cleaned


def check_partner(organisation: str, role: str) -> tuple[str, str]:
    name = " ".join(organisation.split())
    if not name:
        raise CaseRuleError("organisasjonen mangler navn")
    if len(name) > MAX_ORGANISATION:
        raise CaseRuleError(f"organisasjonsnavnet kan ha høyst {MAX_ORGANISATION} tegn")
    wanted = role.strip().lower()
    if wanted not in PARTNER_ROLES:
        raise CaseRuleError(f"ukjent partnerrolle «{role}»; tillatt: {', '.join(PARTNER_ROLES)}")
    return name, wanted
