"""'Kan vi delta?' for one call (pure): the programme, the source's country and applicant lists, the topic's own
conditions, external action aimed at a partner country, and the role a municipality can have."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from eumonitor.model import Call, Factor, Participation, ParticipationRules, ProgrammeRule
from eumonitor.sources.eligibility import MUNICIPAL, NORWAY
from eumonitor.sources.ft_programmes import PROGRAMMES

# How much a verdict weighs when factors disagree: the strictest limit decides.
SEVERITY = {"ja": 0, "ukjent": 1, "begrenset": 2, "nei": 3}
SPECIFIC = {"programme": 0, "role": 1, "countries": 2, "conditions": 3, "external": 4}
EVIDENCE_CHARS = 300
LISTED = 6  # countries or applicant types quoted as evidence


def judge(call: Call, rules: ParticipationRules) -> Participation:
    """The verdict, the reason that decided it, and every factor weighed (shown to the reader as evidence)."""
    base = _countries(call) or _programme(call, rules)
    factors = [base, *_programme_note(call, rules, base), *_conditions(call, rules), *_external(call, rules)]
    factors.append(_role(call, rules))
    deciding = [f for f in factors if f.verdict]
    # The strictest verdict decides; between equals the most specific reason is the one shown.
    worst = max(deciding, key=lambda f: (SEVERITY[f.verdict], SPECIFIC[f.kind]))
    # An explicit "Norway may take part" (the source's country list, or a restriction that names Norway)
    # settles what the programme list could not.
    if worst.verdict == "ukjent":
        explicit = next((f for f in deciding if f.verdict == "ja" and f.kind in ("countries", "conditions")), None)
        worst = explicit or worst
    if worst.verdict != "nei" and call.municipalities_eligible is False:
        role = factors[-1]
        if SEVERITY[worst.verdict] < SEVERITY["begrenset"]:
            worst = Factor("role", "begrenset", role.reason, role.evidence)
    return Participation(worst.verdict, worst.reason, tuple(factors))


def judge_all(calls: Iterable[Call], rules: ParticipationRules | None) -> dict[tuple[str, str], Participation]:
    """The verdict of each call by its key; none at all without rules."""
    return {call.key: judge(call, rules) for call in calls} if rules is not None else {}


def _countries(call: Call) -> Factor | None:
    """The source's own list of countries that may take part (interreg.eu, Euro-Access) is the most specific."""
    if call.norway_eligible is None:
        return None
    listed = _quote(sorted(call.eligible_countries, key=lambda country: not NORWAY.search(country)))
    if call.norway_eligible:
        return Factor("countries", "ja", "Kilden oppgir at Norge kan delta.", listed)
    return Factor("countries", "nei", "Kilden lister landene som kan delta, og Norge er ikke blant dem.", listed)


def _programme(call: Call, rules: ParticipationRules) -> Factor:
    rule = programme_rule(call, rules)
    if rule is None:
        name = call.programme or call.programme_id or "uten oppgitt program"
        reason = f"Programmet «{name}» står ikke i deltakelsesreglene; sjekk utlysningens vilkår."
        return Factor("programme", "ukjent", reason)
    return Factor("programme", rule.verdict, rule.note, rule.name)


def _programme_note(call: Call, rules: ParticipationRules, base: Factor) -> list[Factor]:
    """With the source's country list deciding, the programme's entry is still shown, as information."""
    if base.kind != "countries":
        return []
    rule = programme_rule(call, rules)
    return [Factor("programme", "", rule.note, rule.name)] if rule else []


def without_nei(rows: list[dict], verdicts: dict[tuple[str, str], Participation]) -> tuple[list[dict], str]:
    """A "Norge kan delta" page without the calls whose own conditions shut Norway out (the filter goes by
    programme in SQL; the conditions are only read here), and the note that says how many were left out."""
    kept = [r for r in rows if getattr(verdicts.get((r["source"], r["external_id"])), "verdict", "") != "nei"]
    gone = len(rows) - len(kept)
    note = (
        f"{gone} til på denne siden er utelatt: vilkårene deres utelukker Norge (se «Kan vi delta?»)." if gone else ""
    )
    return kept, note


def norway_programme_ids(rules: ParticipationRules | None) -> tuple[str, ...]:
    """The EU portal programme ids whose rule is "ja": the search's "Norge kan delta" for calls whose source
    lists no countries (the portal's never do)."""
    if rules is None:
        return ()
    found = []
    for pid in PROGRAMMES:
        rule = _rule_by_id(pid, rules)
        if rule is not None and rule.verdict == "ja":
            found.append(pid)
    return tuple(found)


def programme_rule(call: Call, rules: ParticipationRules) -> ProgrammeRule | None:
    """The first rule naming the call's portal programme id (or its abbreviation), else its label."""
    rule = _rule_by_id(call.programme_id, rules)
    if rule is not None:
        return rule
    label = call.programme.lower()
    if not label:
        return None
    return next((r for r in rules.programmes if any(part in label for part in r.labels)), None)


def _rule_by_id(programme_id: str, rules: ParticipationRules) -> ProgrammeRule | None:
    """The first rule naming a portal programme id or its abbreviation (HORIZON, 43108390)."""
    abbreviation = PROGRAMMES.get(programme_id, ("", ""))[0]
    wanted = {programme_id.upper(), abbreviation} - {""}
    return next((r for r in rules.programmes if wanted & set(r.ids)), None)


def _conditions(call: Call, rules: ParticipationRules) -> list[Factor]:
    """Each condition rule's first sentence in the topic's conditions (or, without them, the call's text)."""
    text = str(call.extra.get("conditions") or "") or call.description_text
    if not text:
        return []
    norway = _compiled(rules.norway_named)
    parts = list(sentences(text))  # split once: every rule searches the same sentences
    found = []
    for rule in rules.conditions:
        hit = _first_hit(parts, [_compiled(p) for p in rule.patterns])
        if hit is None:
            continue
        sentence, start = hit
        if rule.if_norway_named and norway.search(sentence):
            reason = rule.norway_reason or rule.reason
            found.append(Factor("conditions", rule.if_norway_named, reason, _excerpt(sentence, start)))
        else:
            found.append(Factor("conditions", rule.verdict, rule.reason, _excerpt(sentence, start)))
    return found


def _external(call: Call, rules: ParticipationRules) -> list[Factor]:
    """An external-action call (EuropeAid): for actors in the partner country its identifier names."""
    ext = rules.external_action
    abbreviation = PROGRAMMES.get(call.programme_id, ("", ""))[0]
    if call.call_type not in ext.call_types and abbreviation not in ext.programmes:
        return []
    match = _compiled(ext.identifier_country).search(call.external_id) if ext.identifier_country else None
    if match is None:
        return [Factor("external", ext.multi_verdict, ext.multi_reason, call.external_id)]
    code = match.group(1).upper()
    country = ext.countries.get(code, f"landet med kode {code}")
    return [Factor("external", ext.country_verdict, ext.country_reason.format(country=country), call.external_id)]


def _role(call: Call, rules: ParticipationRules) -> Factor:
    """The municipal role: the source's applicant types when it lists them, else a phrase in the call's text."""
    if call.municipalities_eligible is True:
        # The types that take a municipality in come first: they are the evidence.
        ordered = sorted(call.applicant_types, key=lambda kind: not MUNICIPAL.search(kind))
        return Factor("role", "", "Kommuner er blant søkertypene kilden oppgir.", _quote(ordered))
    if call.municipalities_eligible is False:
        reason = "Kilden lister søkertypene, og kommuner eller offentlige organer er ikke blant dem."
        return Factor("role", "", reason, _quote(call.applicant_types))
    text = f"{call.title}. {call.description_text} {call.extra.get('conditions') or ''}"
    hit = _first_hit(list(sentences(text)), [_compiled(p) for p in rules.roles])
    if hit is None:
        reason = "Teksten nevner ingen rolle for kommuner, byer, skoler, sykehus eller offentlige tjenester."
        return Factor("role", "", reason)
    return Factor(
        "role", "", "Teksten nevner en mulig rolle for kommunen (søker, partner eller pilot).", _excerpt(*hit)
    )


def _first_hit(parts: Sequence[str], patterns: list[re.Pattern[str]]) -> tuple[str, int] | None:
    """The first sentence any pattern finds, and where in it the match starts."""
    for sentence in parts:
        for pattern in patterns:
            found = pattern.search(sentence)
            if found:
                return sentence, found.start()
    return None


def sentences(text: str) -> Iterable[str]:
    """The text a sentence at a time (a rule's evidence is the sentence it matched)."""
    for part in re.split(r"(?<=[.;!?])\s+|\n+", text):
        part = " ".join(part.split())
        if part:
            yield part


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _excerpt(sentence: str, start: int) -> str:
    """The sentence, or in a long one the part around the match: the words that decided must show."""
    if len(sentence) <= EVIDENCE_CHARS:
        return sentence
    begin = max(0, min(start - EVIDENCE_CHARS // 3, len(sentence) - EVIDENCE_CHARS))
    part = sentence[begin : begin + EVIDENCE_CHARS].strip()
    return ("…" if begin else "") + part + ("…" if begin + EVIDENCE_CHARS < len(sentence) else "")


def _quote(values: Iterable[str]) -> str:
    values = list(values)
    shown = ", ".join(values[:LISTED])
    return shown + (f" og {len(values) - LISTED} til" if len(values) > LISTED else "")
