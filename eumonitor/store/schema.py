"""Every migration of the archive, in one ordered list: a schema change is one new entry at the end."""

from __future__ import annotations

# (version, SQL). Versions only grow; an archive records the versions it has run, so an entry is never edited
# or renumbered once released. The gaps (4-9, 11-19 ...) are left over from when each table group had a range.
MIGRATIONS: list[tuple[int, str]] = [
    # store/calls.py: the calls, their deadlines and change history
    (
        1,
        """
CREATE TABLE calls (
    -- Small columns first: SQLite reads a row up to the column it needs, so filters on status or
    -- deadline must not have to step over the long description texts (often in overflow pages).
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    last_deadline TEXT,
    listed INTEGER NOT NULL DEFAULT 1,
    programme_id TEXT NOT NULL DEFAULT '',
    programme TEXT NOT NULL DEFAULT '',
    budget_total INTEGER,
    opening_date TEXT,
    deadlines TEXT NOT NULL DEFAULT '[]',
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    unlisted_at TEXT,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    call_identifier TEXT NOT NULL DEFAULT '',
    call_title TEXT NOT NULL DEFAULT '',
    call_type TEXT NOT NULL DEFAULT '',
    deadline_model TEXT NOT NULL DEFAULT '',
    deadline_tz TEXT NOT NULL DEFAULT 'Europe/Brussels',
    summary TEXT NOT NULL DEFAULT '',
    budget TEXT NOT NULL DEFAULT '{}',
    keywords TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    extra TEXT NOT NULL DEFAULT '{}',
    description_text TEXT NOT NULL DEFAULT '',
    description_html TEXT NOT NULL DEFAULT '',
    UNIQUE (source, external_id)
);
CREATE INDEX calls_by_programme ON calls(programme_id);
-- Covers the search filters, so filtering full-text hits never reads the wide rows.
CREATE INDEX calls_filter ON calls(id, status, last_deadline, listed, programme_id, programme, source);
CREATE INDEX calls_by_first_seen ON calls(first_seen);
CREATE TABLE call_deadlines (
    call_id INTEGER NOT NULL REFERENCES calls(id),
    deadline TEXT NOT NULL,
    PRIMARY KEY (call_id, deadline)
) WITHOUT ROWID;
CREATE INDEX call_deadlines_by_date ON call_deadlines(deadline, call_id);
CREATE TABLE call_changes (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    run_id INTEGER,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    old TEXT,
    new TEXT
);
CREATE INDEX call_changes_by_call ON call_changes(call_id, at);
CREATE INDEX call_changes_by_time ON call_changes(at, kind);
""",
    ),
    # store/runs.py: one row per collect of one source
    (
        2,
        """
CREATE TABLE source_runs (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    error TEXT,
    counts TEXT NOT NULL DEFAULT '{}',
    changes TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX source_runs_by_source ON source_runs(source, id);
""",
    ),
    # store/search.py: full-text index over the calls, kept by triggers
    (
        3,
        """
CREATE VIRTUAL TABLE calls_fts USING fts5(
    external_id, title, call_title, keywords, programme, description_text,
    content='calls', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER calls_fts_insert AFTER INSERT ON calls BEGIN
    INSERT INTO calls_fts(rowid, external_id, title, call_title, keywords, programme, description_text)
    VALUES (new.id, new.external_id, new.title, new.call_title, new.keywords, new.programme, new.description_text);
END;
CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN
    INSERT INTO calls_fts(calls_fts, rowid, external_id, title, call_title, keywords, programme, description_text)
    VALUES ('delete', old.id, old.external_id, old.title, old.call_title, old.keywords, old.programme,
            old.description_text);
END;
CREATE TRIGGER calls_fts_update AFTER UPDATE OF external_id, title, call_title, keywords, programme,
    description_text ON calls BEGIN
    INSERT INTO calls_fts(calls_fts, rowid, external_id, title, call_title, keywords, programme, description_text)
    VALUES ('delete', old.id, old.external_id, old.title, old.call_title, old.keywords, old.programme,
            old.description_text);
    INSERT INTO calls_fts(rowid, external_id, title, call_title, keywords, programme, description_text)
    VALUES (new.id, new.external_id, new.title, new.call_title, new.keywords, new.programme, new.description_text);
END;
""",
    ),
    # store/matches.py: scores per call and profile, and what each profile was last scored with
    (
        10,
        """
CREATE TABLE matches (
    profile_id TEXT NOT NULL,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    score REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'match',
    why TEXT NOT NULL DEFAULT '[]',
    reason TEXT NOT NULL DEFAULT '',
    scored_at TEXT NOT NULL,
    PRIMARY KEY (profile_id, call_id)
) WITHOUT ROWID;
CREATE INDEX matches_by_call ON matches(call_id);
CREATE INDEX matches_by_rank ON matches(profile_id, state, score DESC);
CREATE TABLE match_profiles (
    profile_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    model_stamp TEXT NOT NULL,
    scale REAL NOT NULL,
    scored_at TEXT NOT NULL
);
""",
    ),
    # store/deliveries.py: one row per attempt to send a digest week to a subscriber
    (
        20,
        """
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    digest_id TEXT NOT NULL,
    week TEXT NOT NULL,
    subscriber TEXT NOT NULL,
    status TEXT NOT NULL,
    at TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    transport TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    period_start TEXT,
    period_end TEXT,
    counts TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX deliveries_sent_once ON deliveries(digest_id, week, subscriber) WHERE status = 'sent';
CREATE INDEX deliveries_by_subscriber ON deliveries(digest_id, subscriber, status, week);
CREATE INDEX deliveries_by_time ON deliveries(at);
""",
    ),
    # store/weblog.py: who saved which profile, and login attempts
    (
        30,
        """
CREATE TABLE profile_saves (
    id INTEGER PRIMARY KEY,
    profile_id TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT ''
);
CREATE INDEX profile_saves_by_profile ON profile_saves(profile_id, at);
CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL,
    ok INTEGER NOT NULL
);
CREATE INDEX login_attempts_by_email ON login_attempts(email, at);
CREATE INDEX login_attempts_by_address ON login_attempts(address, at);
""",
    ),
    # store/links.py: cross-source duplicates
    (
        40,
        """
CREATE TABLE call_links (
    call_id INTEGER PRIMARY KEY REFERENCES calls(id),
    primary_id INTEGER NOT NULL REFERENCES calls(id),
    reason TEXT NOT NULL,
    linked_at TEXT NOT NULL
);
CREATE INDEX call_links_by_primary ON call_links(primary_id);
""",
    ),
    # store/vectors.py: the matcher's fitted state as plain data, written in the match transaction
    (
        50,
        """
CREATE TABLE match_model (
    -- One row. Small columns first: reading the revision or stamp never steps over the large values.
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL,
    format INTEGER NOT NULL,
    model_version INTEGER NOT NULL,
    stamp TEXT NOT NULL,
    fitted_rows INTEGER NOT NULL,
    phrases TEXT NOT NULL,
    terms TEXT NOT NULL,
    keys TEXT NOT NULL,
    hashes TEXT NOT NULL,
    programmes TEXT NOT NULL,
    idf BLOB NOT NULL,
    matrix BLOB NOT NULL
);
""",
    ),
    # store/calls.py: who may apply, as collected (interreg.eu, Euro-Access), and the verdicts judged from it
    # (1 yes, 0 no, NULL the source does not say) that the search filters read
    (
        60,
        """
ALTER TABLE calls ADD COLUMN norway_eligible INTEGER;
ALTER TABLE calls ADD COLUMN municipalities_eligible INTEGER;
ALTER TABLE calls ADD COLUMN eligible_countries TEXT NOT NULL DEFAULT '[]';
ALTER TABLE calls ADD COLUMN applicant_types TEXT NOT NULL DEFAULT '[]';
CREATE INDEX calls_by_eligibility ON calls(norway_eligible, municipalities_eligible);
""",
    ),
    # store/deliveries.py (issue 14): a row is written as 'sending' before the SMTP conversation and finished
    # after it, so a crash or a lost reply leaves a trace. At most one row per subscriber and week may say
    # the message went out or may have ('sent', 'sending', 'uncertain'): a second send is refused by SQLite.
    (
        70,
        """
CREATE UNIQUE INDEX deliveries_at_most_once ON deliveries(digest_id, week, subscriber)
    WHERE status IN ('sent', 'sending', 'uncertain');
""",
    ),
    # store/subscribers.py (issue 11): who gets which digest. Seeded from digests/*.toml; from then on this
    # table is the one truth (the CLI and the "Mine varsler" page change it), so an unsubscribe sticks.
    (
        71,
        """
CREATE TABLE subscribers (
    id INTEGER PRIMARY KEY,
    digest_id TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    profiles TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL DEFAULT 'active',
    origin TEXT NOT NULL DEFAULT 'file',
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL DEFAULT '',
    UNIQUE (digest_id, email)
);
""",
    ),
    # store/weblog.py: whether a failed login named a real editor (so strangers' made-up e-mails behind a shared
    # address lock out nobody real), and sessions kept server-side so that logging out ends a saved cookie too
    (
        80,
        """
ALTER TABLE login_attempts ADD COLUMN known INTEGER NOT NULL DEFAULT 0;
CREATE INDEX login_attempts_by_pair ON login_attempts(email, address, at);
CREATE TABLE web_sessions (
    id TEXT PRIMARY KEY,
    editor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions(expires_at);
""",
    ),
    # store/judgements.py: the advisers' "Relevant" / "Ikke for oss" per theme; the matcher learns from them
    (
        90,
        """
CREATE TABLE judgements (
    id INTEGER PRIMARY KEY,
    profile_id TEXT NOT NULL,
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    grade INTEGER NOT NULL CHECK (grade IN (0, 1, 2)),
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    origin TEXT NOT NULL,
    token TEXT UNIQUE,
    undone_at TEXT,
    undone_by TEXT
);
CREATE INDEX judgements_by_profile ON judgements(profile_id, source, external_id, undone_at);
""",
    ),
    # store/search.py: a query that is a call's id (or its call's id), in any case, is looked up, not scanned
    (
        110,
        """
CREATE INDEX calls_by_id_nocase ON calls(external_id COLLATE NOCASE);
CREATE INDEX calls_by_call_identifier_nocase ON calls(call_identifier COLLATE NOCASE);
""",
    ),
    # store/users.py (issue 12): the people of the web app and the CLI's --as, with their role; the editors once
    # listed in config.toml are carried over here once each (user_imports remembers whom, so a removal sticks)
    (
        120,
        """
CREATE TABLE users (
    email TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('leser', 'redaktør', 'admin')),
    password_hash TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE TABLE user_imports (
    email TEXT PRIMARY KEY COLLATE NOCASE,
    at TEXT NOT NULL
);
""",
    ),
    # store/cases.py (issue 12): one case per call (status, owner, amounts), its notes and local partners, and an
    # audit row for every change; notes are only ever added
    (
        121,
        """
CREATE TABLE cases (
    call_id INTEGER PRIMARY KEY REFERENCES calls(id),
    status TEXT NOT NULL DEFAULT 'til-vurdering',
    reason TEXT NOT NULL DEFAULT '',
    assignee TEXT NOT NULL DEFAULT '',
    amount_applied INTEGER,
    amount_won INTEGER,
    created_at TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    sent_at TEXT,
    decided_at TEXT
);
CREATE INDEX cases_by_assignee ON cases(assignee COLLATE NOCASE);
CREATE TABLE case_notes (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX case_notes_by_call ON case_notes(call_id, id);
CREATE TABLE case_partners (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    organisation TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('koordinator', 'partner', 'pilot', 'referansegruppe')),
    added_by TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (call_id, organisation COLLATE NOCASE)
);
CREATE TABLE case_audit (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    field TEXT NOT NULL,
    old TEXT,
    new TEXT
);
CREATE INDEX case_audit_by_call ON case_audit(call_id, id);
""",
    ),
    # store/follows.py (issue 12): who follows which call, the reminders already sent (one per deadline and lead
    # time, so a reminder goes out once) and the last change each follower has been told about
    (
        122,
        """
CREATE TABLE follows (
    email TEXT NOT NULL REFERENCES users(email) ON DELETE CASCADE,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    since TEXT NOT NULL,
    seen_change INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (email, call_id)
);
CREATE INDEX follows_by_call ON follows(call_id);
CREATE TABLE follow_reminders (
    email TEXT NOT NULL COLLATE NOCASE,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    deadline TEXT NOT NULL,
    lead_days INTEGER NOT NULL,
    at TEXT NOT NULL,
    mailed INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (email, call_id, deadline, lead_days)
);
""",
    ),
]
