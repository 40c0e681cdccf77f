"""Adding, changing and removing users: the rules the CLI and the admin page share, refusals in Norwegian."""

from __future__ import annotations

from dataclasses import dataclass

from eumonitor.config import EMAIL_PATTERN
from eumonitor.context import AppContext
from eumonitor.followup import rules
from eumonitor.followup.actions import INVALID, NOT_FOUND, ActionError, sentence
from eumonitor.nb import count_nb
from eumonitor.store import LastAdminError, User

# Who a new user is when neither the command line nor the form says (the CLI has always made editors).
DEFAULT_ROLE = "redaktør"
MAX_FIELD = 200


class Refused(ActionError):
    """A refusal because of who else there is (the last admin; oneself): exit 1 as before, 409 on the web."""

    def __init__(self, message: str):
        super().__init__(message, NOT_FOUND)  # the exit status these refusals always had


@dataclass(frozen=True)
class Changed:
    """A user after the change, and the cases still on them that they can no longer move (or that lost them)."""

    user: User
    new: bool = False
    stranded: tuple[str, ...] = ()


def save(
    ctx: AppContext,
    email: str,
    *,
    role: str | None = None,
    name: str | None = None,
    unit: str | None = None,
    password_hash: str | None = None,
) -> Changed:
    """Add a user, or update the given fields of one who exists; a new user needs a password."""
    email = email.strip()
    if len(email) > MAX_FIELD:
        raise ActionError(f"E-postadressen er for lang (over {MAX_FIELD} tegn).", INVALID)
    if not EMAIL_PATTERN.match(email):
        raise ActionError(f"«{email}» er ikke en e-postadresse.", INVALID)
    existing = ctx.store.get_user(email)
    if existing is None and not password_hash:
        raise ActionError(f"Oppgi et passord for den nye brukeren {email}.", INVALID)
    chosen = _role(role) if role else None
    try:
        new = ctx.store.save_user(
            email,
            chosen or (existing.role if existing else DEFAULT_ROLE),
            ctx.now(),
            name=_field(name),
            unit=_field(unit),
            password_hash=password_hash,
        )
    except LastAdminError as exc:  # the store checks it inside its write, so two admins at once cannot slip by
        raise Refused(_last_admin(email)) from exc
    if existing and password_hash:
        # A reset password (after a leak, say) must also shut out whoever is logged in with the old one.
        ctx.store.end_sessions(existing.email)
    saved = ctx.store.get_user(email)
    assert saved is not None  # saved a moment ago
    return Changed(saved, new, _stranded(ctx, saved))


def change_role(ctx: AppContext, email: str, role: str, by: str = "") -> Changed:
    """Give a user another role; the last administrator keeps theirs, and on the admin page (`by`) an admin
    does not demote themselves (they would lose the page in the middle of using it)."""
    existing = _existing(ctx, email)
    chosen = _role(role)
    if by and by.strip().lower() == existing.email and chosen != existing.role:
        raise Refused("Du kan ikke endre din egen rolle her; be en annen administrator om det.")
    try:
        ctx.store.set_role(existing.email, chosen, ctx.now())
    except LastAdminError as exc:
        raise Refused(_last_admin(existing.email)) from exc
    changed = ctx.store.get_user(existing.email)
    assert changed is not None
    return Changed(changed, False, _stranded(ctx, changed))


def remove(ctx: AppContext, email: str, by: str = "") -> Changed:
    """Remove a user: their sessions end, their notes and audit rows keep the address; never the last admin,
    and never oneself from the admin page (`by`), which would lock the acting admin out mid-session."""
    existing = _existing(ctx, email)
    if by and by.strip().lower() == existing.email:
        raise Refused("Du kan ikke fjerne deg selv; be en annen administrator om det.")
    try:
        ctx.store.remove_user(existing.email)
    except LastAdminError as exc:
        raise Refused(f"{existing.email} er den eneste administratoren og kan ikke fjernes.") from exc
    return Changed(existing, False, tuple(ctx.store.cases_assigned_to(existing.email)))


def stranded_sentence(changed: Changed, why: str, how: str) -> str:
    """The warning that someone who can act must take over the cases still on this person ("" when none)."""
    left = changed.stranded
    if not left:
        return ""
    shown = ", ".join(left[:5]) + (" …" if len(left) > 5 else "")
    return (
        f"Merk: {count_nb(len(left), 'sak', 'saker')} står fortsatt på {changed.user.email}, som {why}: {shown}. " + how
    )


def _existing(ctx: AppContext, email: str) -> User:
    if not email.strip():
        raise ActionError("Oppgi brukerens e-postadresse.", INVALID)
    user = ctx.store.get_user(email) if len(email.strip()) <= MAX_FIELD else None
    if user is None:
        raise ActionError(f"Ukjent bruker {email.strip()[:MAX_FIELD]}.", NOT_FOUND)
    return user


def _role(text: str) -> str:
    try:
        return rules.role_id(text[:40])  # the refusal repeats what was given: never a whole page of it
    except rules.CaseRuleError as exc:
        raise ActionError(sentence(exc), INVALID) from exc


def _last_admin(email: str) -> str:
    return f"{email.strip().lower()} er den eneste administratoren; gi en annen rollen admin først."


def _stranded(ctx: AppContext, user: User) -> tuple[str, ...]:
    # Only a reader is stranded with cases: editors and admins can still move theirs.
    return () if rules.may(user.role, "redaktør") else tuple(ctx.store.cases_assigned_to(user.email))


def _field(text: str | None) -> str | None:
    return " ".join(text.split())[:MAX_FIELD] if text is not None else None
