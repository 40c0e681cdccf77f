"""The follow-up actions the web app and the CLI share: who may, what the rules say, the archive row, the mail."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from eumonitor.context import AppContext
from eumonitor.digests import followups
from eumonitor.digests.mailer import DeliveryError
from eumonitor.followup import rules
from eumonitor.followup.rules import CaseRuleError
from eumonitor.model import Call, EumonitorError
from eumonitor.store import User

log = logging.getLogger(__name__)

# Exit statuses of the CLI for each kind of refusal (0, 1, 2 and 3 as elsewhere; 4 is new: not allowed).
NOT_FOUND, INVALID, FORBIDDEN = 1, 2, 4


class ActionError(EumonitorError):
    """A refused action, in Norwegian; `code` is the CLI's exit status and decides the web app's answer."""

    def __init__(self, message: str, code: int = INVALID):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Target:
    """The call an action is about: its archive id and the call itself."""

    call_id: int
    call: Call


def import_config_editors(ctx: AppContext) -> list[str]:
    """config.toml's [[web.editors]] carried over to the users table as redaktør, once each; whom it carried."""
    editors = [(e.email, e.password_hash) for e in ctx.config.settings.web.editors]
    imported = ctx.store.import_editors(editors, ctx.now()) if editors else []
    for email in imported:
        log.info("redaktør %s flyttet fra config.toml til arkivets brukere", email)
    return imported


def actor(ctx: AppContext, email: str, needed: str = "leser") -> User:
    """The user acting (--as, or the logged-in one) with at least the role `needed`."""
    if not email:
        raise ActionError("Oppgi hvem som gjør endringen med --as EPOST.", INVALID)
    user = ctx.store.get_user(email)
    if user is None:
        raise ActionError(f"Ukjent bruker {email}. Legg til med «eumonitor user add {email}».", NOT_FOUND)
    if not rules.may(user.role, needed):
        raise ActionError(
            f"{user.email} har rollen {rules.ROLE_NB[user.role]}; dette krever {rules.ROLE_NB[needed]} eller høyere.",
            FORBIDDEN,
        )
    return user


def target(ctx: AppContext, identifier: str, source: str = "") -> Target:
    """A call by its id (any case), narrowed by source when the id is found in several."""
    found = [key for key in ctx.store.find_calls(identifier.strip()) if not source or key[0] == source]
    if not found:
        raise ActionError(f"Fant ingen utlysning {identifier} i arkivet.", NOT_FOUND)
    if len(found) > 1:
        raise ActionError(f"{identifier} finnes i flere kilder: {', '.join(s for s, _ in found)}; bruk --source.")
    return target_by_key(ctx, *found[0])


def target_by_key(ctx: AppContext, source: str, external_id: str) -> Target:
    call, call_id = ctx.store.get_call(source, external_id), ctx.store.call_id(source, external_id)
    if call is None or call_id is None:
        raise ActionError(f"Fant ingen utlysning {external_id} fra kilden {source}.", NOT_FOUND)
    return Target(call_id, call)


def follow(ctx: AppContext, who: str, at: Target) -> bool:
    user = actor(ctx, who, "leser")
    return ctx.store.follow(user.email, at.call_id, ctx.now())


def unfollow(ctx: AppContext, who: str, at: Target) -> bool:
    user = actor(ctx, who, "leser")
    return ctx.store.unfollow(user.email, at.call_id)


def assign(ctx: AppContext, who: str, at: Target, assignee: str) -> dict[str, Any]:
    """Give the case to a user, who hears of it by mail; the assignment stands even when the mail fails."""
    user = actor(ctx, who, "redaktør")
    owner = ctx.store.get_user(assignee)
    if owner is None:
        raise ActionError(f"Ukjent bruker {assignee}: saken kan bare gis til en bruker i arkivet.", NOT_FOUND)
    if not rules.may(owner.role, "redaktør"):
        # The one responsible must be able to move the case; a reader could only watch it.
        raise ActionError(
            f"{owner.email} er leser og kan ikke endre saken; gi brukeren rollen redaktør først "
            f"(eumonitor user set-role {owner.email} redaktør)."
        )
    done = ctx.store.change_case(at.call_id, user.email, ctx.now(), {"assignee": owner.email})
    mailed = ""
    if done:
        mailed = _mail(ctx, followups.assignment_message(ctx.config, at.call, owner, user, ctx.today(), ctx.now()))
    return {"assignee": owner.email, "changed": bool(done), "mail": mailed}


def set_status(
    ctx: AppContext, who: str, at: Target, status: str, reason: str = "", amount: str | int | None = None
) -> list[tuple[str, Any, Any]]:
    """Move a case along the workflow; "ikke aktuell" needs a reason, an amount goes with søker, sendt, innvilget."""
    user = actor(ctx, who, "redaktør")
    with _rule_refusal():
        wanted, euros = rules.status_id(status), rules.check_amount(amount)
    changes: dict[str, Any] = {"status": wanted, "reason": reason.strip() if wanted == "ikke-aktuell" else ""}
    field = rules.amount_field(wanted)
    if euros is not None and field:
        changes[field] = euros

    def guard(current: dict[str, Any]) -> None:
        rules.check_transition(current["status"], wanted, reason, euros)

    with _rule_refusal():
        return ctx.store.change_case(at.call_id, user.email, ctx.now(), changes, guard)


def set_amounts(ctx: AppContext, who: str, at: Target, applied: str | None, won: str | None) -> list[tuple]:
    user = actor(ctx, who, "redaktør")
    with _rule_refusal():
        changes = {"amount_applied": rules.check_amount(applied), "amount_won": rules.check_amount(won)}

    def guard(current: dict[str, Any]) -> None:
        # The same rule as a status change with an amount: an amount won only once it is granted. Only a value
        # that changes is checked: the form sends back the stored amounts, which may predate a step back.
        won, applied = changes["amount_won"], changes["amount_applied"]
        if won is not None and won != current["amount_won"] and current["status"] != "innvilget":
            raise CaseRuleError("tildelt beløp kan bare oppgis når saken er innvilget")
        if (
            applied is not None
            and applied != current["amount_applied"]
            and rules.amount_field(current["status"]) is None
        ):
            raise CaseRuleError("søkt beløp kan bare oppgis når saken er søker, sendt eller innvilget")

    with _rule_refusal():
        return ctx.store.change_case(at.call_id, user.email, ctx.now(), changes, guard)


def add_note(ctx: AppContext, who: str, at: Target, text: str) -> int:
    user = actor(ctx, who, "redaktør")
    with _rule_refusal():
        cleaned = rules.check_note(text)
    return ctx.store.add_note(at.call_id, user.email, ctx.now(), cleaned)


def add_partner(ctx: AppContext, who: str, at: Target, organisation: str, role: str) -> str | None:
    user = actor(ctx, who, "redaktør")
    with _rule_refusal():
        name, chosen = rules.check_partner(organisation, role)
    return ctx.store.add_partner(at.call_id, user.email, ctx.now(), name, chosen)


def remove_partner(ctx: AppContext, who: str, at: Target, organisation: str) -> str:
    user = actor(ctx, who, "redaktør")
    role = ctx.store.remove_partner(at.call_id, user.email, ctx.now(), organisation.strip())
    if role is None:
        known = ", ".join(p["organisation"] for p in ctx.store.case_partners(at.call_id)) or "ingen"
        raise ActionError(f"{organisation} er ikke partner i {at.call.external_id}; partnere nå: {known}.", NOT_FOUND)
    return role


def case_view(ctx: AppContext, at: Target) -> dict[str, Any]:
    """Everything about one call's case, as the call page and `cases --json` show it."""
    case = ctx.store.get_case(at.call_id)
    deadline = at.call.next_deadline(ctx.today())
    return {
        "source": at.call.source,
        "id": at.call.external_id,
        "title": at.call.title,
        "exists": case is not None,
        "status": case["status"] if case else None,
        "status_nb": rules.STATUS_NB[case["status"]] if case else None,
        "reason": case["reason"] if case else "",
        "assignee": case["assignee"] if case else "",
        "amount_applied": case["amount_applied"] if case else None,
        "amount_won": case["amount_won"] if case else None,
        "next_deadline": deadline.isoformat() if deadline else None,
        "notes": ctx.store.case_notes(at.call_id),
        "partners": [
            {k: p[k] for k in ("organisation", "role", "added_by", "at")} for p in ctx.store.case_partners(at.call_id)
        ],
        "history": ctx.store.case_audit(at.call_id),
        "followers": ctx.store.followers(at.call_id),
        "allowed": list(rules.allowed_next(case["status"] if case else rules.INITIAL)),
    }


def _mail(ctx: AppContext, message: Any) -> str:
    """Send one mail; what happened, in Norwegian, for the caller to show (never raises)."""
    try:
        ctx.mailer.send(message)
    except DeliveryError as exc:
        log.warning("e-post til %s feilet: %s", message["To"], exc)
        return f"e-posten til {message['To']} kom ikke fram: {exc}"
    return f"varslet {message['To']} på e-post"


@contextmanager
def _rule_refusal() -> Iterator[None]:
    """A rule's refusal (CaseRuleError) as the action's, in a sentence; the rule stays its cause."""
    try:
        yield
    except CaseRuleError as exc:
        raise ActionError(sentence(exc)) from exc


def sentence(exc: Exception) -> str:
    """A rule's message as a refusal: capitalised, ending in a full stop."""
    text = str(exc)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
