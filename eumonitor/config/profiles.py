"""Load and strictly validate the theme profiles in profiles/*.toml into Profile objects."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eumonitor.config.checker import Checker, Problem, display, load_folder, read_toml
from eumonitor.config.schema import EMAIL_PATTERN, ID_PATTERN
from eumonitor.model import Keyword, Profile


@dataclass(frozen=True)
class KeywordGroup:
    """One [[keywords]] table: words and phrases that count the same."""

    terms: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class ProfileFile:
    """The top level of a profiles/<id>.toml file."""

    title: str
    owner: str
    description: str
    keywords: tuple[KeywordGroup, ...] = ()
    exclude: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    min_score: float = 0.25


def load_profile(path: Path, root: Path) -> tuple[Profile | None, list[Problem]]:
    """One profiles/<id>.toml; every problem named with the file and key."""
    data, text, problems = read_toml(path, root)
    if problems:
        return None, problems
    return profile_from_table(data, text, path.stem, display(path, root))


def profile_from_table(data: dict, text: str, profile_id: str, display: str) -> tuple[Profile | None, list[Problem]]:
    """A parsed profile table as a Profile, or the problems that stop it."""
    checker = Checker(display, text, display)
    if not data:
        checker.add("", "profilen er tom; den trenger title, owner, description og keywords")
        return None, checker.problems
    if not ID_PATTERN.match(profile_id):
        checker.add("", f"filnavnet gir en ugyldig id '{profile_id}'; bruk små bokstaver, tall, - og _")
    top = checker.build(ProfileFile, data)
    if top is None:
        return None, checker.problems
    _check_values(checker, top)
    if checker.problems:
        return None, checker.problems
    keywords = tuple(Keyword(term.strip(), group.weight) for group in top.keywords for term in group.terms)
    profile = Profile(
        id=profile_id,
        title=top.title.strip(),
        owner=top.owner.strip(),
        description=" ".join(top.description.split()),
        keywords=keywords,
        exclude=tuple(t.strip() for t in top.exclude),
        programmes=tuple(p.strip() for p in top.programmes),
        min_score=top.min_score,
        path=display,
    )
    return profile, []


MAX_WEIGHT = 100.0


def _check_values(checker: Checker, top: ProfileFile) -> None:
    for key in ("title", "description"):
        if not str(getattr(top, key)).strip():
            checker.add(key, "kan ikke være tom")
    if not EMAIL_PATTERN.match(top.owner or ""):
        checker.add("owner", f"skal være en e-postadresse, fikk {top.owner!r}")
    groups = [g for g in top.keywords if isinstance(g, KeywordGroup)]  # a broken group is reported already
    if not checker.problems and not any(g.terms for g in groups):
        checker.add("keywords", "profilen har ingen nøkkelord; legg til minst én [[keywords]] med terms")
    for i, group in enumerate(groups):
        # A bound above as well: an infinite weight would turn every score of the theme into NaN.
        if not 0 < group.weight <= MAX_WEIGHT:
            checker.add(f"keywords[{i}].weight", f"skal være større enn 0 og høyst {MAX_WEIGHT:g}, fikk {group.weight}")
        if any(not t.strip() for t in group.terms):
            checker.add(f"keywords[{i}].terms", "inneholder et tomt ord")
    if any(not t.strip() for t in top.exclude):
        checker.add("exclude", "inneholder et tomt ord")
    if not 0.0 <= top.min_score <= 1.0:
        checker.add("min_score", f"skal være mellom 0 og 1, fikk {top.min_score}")


def load_profiles(root: Path) -> tuple[dict[str, Profile], list[Problem]]:
    """Every profiles/*.toml under the root, in name order; all problems collected."""
    return load_folder(root / "profiles", lambda path: load_profile(path, root))


def load_profile_file(path: Path, profile_id: str | None = None) -> tuple[Profile | None, list[Problem]]:
    """A profile file anywhere (e.g. an edited copy for `profile preview --file`)."""
    data, text, problems = read_toml(path, path.parent)
    if problems:
        return None, [Problem(str(path), p.key, p.message, p.line) for p in problems]
    return profile_from_table(data, text, profile_id or path.stem, str(path))
