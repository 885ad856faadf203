"""Request and response shapes of the API: they validate requests and document both ways in OpenAPI."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _open_ended(schema: dict) -> None:
    # The API may only grow (API.md): the document promises the listed keys, not that there are no others.
    schema.pop("additionalProperties", None)


class Out(BaseModel):
    """A response shape. Every JSON answer is validated by its route's Out model before it is sent
    (forum.api.common.dump), and extra keys are refused there, so the OpenAPI document cannot drift
    from what is sent; the document itself still lets the API grow."""
    model_config = ConfigDict(extra="forbid", json_schema_extra=_open_ended)


class RegisterIn(_In):
    username: str = Field(description="2–24 letters (Chinese too), digits, '_', '-', '.'; unique in any case")
    email: str
    password: str = Field(description="8–128 characters")


class TokenIn(_In):
    username: str = Field(description="Username or e-mail address")
    password: str
    otp: str | None = Field(default=None, description="Authenticator code, once two-step verification is on")
    name: str | None = Field(default=None, description="What the token is for (at most 64 characters; shown "
                             "in the member's token list)")


# --- responses -----------------------------------------------------------------------------------

class UserOut(Out):
    id: int
    username: str
    role: Literal["member", "moderator", "staff", "admin"]
    reputation: int
    created_at: str
    url: str
    question_count: int
    answer_count: int
    experienced: bool = Field(description="Reputation at or above the experienced-member threshold")


class MeOut(UserOut):
    email: str
    locale: str | None


class TokenOut(Out):
    token: str
    name: str
    expires_at: str = Field(description="FORUM_TOKEN_DAYS after the last use: each use moves it forward")
    user: MeOut
    erasure_cancelled: bool | None = Field(default=None, description="Present (true) when this sign-in cancelled "
                                           "the erasure of the account that its member had asked for")


class AuthorOut(Out):
    id: int
    username: str
    role: Literal["member", "moderator", "staff", "admin"]
    reputation: int


class VerificationOut(Out):
    by: str = Field(description="The staff member's username")
    at: str
    note: str
    stale: bool = Field(description="The answer was edited after staff verified it")
    revision: int = Field(description="The answer revision that staff verified")


class PrivacyWarning(Out):
    field: str = Field(description="title, body or summary")
    kind: Literal["order_number", "address"]
    label: str = Field(description="What it looks like, in the reader's language")
    masked: str = Field(description="Safe to show: e.g. JD******7890, 北京市朝阳区建国路**号")


_WARNINGS = ("Only in the answer to a create or an edit: what the privacy guard warns about although the post "
             "was saved (order numbers, street addresses), masked. POST .../private-details/remove cuts them out "
             "of the post and of its history.")


class CommentOut(Out):
    id: int
    question_id: int | None
    answer_id: int | None
    body: str
    body_html: str
    author: AuthorOut
    created_at: str
    held: bool = Field(default=False, description="Held for moderator review: only the author and moderators "
                                                  "see it until it is approved")
    held_reason: Literal["scam", "watched", "spam"] | None = None
    warnings: list[PrivacyWarning] = Field(default_factory=list, description=_WARNINGS)


class AnswerOut(Out):
    id: int
    question_id: int
    body: str
    body_html: str
    author: AuthorOut
    score: int
    my_vote: int
    is_accepted: bool
    verification: VerificationOut | None
    official: bool = Field(description="Written by staff as staff, and not edited by anyone else since")
    comments: list[CommentOut]
    created_at: str
    updated_at: str
    url: str
    held: bool = Field(default=False, description="Held for moderator review: only the author and moderators "
                                                  "see it until it is approved")
    held_reason: Literal["scam", "watched", "spam"] | None = None
    warnings: list[PrivacyWarning] = Field(default_factory=list, description=_WARNINGS)


class QuestionSummaryOut(Out):
    id: int
    title: str
    excerpt: str
    tags: list[str]
    category: str
    author: AuthorOut
    score: int
    my_vote: int
    answer_count: int
    accepted_answer_id: int | None
    has_verified_answer: bool
    status: Literal["open", "closed"]
    closed_reason: Literal["duplicate", "off_topic", "needs_details"] | None = None
    duplicate_of: int | None = Field(default=None, description="The original question, when closed as a duplicate")
    locked: bool = Field(default=False, description="Locked by a moderator: no answers, comments, votes or edits")
    pinned: bool = Field(default=False, description="Pinned by a moderator or staff: shown first on the home list "
                                                    "and in its category's list")
    created_at: str
    updated_at: str
    last_activity_at: str
    url: str
    held: bool = Field(default=False, description="Held for moderator review: only the author and moderators "
                                                  "see it until it is approved")
    held_reason: Literal["scam", "watched", "spam"] | None = None


class IncidentRefOut(Out):
    id: int
    title: str
    status: Literal["investigating", "identified", "monitoring", "resolved"]
    status_title: str = Field(description="The status in the caller's language (Accept-Language)")
    url: str


class QuestionOut(QuestionSummaryOut):
    body: str
    body_html: str
    comments: list[CommentOut]
    answers: list[AnswerOut]
    incidents: list[IncidentRefOut] = Field(default_factory=list, description="Incidents this thread is linked "
                                                                              "to, active first")
    warnings: list[PrivacyWarning] = Field(default_factory=list, description=_WARNINGS)


class RedactionOut(Out):
    at: str
    reason: str = Field(description="Why a moderator redacted the revision (public)")


class RevisionOut(Out):
    number: int
    editor: AuthorOut
    summary: str
    title: str | None
    body: str
    tags: list[str] | None
    category: str | None
    created_at: str
    redacted: RedactionOut | None = Field(
        default=None, description="Set when a moderator redacted the revision: its title and body are then "
                                  "\"[redacted]\" and its tags and summary empty (replaced in the database)")


class PrivateFinding(Out):
    field: str
    kind: Literal["card", "mobile", "resident_id", "email", "secret"]
    label: str
    masked: str = Field(description="Safe to show: e.g. 6222 **** **** 7894")


class ErrorDetail(Out):
    code: str
    message: str
    fields: dict[str, list[str]]
    findings: list[PrivateFinding] | None = Field(
        default=None, description="Only with code private_data: what the privacy guard found, masked")


class ErrorOut(Out):
    error: ErrorDetail


class SearchHitOut(Out):
    type: Literal["question", "answer"]
    question_id: int
    answer_id: int | None = None
    title: str
    snippet: str = Field(description="Plain text around the matching words")
    snippet_html: str = Field(description="The snippet, HTML-escaped, with the matching words in <mark>")
    score: float
    is_verified: bool
    is_accepted: bool
    url: str


class SearchResultsOut(Out):
    items: list[SearchHitOut]
    page: int
    per_page: int
    total: int
    total_is_exact: bool = Field(default=True, description="False when more than the ranking window (500) "
                                               "matched: total is then an estimate, rounded")
    relaxed: bool = Field(default=False, description="True when fewer than 3 posts held every word of the "
                          "query and the search ran again with the words optional: the items are then the "
                          "posts covering most of the query (rare words weigh more), best first. Quoted "
                          "phrases, -words and filters are never relaxed")
    sort: Literal["relevance", "newest", "votes"]
    notes: list[str] = Field(description="What was changed or ignored in the query, for the reader")
    suggestion: str | None = Field(description="A corrected query when nothing was found")


class SimilarQuestionOut(Out):
    question_id: int
    title: str
    is_verified: bool
    is_accepted: bool
    answer_count: int
    url: str


class SimilarOut(Out):
    items: list[SimilarQuestionOut]
    incidents: list[IncidentRefOut] = Field(default_factory=list, description="Active incidents the draft title "
                                                                              "names (one of their keywords)")


# --- moderation ----------------------------------------------------------------------------------

class FlagOut(Out):
    id: int
    kind: str
    status: Literal["pending", "helpful", "declined"]
    question_id: int | None
    answer_id: int | None
    comment_id: int | None
    created_at: str


class ReviewItemOut(Out):
    id: int
    reason: Literal["flagged", "first_post", "held"]
    status: Literal["pending", "approved", "removed"]
    detail: str
    post_type: Literal["question", "answer", "comment"]
    post_id: int
    question_id: int
    title: str
    body: str
    body_html: str
    author: AuthorOut
    held: bool
    flags: list[dict]
    created_at: str


class SuspensionOut(Out):
    username: str
    suspended_until: str | None
    reason: str


class PostingRestrictionOut(Out):
    username: str
    posting_restricted_until: str | None
    reason: str


class WatchedWordOut(Out):
    id: int
    pattern: str
    action: Literal["block", "hold", "censor"]
    is_regex: bool
    created_at: str


class SearchVocabularyOut(Out):
    id: int
    kind: Literal["synonyms", "domain"]
    words: list[str] = Field(description="folded (Simplified Chinese, lower case), in the order given")
    note: str
    created_by: str | None = Field(description="the staff member's username (null: the account was deleted)")
    created_at: str


class SearchVocabularyListOut(Out):
    groups: list[SearchVocabularyOut] = Field(description="the staff's synonym groups, newest first")
    domain_words: list[SearchVocabularyOut] = Field(description="the staff's domain words, newest first")
    builtin_groups: list[list[str]] = Field(description="the groups built into the forum (not editable here)")
    builtin_domain_words: list[str]


class LogEntryOut(Out):
    id: int
    action: str
    actor: str | None
    user: str | None
    question_id: int | None
    answer_id: int | None
    comment_id: int | None
    reason: str
    created_at: str


class OpenAPIOut(Out):
    """GET /openapi.json: this document (OpenAPI 3.1)."""
    openapi: str
    info: dict[str, Any]
    servers: list[dict[str, Any]]
    paths: dict[str, Any]
    components: dict[str, Any]
