"""Full-text search over the archive (SQLite FTS5) with filters on programme, status, deadline, source."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from eumonitor.store.query_expansion import Expansion, Glossary, expand, words_of

# bm25 weights per FTS column, in the order above: an identifier or title hit matters most.
BM25_WEIGHTS = "8.0, 6.0, 2.0, 2.0, 1.0, 1.0"

# The status a person would give the call today: a call the source still calls open or
# forthcoming but whose every deadline has passed is closed.
EFFECTIVE_STATUS = """
CASE
    WHEN c.status IN ('open', 'forthcoming') AND c.last_deadline < :today THEN 'closed'
    ELSE c.status
END
"""
NEXT_DEADLINE = "(SELECT min(d.deadline) FROM call_deadlines d WHERE d.call_id = c.id AND d.deadline >= :today)"


@dataclass(frozen=True)
class SearchQuery:
    """What a person asked for; every field optional."""

    text: str = ""
    programme: str = ""  # programme id or label (case-insensitive)
    status: str = ""  # forthcoming | open | closed
    deadline_after: date | None = None  # next deadline on or after
    deadline_before: date | None = None  # next deadline on or before
    source: str = ""
    theme: str = ""  # a profile id: only calls matched for that theme, best theme score first
    # Only calls whose source says so ("Norge kan delta", "Kommuner kan søke"); unknown is left out, except
    # that for "Norge kan delta" a call whose source does not say counts when its programme is one Norway
    # takes part in (the portal ids of participation.toml's "ja" programmes, given by the caller).
    norway: bool = False
    norway_programmes: tuple[str, ...] = ()
    municipalities: bool = False
    seen_since: date | None = None  # first seen on or after (a digest's "see them all" link for its new calls)
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class SearchResult:
    """One page of results and what the search did to get them, for the notes above the list."""

    rows: list[dict[str, Any]]
    total: int
    added: tuple[str, ...] = ()  # English terms searched as well as the user's Norwegian words
    any_word: bool = False  # no call had all the words: these have at least one
    pinned: int = 0  # leading rows whose identifier is the query itself


def fts_expression(text: str, any_word: bool = False, glossary: Glossary | None = None) -> str:
    """A user's words as a safe FTS5 expression: each word quoted, the last one as a prefix.

    A word (or phrase) the glossary knows is ORed with its English terms, each an exact phrase:
    `klimatilpasning` -> `("klimatilpasning" OR "climate adaptation" OR ...)`; the groups AND together.
    """
    return render_fts(expand(text, glossary or Glossary()), any_word)


def render_fts(expansion: Expansion, any_word: bool = False) -> str:
    groups = expansion.groups
    if not groups:
        return ""
    parts = []
    for i, group in enumerate(groups):
        words = [f'"{w}"' for w in group.words]
        # A prefix search on one or two letters ("children's" -> "s") matches nearly everything.
        if i == len(groups) - 1 and len(group.words[-1]) >= 3:
            words[-1] += "*"
        own = words[0] if len(words) == 1 else "(" + " AND ".join(words) + ")"
        # Terms are cut to their words, as the user's are: no quote or operator reaches FTS5.
        phrases = [own, *(f'"{" ".join(words_of(t))}"' for t in group.added)]
        parts.append(phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")")
    return (" OR " if any_word else " AND ").join(parts)


# An identifier as people paste it: letters, digits, - _ . / and at least one digit, no spaces.
IDENTIFIER = re.compile(r"^(?=.*\d)[\w./-]{4,120}$")
MAX_PINNED = 20
COLUMNS = (
    "c.source, c.external_id, c.title, c.url, c.programme, c.programme_id, c.summary, "
    "c.deadlines, c.listed, c.budget_total, c.norway_eligible, c.municipalities_eligible, "
    f"{EFFECTIVE_STATUS} AS status, {NEXT_DEADLINE} AS next_deadline"
)


class SearchMixin:
    """Store methods for searching the archive."""

    conn: sqlite3.Connection
    collapse_linked: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]

    def facets(self) -> dict[str, list[tuple[str, str, int]]]:
        """What the search filters offer: (value, label, count) per programme and per source."""
        programmes = self.conn.execute(
            "SELECT programme_id, programme, count(*) FROM calls WHERE programme != '' "
            "GROUP BY programme_id, programme ORDER BY programme"
        )
        sources = self.conn.execute("SELECT source, source, count(*) FROM calls GROUP BY source ORDER BY source")
        return {
            "programmes": [(r[0] or r[1], r[1], r[2]) for r in programmes],
            "sources": [(r[0], r[1], r[2]) for r in sources],
        }

    def search(self, query: SearchQuery, today: date) -> tuple[list[dict[str, Any]], int]:
        """Matching calls (rank order) and the total count, without the glossary (see explained_search)."""
        result = self.explained_search(query, today)
        return result.rows, result.total

    def explained_search(self, query: SearchQuery, today: date, glossary: Glossary | None = None) -> SearchResult:
        """Matching calls in rank order, the total, and what was done: English terms added, fallback, pinning.

        All words (each ORed with its glossary terms) first; any word if none match. A query that is a call's
        identifier (or the call identifier its topics share) puts those calls first on the first page, within
        the filters; not with a theme, whose score order is what was asked for.
        """
        expansion = expand(query.text, glossary or Glossary())
        rows, total = self._search(query, today, render_fts(expansion))
        any_word = False
        if total == 0 and len(expansion.groups) > 1:
            rows, total = self._search(query, today, render_fts(expansion, any_word=True))
            any_word = total > 0
        pinned = self._pinned(query, today) if query.offset == 0 and not query.theme else []
        if pinned:
            keys = {(r["source"], r["external_id"]) for r in pinned}
            rows = pinned + [r for r in rows if (r["source"], r["external_id"]) not in keys]
            total = max(total, len(pinned))
        # A call announced on two sources is one result, where its best copy ranks, with every copy's link
        # (LinksMixin). The total still counts copies: exact counting would cost a join per match.
        return SearchResult(self.collapse_linked(rows), total, expansion.added, any_word, len(pinned))

    def _pinned(self, query: SearchQuery, today: date) -> list[dict[str, Any]]:
        """Calls whose identifier, or whose call's identifier, is the query (any case): exact ids first."""
        text = query.text.strip()
        if not IDENTIFIER.match(text):
            return []
        where, args = self._filters(query, today)
        where.insert(0, "(c.external_id = :ident COLLATE NOCASE OR c.call_identifier = :ident COLLATE NOCASE)")
        sql = (
            f"SELECT {COLUMNS} FROM calls c WHERE {' AND '.join(where)} "
            "ORDER BY c.external_id = :ident COLLATE NOCASE DESC, c.external_id, c.source LIMIT :limit"
        )
        rows = self.conn.execute(sql, {**args, "ident": text, "limit": min(query.limit, MAX_PINNED)})
        return [dict(r) for r in rows]

    def _search(self, query: SearchQuery, today: date, match: str) -> tuple[list[dict[str, Any]], int]:
        where, args = self._filters(query, today)
        args["match"] = match
        score = ""
        if query.theme:
            source, ident, rank, where = self._theme_plan(query, where, args, bool(match))
            score = ", -hits.rank AS score"
        elif match:
            # Join the calls table only when a filter needs its columns: a join per match is costly.
            source = "calls_fts JOIN calls c ON c.id = calls_fts.rowid" if where else "calls_fts"
            where.insert(0, "calls_fts MATCH :match")
            ident, rank = "calls_fts.rowid", f"bm25(calls_fts, {BM25_WEIGHTS})"
        else:
            source, ident, rank = "calls c", "c.id", f"coalesce({NEXT_DEADLINE}, '9999')"
        clause = " WHERE " + " AND ".join(where) if where else ""
        total = self._count(source, clause, args, filtered=bool(query.theme) or len(where) > (1 if match else 0))
        # Rank ids first and fetch the wide columns only for the page shown: sorting whole rows
        # of tens of thousands of matches is what made common words slow.
        sql = (
            f"WITH hits AS (SELECT {ident} AS id, {rank} AS rank "
            f"FROM {source}{clause} ORDER BY rank, id LIMIT :limit OFFSET :offset) "
            f"SELECT {COLUMNS}{score} FROM hits JOIN calls c ON c.id = hits.id "
            f"ORDER BY hits.rank, c.id"
        )
        rows = self.conn.execute(sql, {**args, "limit": query.limit, "offset": query.offset})
        return [dict(r) for r in rows], total

    @staticmethod
    def _theme_plan(
        query: SearchQuery, where: list[str], args: dict[str, Any], has_words: bool
    ) -> tuple[str, str, str, list[str]]:
        """Only the theme's matches, best score first, read in index order (matches_by_rank).

        The words' hits are gathered once as a set the matches are checked against; CROSS JOIN keeps the
        matches as the outer loop whatever the planner's statistics say (a stale guess cost seconds).
        """
        source = "matches m CROSS JOIN calls c ON c.id = m.call_id" if where else "matches m"
        theme = ["m.profile_id = :theme", "m.state = 'match'"]
        if has_words:
            theme.append("m.call_id IN (SELECT rowid FROM calls_fts WHERE calls_fts MATCH :match)")
        args["theme"] = query.theme
        return source, "m.call_id", "-m.score", theme + where

    def _count(self, source: str, clause: str, args: dict[str, Any], filtered: bool) -> int:
        if not filtered and source.startswith("calls_fts"):
            # Without filters the full-text index alone knows the count.
            return self.conn.execute("SELECT count(*) FROM calls_fts WHERE calls_fts MATCH :match", args).fetchone()[0]
        return self.conn.execute(f"SELECT count(*) FROM {source}{clause}", args).fetchone()[0]

    def _filters(self, query: SearchQuery, today: date) -> tuple[list[str], dict[str, Any]]:
        where: list[str] = []
        args: dict[str, Any] = {"today": today.isoformat()}
        if query.programme:
            where.append("(c.programme_id = :programme OR c.programme LIKE :programme_like)")
            args["programme"] = query.programme
            args["programme_like"] = f"%{query.programme}%"
        if query.status:
            where.append(f"({EFFECTIVE_STATUS}) = :status")
            args["status"] = query.status
        if query.deadline_after:
            where.append(f"{NEXT_DEADLINE} >= :deadline_after")
            args["deadline_after"] = query.deadline_after.isoformat()
        if query.deadline_before:
            where.append(f"{NEXT_DEADLINE} <= :deadline_before")
            args["deadline_before"] = query.deadline_before.isoformat()
        if query.seen_since:
            where.append("c.first_seen >= :seen_since")  # UTC stamps; the date compares as their prefix
            args["seen_since"] = query.seen_since.isoformat()
        if query.source:
            where.append("c.source = :source")
            args["source"] = query.source
        if query.norway:
            marks = ", ".join(f":norway_programme_{i}" for i in range(len(query.norway_programmes)))
            by_programme = f" OR (c.norway_eligible IS NULL AND c.programme_id IN ({marks}))" if marks else ""
            where.append(f"(c.norway_eligible = 1{by_programme})")
            args.update({f"norway_programme_{i}": p for i, p in enumerate(query.norway_programmes)})
        if query.municipalities:
            where.append("c.municipalities_eligible = 1")
        return where, args
