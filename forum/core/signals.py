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
#: sender: the Question; kwargs: actor, reason (a moderator's, may be empty). A question was soft-deleted.
question_deleted = _signals.signal("question-deleted")
#: sender: the Comment; kwargs: actor, reason. A comment was soft-deleted.
comment_deleted = _signals.signal("comment-deleted")
#: sender: the Answer; kwargs: actor. An answer was posted.
answer_posted = _signals.signal("answer-posted")
#: sender: the Answer; kwargs: actor, revision. An answer's body changed.
answer_edited = _signals.signal("answer-edited")
#: sender: the Answer; kwargs: actor, reason. An answer was soft-deleted.
answer_deleted = _signals.signal("answer-deleted")
#: sender: the Comment; kwargs: actor. A comment was posted on a question or an answer.
comment_posted = _signals.signal("comment-posted")
#: sender: the User; kwargs: initial_reputation. A member registered (reputation above 1 only when
#: an administrator created the account with it).
user_registered = _signals.signal("user-registered")
#: sender: the Answer; kwargs: actor, previous_answer_id. The asker accepted an answer (or moved
#: the acceptance to it from previous_answer_id).
answer_accepted = _signals.signal("answer-accepted")
#: sender: the Answer; kwargs: actor. The asker withdrew the acceptance of this answer.
answer_unaccepted = _signals.signal("answer-unaccepted")
#: sender: the post (Question or Answer); kwargs: actor, value, previous. A vote was cast, changed
#: or withdrawn (value 0).
vote_cast = _signals.signal("vote-cast")
#: sender: the BadgeKind; kwargs: user_id, question_id, answer_id. A member earned a badge.
badge_awarded = _signals.signal("badge-awarded")
#: sender: the Answer; kwargs: actor, verification, first (False when verified again). Staff
#: verified an answer.
answer_verified = _signals.signal("answer-verified")
#: sender: the Answer; kwargs: actor, reason. Staff removed an answer's verification.
answer_unverified = _signals.signal("answer-unverified")
#: sender: the Ticket; kwargs: actor. A member escalated a question to official support.
ticket_created = _signals.signal("ticket-created")
#: sender: the Ticket; kwargs: actor, message. Someone wrote on a ticket (message.internal: staff only).
ticket_message_added = _signals.signal("ticket-message-added")
#: sender: the Ticket; kwargs: actor, old, new. A ticket's status changed.
ticket_status_changed = _signals.signal("ticket-status-changed")
#: sender: the Ticket; kwargs: actor, changes ({"priority"|"tier"|"assignee": [old, new]}). Staff
#: changed a ticket's priority, tier or assignee (status changes are ticket_status_changed).
ticket_changed = _signals.signal("ticket-changed")
#: sender: the Ticket; kwargs: actor. The requester rated the support of a solved ticket (once).
ticket_rated = _signals.signal("ticket-rated")
#: sender: the Ticket; kwargs: tier. A ticket will breach its SLA soon (sent once).
ticket_breach_near = _signals.signal("ticket-breach-near")
#: sender: the User; kwargs: token (the clear token, for the e-mail only), expires_at. A member
#: asked for a password reset link.
password_reset_requested = _signals.signal("password-reset-requested")
#: sender: the User (already carrying the new address); kwargs: old_email. A member changed the
#: e-mail address of the account (the old address is told).
email_changed = _signals.signal("email-changed")
#: sender: the post (Question, Answer or Comment); kwargs: actor, reason (HoldReason), on_create.
#: A post went out of public sight for review (it was saved held, or hidden later).
post_held = _signals.signal("post-held")
#: sender: the post; kwargs: actor, on_create. A moderator released a held post; when on_create,
#: the post is announced now (question_asked / answer_posted / comment_posted follow).
post_released = _signals.signal("post-released")
#: sender: the post (Question or Answer); kwargs: actor. A moderator undeleted a post.
post_undeleted = _signals.signal("post-undeleted")
#: sender: the Question; kwargs: actor, action ("close", "reopen", "lock", "unlock"), reason.
question_state_changed = _signals.signal("question-state-changed")
#: sender: the Revision; kwargs: actor, post (its Question or Answer), reason. A moderator
#: replaced the text of an earlier revision that showed private details.
revision_redacted = _signals.signal("revision-redacted")
#: sender: None; kwargs: question_ids (list). The search indexer has written these threads' documents
#: whole and committed them: searches find them from now on. Sent after the indexer's transaction,
#: in its own application context (a thread, a process, or inline after a request's commit); a
#: receiver that writes opens a unit of work of its own and must be cheap, for it delays the next batch.
threads_indexed = _signals.signal("threads-indexed")
#: sender: the User. A member who had asked for their account to be erased signed in within the
#: grace period, which cancels the erasure (forum.auth); forum.privacy logs it.
erasure_cancelled = _signals.signal("erasure-cancelled")
