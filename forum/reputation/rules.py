"""Reputation rules as data: what each event is worth, the daily cap, the flair threshold.

Defaults follow Stack Overflow's, as the issue asks; `FORUM_REPUTATION` (a mapping of kind →
delta), `FORUM_REPUTATION_DAILY_CAP` and `FORUM_EXPERIENCED_REPUTATION` override them.
"""
from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from forum.core.enums import TitledEnum


class Kind(TitledEnum):
    GRANTED = "granted", _l("Granted")  # set by an administrator (command line, demo)
    QUESTION_UPVOTED = "question_upvoted", _l("Question upvoted")
    QUESTION_DOWNVOTED = "question_downvoted", _l("Question downvoted")
    ANSWER_UPVOTED = "answer_upvoted", _l("Answer upvoted")
    ANSWER_DOWNVOTED = "answer_downvoted", _l("Answer downvoted")
    DOWNVOTED_ANSWER = "downvoted_answer", _l("Voted an answer down")  # the voter's own cost of a downvote
    ANSWER_ACCEPTED = "answer_accepted", _l("Answer accepted")
    ACCEPTED_ANSWER = "accepted_answer", _l("Accepted an answer")  # the asker who accepts
    ANSWER_VERIFIED = "answer_verified", _l("Answer verified by staff")


DEFAULT_DELTAS: dict[Kind, int] = {
    Kind.QUESTION_UPVOTED: 5,
    Kind.QUESTION_DOWNVOTED: -2,
    Kind.ANSWER_UPVOTED: 10,
    Kind.ANSWER_DOWNVOTED: -2,
    Kind.DOWNVOTED_ANSWER: -1,
    Kind.ANSWER_ACCEPTED: 15,
    Kind.ACCEPTED_ANSWER: 2,
    Kind.ANSWER_VERIFIED: 25,
}
VOTE_GAINS = frozenset({Kind.QUESTION_UPVOTED, Kind.ANSWER_UPVOTED})
# Gains from these count toward (and are cut by) the daily cap: votes and acceptances, which a ring
# of sock puppets can hand out. Staff verification is not farmable and stays uncapped.
CAPPED_GAINS = VOTE_GAINS | frozenset({Kind.ANSWER_ACCEPTED, Kind.ACCEPTED_ANSWER})
# The events a vote causes, by post type and value: (kind, whose: "author" | "voter").
VOTE_EVENTS = {
    ("question", 1): [(Kind.QUESTION_UPVOTED, "author")],
    ("question", -1): [(Kind.QUESTION_DOWNVOTED, "author")],
    ("answer", 1): [(Kind.ANSWER_UPVOTED, "author")],
    ("answer", -1): [(Kind.ANSWER_DOWNVOTED, "author"), (Kind.DOWNVOTED_ANSWER, "voter")],
}
VOTE_KINDS = frozenset(kind for events in VOTE_EVENTS.values() for kind, _whose in events)
ACCEPT_KINDS = frozenset({Kind.ANSWER_ACCEPTED, Kind.ACCEPTED_ANSWER})
FLOOR = 1


def _config(name: str, default):
    if has_app_context():
        return current_app.config.get(name, default)
    return default


def delta(kind: Kind) -> int:
    overrides = _config("FORUM_REPUTATION", None) or {}
    return int(overrides.get(kind.value, DEFAULT_DELTAS.get(kind, 0)))


def daily_cap() -> int:
    return int(_config("FORUM_REPUTATION_DAILY_CAP", 200))


def vote_reputation_min() -> int:
    """Upvotes from members below this reputation count in the score but move no reputation."""
    return int(_config("FORUM_VOTE_REPUTATION_MIN", 15))


def experienced_threshold() -> int:
    return int(_config("FORUM_EXPERIENCED_REPUTATION", 1000))
