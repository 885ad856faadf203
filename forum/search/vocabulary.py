"""Search vocabulary that staff add: synonym groups and domain words, as data.

A synonym group is a set of interchangeable words (小金库, 钱包, wallet): a query word in a group
finds posts holding any member. A domain word (运费险, 小程序) is kept whole when a query is cut into
words. Both apply to queries only (the index holds bigrams and stems, whatever the vocabulary), so
a change needs no reindex: forum.search.synonyms applies them beside its built-in groups.

Every process keeps a copy, read once and then only when it is out of date (`refresh`, at the start
of each search): each change replaces the token in `search_vocabulary_revision` in its own
transaction, and a process compares tokens (one primary-key read) when

- the page cache's generation moved on since it last looked (a change commits and then moves it,
  as every public write does: forum.core.page_cache). A page is rendered under the generation
  read before the view, and the vocabulary is looked at again under a newer one, so no page with
  the old vocabulary is kept under a generation that came after the change;
- or FORUM_SEARCH_VOCABULARY_SECONDS (default 2) have passed since it last looked (no page cache,
  or one that could not be read), so an API search lags a change by at most that;
- and at once in the process that made the change (after its commit).
"""
from __future__ import annotations

import math
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from flask_babel import gettext as _
from pydantic import BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema, model_validator

from forum.core.db import is_row_id, on_commit, utcnow
from forum.core.errors import Conflict, NotFound, PermissionDenied
from forum.core.permissions import signed_in
from forum.core.validation import Command, has_control_characters, refuse, text_rule
from forum.extensions import db
from forum.moderation import services as moderation
from forum.moderation.models import ModAction
from forum.search import synonyms
from forum.search.analysis import fold, has_cjk, term_texts
from forum.search.models import VocabularyEntry, VocabularyKind, VocabularyRevision
from forum.search.query import parse
from forum.web.page_cache import request_generation

MIN_GROUP = 2  # words in a synonym group
MAX_WORDS = 12  # words in one entry
MAX_WORD_LENGTH = 40  # characters of one word, once folded (the analyzer's longest term)
NOTE_MAX = 200
# What separates the words typed into the form: commas (Latin and Chinese), 、, semicolons, lines.
SEPARATORS = re.compile(r"[,，、;；\r\n]+")
EXTENSION = "forum_search_vocabulary"


# --- the command ---------------------------------------------------------------------------------

def split_words(text: str) -> list[str]:
    """The words of a form's text, in order (empty pieces left out)."""
    return [piece.strip() for piece in SEPARATORS.split(text) if piece.strip()]


def _kind(value: Any) -> VocabularyKind:
    try:
        return VocabularyKind(value)
    except (ValueError, TypeError):
        raise refuse(_("Choose synonyms or domain words.")) from None


def _words(value: Any) -> list[str]:
    """Folded words, checked one by one: text, no control characters, not empty, at most 40
    characters, something to search for, not twice."""
    if isinstance(value, str):
        value = split_words(value)
    if not isinstance(value, list):
        raise refuse(_("Send a list of words."))
    words: list[str] = []
    written: dict[str, str] = {}
    for item in value:
        if not isinstance(item, str):
            raise refuse(_("Each word must be text."))
        if has_control_characters(item):
            raise refuse(_("Remove the control characters."))
        word = " ".join(fold(item).split())
        if not word:
            raise refuse(_("A word cannot be empty."))
        if len(word) > MAX_WORD_LENGTH:
            raise refuse(_("“%(word)s” is too long: at most %(max)d characters.", word=item.strip()[:MAX_WORD_LENGTH],
                           max=MAX_WORD_LENGTH))
        if not term_texts(word):
            raise refuse(_("“%(word)s” has no letters, digits or Chinese characters to search for.", word=item.strip()))
        if word in written:
            if written[word] == item.strip():
                raise refuse(_("“%(word)s” is listed twice.", word=item.strip()))
            # 帐号 and 账号, ＶＩＰ and vip: search already treats them as one word.
            raise refuse(_("“%(first)s” and “%(second)s” are the same word to search (it folds variants, "
                           "full-width letters and case): keep one.", first=written[word], second=item.strip()))
        written[word] = item.strip()
        words.append(word)
    return words


class AddVocabulary(Command):
    """Add a synonym group (2–12 interchangeable words) or domain words (1–12 words kept whole)."""

    # Published in the OpenAPI document as SearchVocabularyIn.
    model_config = ConfigDict(title="SearchVocabularyIn")

    kind: Annotated[VocabularyKind, BeforeValidator(_kind),
                    WithJsonSchema({"title": "Kind", "type": "string", "enum": [k.value for k in VocabularyKind]})]
    words: Annotated[list[str], BeforeValidator(_words),
                     WithJsonSchema({"title": "Words", "type": "array", "items": {"type": "string"},
                                     "minItems": 1, "maxItems": MAX_WORDS})] = Field(
        description="synonyms: 2–12 interchangeable words; domain: 1–12 words to keep whole. Each 1–40 characters, "
                    "Chinese or English; stored folded (Simplified, lower case)")
    note: Annotated[str, text_rule(maximum=NOTE_MAX)] = Field(default="", description="optional, at most 200 characters")

    @model_validator(mode="after")
    def _count(self) -> AddVocabulary:
        problem = None
        if not self.words:
            problem = _("Enter at least one word.")
        elif self.kind is VocabularyKind.SYNONYMS and len(self.words) < MIN_GROUP:
            problem = _("A synonym group needs at least %(n)d words that mean the same.", n=MIN_GROUP)
        elif len(self.words) > MAX_WORDS:
            problem = _("At most %(n)d words at a time (now %(count)d).", n=MAX_WORDS, count=len(self.words))
        if problem:
            raise ValidationError.from_exception_data(
                type(self).__name__, [{"type": refuse(problem), "loc": ("words",), "input": self.words}]) from None
        return self


# --- reading and changing it ---------------------------------------------------------------------

def _require_staff(actor) -> None:
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    if not actor.role.is_staff or not actor.is_active:
        raise PermissionDenied(_("Only staff can change the search vocabulary."))


@dataclass
class Vocabulary:
    """What the staff page shows: the staff's entries, newest first, and what is built in."""

    groups: list[VocabularyEntry]
    domain_words: list[VocabularyEntry]
    builtin_groups: tuple[tuple[str, ...], ...]
    builtin_domain_words: list[str]


def vocabulary(actor) -> Vocabulary:
    """The search vocabulary, for staff. Raises PermissionDenied."""
    _require_staff(actor)
    entries = db.session.scalars(sa.select(VocabularyEntry)
                                 .order_by(VocabularyEntry.created_at.desc(), VocabularyEntry.id.desc())).all()
    return Vocabulary([e for e in entries if e.kind is VocabularyKind.SYNONYMS],
                      [e for e in entries if e.kind is VocabularyKind.DOMAIN],
                      synonyms.GROUPS, sorted(synonyms.DOMAIN_WORDS))


def add_entry(actor, /, **fields) -> VocabularyEntry:
    """Add a synonym group or domain words (`fields` are AddVocabulary's: kind, words, note),
    applied to the next search in every process, logged. Staff and admins only. Raises
    PermissionDenied, ValidationFailed, Conflict (the same words are there already, or the group
    adds nothing: its words already find each other)."""
    _require_staff(actor)
    command = AddVocabulary.parse(fields)
    key = "\n".join(sorted(command.words))
    if db.session.scalar(sa.select(VocabularyEntry.id).where(VocabularyEntry.kind == command.kind,
                                                             VocabularyEntry.key == key)) is not None:
        raise Conflict(_("These words are in the list already."), code="duplicate_vocabulary",
                       fields={"words": [_("These words are in the list already.")]})
    _refuse_what_adds_nothing(command)
    entry = VocabularyEntry(kind=command.kind, words="\n".join(command.words), key=key, note=command.note,
                            created_by_id=actor.id, created_at=utcnow())
    db.session.add(entry)
    moderation.record_staff_action(actor, ModAction.ADD_VOCABULARY, _log_reason(entry))
    _changed()
    return entry


def _refuse_what_adds_nothing(command: AddVocabulary) -> None:
    refresh()
    if command.kind is VocabularyKind.SYNONYMS:
        wanted = set(command.words)
        for group in synonyms.groups():
            if wanted <= {fold(w) for w in group}:
                message = _("These words already find each other in search (group: %(group)s).",
                            group=", ".join(group))
                raise Conflict(message, code="duplicate_vocabulary", fields={"words": [message]})
    else:
        known = synonyms.domain_words()
        taken = [w for w in command.words if w in known]
        if taken:
            message = _("Already a domain word: %(words)s.", words=", ".join(taken))
            raise Conflict(message, code="duplicate_vocabulary", fields={"words": [message]})


def delete_entry(actor, entry_id) -> VocabularyEntry:
    """Remove a staff entry, from the next search on in every process, logged. Staff and admins
    only. Raises PermissionDenied, NotFound."""
    _require_staff(actor)
    entry = db.session.get(VocabularyEntry, entry_id) if is_row_id(entry_id) else None
    if entry is None:
        raise NotFound(_("This vocabulary entry does not exist."))
    db.session.delete(entry)
    moderation.record_staff_action(actor, ModAction.REMOVE_VOCABULARY, _log_reason(entry))
    _changed()
    return entry


def _log_reason(entry: VocabularyEntry) -> str:
    # moderation.log_reason shows it in the reader's language ("Synonyms: 小金库, 钱包").
    return f"{entry.kind.value}: {', '.join(entry.word_list)}"


def _changed() -> None:
    """A new revision token, in the change's transaction; this process applies it after the commit."""
    token = secrets.token_hex(16)
    updated = db.session.execute(sa.update(VocabularyRevision).where(VocabularyRevision.id == 1)
                                 .values(token=token, changed_at=utcnow())).rowcount
    if not updated:  # (the migration makes the row; a wiped database has none)
        db.session.add(VocabularyRevision(id=1, token=token, changed_at=utcnow()))
    db.session.flush()
    if has_app_context():
        state = _state(current_app._get_current_object())
        on_commit(state.expire)


# --- trying a query ------------------------------------------------------------------------------

@dataclass
class ExplainedWord:
    text: str
    how: str  # "required" (a quoted phrase), "optional" (a free word) or "excluded" (-word)
    alternatives: list[str]  # what else it finds, readable (the word itself first)
    prefix: str | None = None


@dataclass
class Explanation:
    query: str
    words: list[ExplainedWord] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    min_match: int = 0


def explain(actor, q: str) -> Explanation:
    """How search reads `q` with today's vocabulary: its words, what each also finds, its filters.
    Staff only (the page that tries vocabulary out). Raises PermissionDenied."""
    _require_staff(actor)
    refresh()
    parsed = parse(q or "")
    result = Explanation(q or "", notes=[str(n) for n in parsed.notes], min_match=parsed.min_optional)
    for how, words in (("required", parsed.required), ("optional", parsed.optional), ("excluded", parsed.excluded)):
        for word in words:
            result.words.append(ExplainedWord(word.display, how, _spellings(word), word.prefix))
    result.filters = ([f"tag:{t}" for t in parsed.tags] + ([f"category:{parsed.category}"] if parsed.category else [])
                      + ([f"user:{parsed.user}"] if parsed.user else []) + [f"is:{f}" for f in sorted(parsed.flags)])
    return result


def _spellings(word) -> list[str]:
    """What a query word finds, as written in the groups ("failed", not its stem "fail"): the
    members whose terms the query searches for, else the terms made readable."""
    searched = set(word.alternatives)
    found: dict[tuple[str, ...], str] = {}
    if not word.display.startswith('"'):
        for member in synonyms.expand(word.display):
            sequence = tuple(term_texts(member))
            if sequence in searched and sequence not in found:
                found[sequence] = member
    for sequence in word.alternatives:
        found.setdefault(sequence, _readable(sequence))
    return list(dict.fromkeys(found[a] for a in word.alternatives))


def _readable(terms: tuple[str, ...]) -> str:
    """A term sequence as a person writes it: overlapping Chinese bigrams joined again (小金 金库 →
    小金库), other terms (stems) with spaces."""
    text = ""
    for term in terms:
        if text and has_cjk(term) and has_cjk(text[-1]) and len(term) == 2 and term[0] == text[-1]:
            text += term[1]
        else:
            text += (" " if text else "") + term
    return text


# --- keeping each process's copy current ---------------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    token: str
    groups: tuple[tuple[str, ...], ...]
    words: frozenset[str]


class _State:
    """One application's copy (tests run several applications, on several databases, in one process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.snapshot: Snapshot | None = None
        self.checked_at = -math.inf
        self.page_generation: str | None = None

    def expire(self) -> None:
        self.checked_at = -math.inf


_active: Snapshot | None = None  # what forum.search.synonyms holds now


def _state(app: Flask) -> _State:
    state = app.extensions.get(EXTENSION)
    if state is None:
        state = app.extensions.setdefault(EXTENSION, _State())
    return state


def refresh() -> None:
    """Bring this process's copy up to date when it may be stale (see the module's docstring).
    Called at the start of each search; costs nothing most of the time, a primary-key read when
    the page cache's generation moved on or the interval passed, the vocabulary itself only when
    it changed. Outside an application: nothing."""
    if not has_app_context():
        return
    app = current_app._get_current_object()
    state = _state(app)
    # Read before the token (see above): the request's own reading, made before its view ran.
    generation = request_generation(app)
    now = time.monotonic()
    seconds = float(app.config.get("FORUM_SEARCH_VOCABULARY_SECONDS", 2))
    if (state.snapshot is None or now - state.checked_at >= seconds
            or (generation is not None and generation != state.page_generation)):
        with state.lock:
            token = db.session.connection().execute(_TOKEN).scalar() or ""
            if state.snapshot is None or state.snapshot.token != token:
                state.snapshot = _load(token)
            state.checked_at, state.page_generation = now, generation
    _activate(state.snapshot)


# Built once, run on the connection: the check costs a primary-key read and little else.
_TOKEN = sa.select(VocabularyRevision.__table__.c.token).where(VocabularyRevision.__table__.c.id == 1)


def _load(token: str) -> Snapshot:
    rows = db.session.execute(sa.select(VocabularyEntry.kind, VocabularyEntry.words)
                              .order_by(VocabularyEntry.id)).all()
    groups = tuple(tuple(words.split("\n")) for kind, words in rows if kind is VocabularyKind.SYNONYMS)
    words = frozenset(w for kind, text in rows if kind is VocabularyKind.DOMAIN for w in text.split("\n"))
    return Snapshot(token, groups, words)


def _activate(snapshot: Snapshot) -> None:
    global _active
    if snapshot is not _active:
        synonyms.use_staff_vocabulary(snapshot.groups, snapshot.words)
        _active = snapshot


def reset(app: Flask | None = None) -> None:
    """Forget every copy (tests: the database was wiped behind the application's back)."""
    global _active
    if app is not None:
        app.extensions.pop(EXTENSION, None)
    _active = None
    synonyms.use_staff_vocabulary((), frozenset())
