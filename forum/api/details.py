"""The API's full view of one question or one answer, as the caller may see it: what GET returns and
what every write on it (edit, vote, accept, verify, publish a resolution, remove private details)
answers with. Each feature's read side supplies the data (the thread from questions, the caller's
votes from votes, verifications from verification); this module only puts it in the API's shape."""
from __future__ import annotations

from forum.api import serialize
from forum.api.common import api_user
from forum.api.serialize import incident_ref
from forum.incidents import queries as incident_queries
from forum.questions import queries, services
from forum.verification import queries as verification_queries
from forum.votes.queries import my_votes


def question_detail(question_id: int) -> dict:
    """The question with its comments and answers (verified, accepted, then by score), each with
    the caller's vote. NotFound when the caller may not see it."""
    viewer = api_user()
    question = services.get_question(question_id, viewer=viewer)
    thread = queries.load_thread(question, viewer)
    q_votes, a_votes = my_votes(viewer, question_ids=[question.id], answer_ids=[a.id for a in thread.answers])
    verified = verification_queries.verifications_for(thread.answers)
    data = serialize.question_summary(question, q_votes.get(question.id, 0))
    data.update(
        body=question.body, body_html=question.body_html,
        comments=[serialize.comment(c) for c in thread.question_comments],
        answers=[serialize.answer(a, question, my_vote=a_votes.get(a.id, 0), verified=verified.get(a.id),
                                  comments=thread.answer_comments.get(a.id, []))
                 for a in verification_queries.order_answers(question, thread.answers, verified)],
        incidents=[incident_ref(i) for i in incident_queries.incidents_for_question(question.id)],
    )
    return data


def answer_detail(answer_id: int) -> dict:
    """One answer with its comments, the caller's vote and its verification. NotFound when the caller
    may not see it or its question."""
    viewer = api_user()
    answer = services.get_answer(answer_id, viewer=viewer)
    question = services.get_question(answer.question_id, viewer=viewer)
    thread = queries.load_thread(question, viewer)
    found = next(a for a in thread.answers if a.id == answer.id)
    _q, a_votes = my_votes(viewer, answer_ids=[found.id])
    return serialize.answer(found, question, my_vote=a_votes.get(found.id, 0),
                            verified=verification_queries.verifications_for([found]).get(found.id),
                            comments=thread.answer_comments.get(found.id, []))
