"""Signed single-purpose links "Relevant" / "Ikke for oss" for a digest item's theme: the mail's vote, no login."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from urllib.parse import quote

from eumonitor.digests.subscription_links import sign, unsign
from eumonitor.digests.view import Digest, Item

PURPOSE = b"eumonitor vurdering v1\n"
GRADES = {"relevant": 2, "ikke-for-oss": 0}


@dataclass(frozen=True)
class FeedbackLink:
    """What one link records: this theme, this call, this grade, by this person, from where."""

    profile_id: str
    key: tuple[str, str]
    grade: int
    who: str
    origin: str
    nonce: str  # the same link counts once; a later, different judgement has another link

    def payload(self) -> bytes:
        fields = (self.profile_id, self.key[0], self.key[1], str(self.grade), self.who, self.origin, self.nonce)
        return "\n".join(fields).encode()


def make_link(secret: str, link: FeedbackLink) -> str:
    return sign(secret, PURPOSE, link.payload())


def read_link(secret: str, token: str) -> FeedbackLink | None:
    """The judgement a genuine token stands for; None for a forged, altered or malformed one."""
    payload = unsign(secret, PURPOSE, token)
    if payload is None:
        return None
    parts = payload.decode("utf-8", "replace").split("\n")
    if len(parts) != 7 or parts[3] not in ("0", "1", "2"):
        return None
    theme, source, external_id, grade, who, origin, nonce = parts
    return FeedbackLink(theme, (source, external_id), int(grade), who, origin, nonce)


def feedback_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/vurdering/{quote(token)}"


def with_feedback_links(digest: Digest, base_url: str, secret: str) -> Digest:
    """The digest with a "Relevant" and an "Ikke for oss" link on each item's themes, signed for its reader."""
    who = digest.subscriber.email.lower()
    edition = f"{digest.digest_id} {digest.week}"

    def links(item: Item) -> Item:
        themes = []
        for theme in item.themes:
            urls = {}
            for name, grade in GRADES.items():
                nonce = hashlib.sha256(
                    f"{edition}\n{who}\n{theme.profile_id}\n{item.key}\n{grade}".encode()
                ).hexdigest()
                link = FeedbackLink(theme.profile_id, item.key, grade, who, "digest", nonce[:24])
                urls[name] = feedback_url(base_url, make_link(secret, link))
            themes.append(replace(theme, relevant_url=urls["relevant"], not_url=urls["ikke-for-oss"]))
        return replace(item, themes=tuple(themes))

    return replace(
        digest,
        new=tuple(links(i) for i in digest.new),
        closing=tuple(links(i) for i in digest.closing),
        changes=tuple(links(i) for i in digest.changes),
        best=tuple((title, tuple(links(i) for i in items)) for title, items in digest.best),
    )
