"""Blinker signals: how a feature tells features to its right that something happened.

Each signal is sent after the service has flushed its rows, inside the transaction; receivers
that cause side effects outside the database register them with `forum.core.db.on_commit`.
"""
from blinker import Namespace

_signals = Namespace()

#: sender: the Question; kwargs: actor. A question was asked.
question_asked = _signals.signal("question-asked")
#: sender: the Question; kwargs: actor, revision. A question's title, body, tags or category changed.
question_edited = _signals.signal("question-edited")
#: sender: the Question; kwargs: actor. A question was soft-deleted.
question_deleted = _signals.signal("question-deleted")
#: sender: the Answer; kwargs: actor. An answer was posted.
answer_posted = _signals.signal("answer-posted")
#: sender: the Answer; kwargs: actor, revision. An answer's body changed.
answer_edited = _signals.signal("answer-edited")
#: sender: the Answer; kwargs: actor. An answer was soft-deleted.
answer_deleted = _signals.signal("answer-deleted")
#: sender: the Comment; kwargs: actor. A comment was posted on a question or an answer.
comment_posted = _signals.signal("comment-posted")
#: sender: the User; kwargs: none. A member registered.
user_registered = _signals.signal("user-registered")
