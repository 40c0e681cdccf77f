"""digests/*.toml: each edition strictly checked, with its references to the profiles."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from eumonitor.config.checker import Checker, Problem, display, load_folder, read_toml
from eumonitor.config.schema import EMAIL_PATTERN, ID_PATTERN
from eumonitor.model import DigestSpec, Subscriber


@dataclass(frozen=True)
class DigestFile:
    """The keys allowed in digests/<id>.toml."""

    title: str
    profiles: tuple[str, ...]
    subscribers: tuple[Subscriber, ...] = ()
    per_section: int = 10
    closing_days: int = 21
    template: str = ""
    include_not_eligible: bool = False


def load_digests(root: Path, profile_ids: Collection[str]) -> tuple[dict[str, DigestSpec], list[Problem]]:
    """Every digests/*.toml in name order; every problem reported, with file, line and key."""
    return load_folder(root / "digests", lambda path: load_digest(path, root, profile_ids))


def load_digest(path: Path, root: Path, profile_ids: Collection[str]) -> tuple[DigestSpec | None, list[Problem]]:
    """One digests/<id>.toml, its profiles checked against those present."""
    data, text, problems = read_toml(path, root)
    if problems:
        return None, problems
    checker = Checker(path, text, display(path, root))
    if not ID_PATTERN.match(path.stem):
        checker.add("", f"filnavnet '{path.name}' gir en ugyldig id; bruk små bokstaver, tall, - og _")
    top = checker.build(DigestFile, data)
    if top is not None:
        _check_digest(checker, top, root, profile_ids)
    if top is None or checker.problems:
        return None, checker.problems
    spec = DigestSpec(
        id=path.stem,
        title=top.title,
        profiles=top.profiles,
        subscribers=top.subscribers,
        per_section=top.per_section,
        closing_days=top.closing_days,
        template=top.template,
        include_not_eligible=top.include_not_eligible,
        path=checker.file,
    )
    return spec, []


def _check_digest(checker: Checker, top: DigestFile, root: Path, profile_ids: Collection[str]) -> None:
    known = ", ".join(sorted(profile_ids)) or "(ingen profiler i profiles/)"
    if not top.profiles:
        checker.add("profiles", "skal nevne minst én profil")
    for profile in top.profiles:
        if profile not in profile_ids:
            _add_at(checker, "profiles", f"ukjent profil '{profile}'; kjente profiler: {known}", f'"{profile}"')
    seen: set[str] = set()
    for sub in top.subscribers:
        if not EMAIL_PATTERN.match(sub.email):
            _add_at(checker, "subscribers.email", f"ugyldig e-postadresse {sub.email!r}", sub.email)
        if sub.email.lower() in seen:
            _add_at(checker, "subscribers.email", f"{sub.email} står to ganger blant abonnentene", sub.email)
        seen.add(sub.email.lower())
        for profile in sub.profiles:
            if profile not in top.profiles:
                allowed = ", ".join(top.profiles)
                message = f"{sub.email}: profilen '{profile}' er ikke med i sammendraget; tillatt: {allowed}"
                _add_at(checker, "subscribers.profiles", message, sub.email)
    if not 1 <= top.per_section <= 100:
        checker.add("per_section", f"skal være mellom 1 og 100, fikk {top.per_section}")
    if not 1 <= top.closing_days <= 365:
        checker.add("closing_days", f"skal være mellom 1 og 365 dager, fikk {top.closing_days}")
    if top.template and not (root / top.template).is_dir():
        checker.add("template", f"malmappen '{top.template}' finnes ikke (regnes fra {root})")


def _add_at(checker: Checker, key: str, message: str, needle: str) -> None:
    """A problem on the line where `needle` (e.g. the subscriber's address) is written."""
    position = checker.text.find(needle)
    line = checker.text.count("\n", 0, position) + 1 if position >= 0 else None
    checker.problems.append(Problem(checker.file, key, message, line))
