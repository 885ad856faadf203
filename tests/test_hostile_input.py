"""Hostile input, proven (issue 7): nothing a member types can execute in a page or in the API's
HTML, and malformed, oversized, SQL-looking or mistyped input gets a clear 4xx, never a 500 and never
another member's data.

The XSS vectors (tests/xss_vectors.py) go through every text field: titles, bodies, answers,
comments, edits (and so the revision diffs), tags, usernames, the profile's "about", ticket
descriptions, order numbers, contacts, messages and internal notes, tier-change reasons, search
queries and the live preview. The pages and the JSON that come back are parsed with html5lib (the
HTML5 parsing algorithm, as a browser runs it) and checked by `assert_inert`: no script but the
site's own files under /static/, no event-handler attributes, no javascript:/vbscript:/data: URLs,
no frames, objects, embeds, <base>, <meta http-equiv>, foreign <link>, <style> elements or style
attributes that run code, and no SVG or MathML beyond the site's own icons and charts.
"""
from __future__ import annotations

import re
from urllib.parse import quote

import html5lib
import pytest
import sqlalchemy as sa

from forum.extensions import db
from tests.xss_vectors import REFUSED, VECTORS

CHUNK = 16
CHUNKS = [VECTORS[i:i + CHUNK] for i in range(0, len(VECTORS), CHUNK)]
PAD = " （hostile input test）"
REP = 2_000  # enough for every privilege, so only the input decides the outcome

# --- the checker ---------------------------------------------------------------------------------

SITE_SCRIPT = re.compile(r"^/static/[\w./-]+\.js(\?[\w=.&-]*)?$")
SITE_ASSET = re.compile(r"^/static/[\w./-]+(\?[\w=.&-]*)?$")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "background", "lowsrc", "dynsrc", "poster",
                  "codebase", "cite", "longdesc", "usemap", "manifest", "icon", "classid", "archive", "ping",
                  "xlink:href", "srcset", "imagesrcset", "itemtype", "profile"}
NEVER = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "bgsound", "isindex", "xml",
         "style", "template", "noscript", "noembed", "noframes", "xmp", "plaintext", "portal", "keygen",
         "layer", "ilayer", "import", "math", "marquee"}
# What the site's own inline icons and charts use: nothing that can hold or load script.
SVG_ELEMENTS = {"svg", "path", "circle", "rect", "line", "polyline", "polygon", "g", "title", "desc", "text",
                "tspan", "ellipse"}
SAFE_DATA_URL = re.compile(r"^data:image/(png|gif|jpeg|webp)[;,]")
CSS_DANGER = re.compile(r"expression|javascript|vbscript|behavior|binding|url\s*\(|@import|livescript", re.IGNORECASE)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else "http://www.w3.org/1999/xhtml"


def _url_is_dangerous(value: str) -> bool:
    # What a browser's URL parser does first: strip leading/trailing C0 controls and spaces,
    # drop every tab and newline, compare the scheme without case.
    url = re.sub(r"[\t\n\r]", "", value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
                                                  "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ").lower()
    if url.startswith(("javascript:", "vbscript:", "livescript:", "mocha:")):
        return True
    return url.startswith("data:") and not SAFE_DATA_URL.match(url)


def _css_unescape(value: str) -> str:
    value = re.sub(r"/\*.*?\*/", "", value, flags=re.DOTALL)
    value = re.sub(r"\\([0-9a-fA-F]{1,6})\s?", lambda m: chr(int(m.group(1), 16)) if int(m.group(1), 16) < 0x110000
                   else "", value)
    return re.sub(r"\\(.)", r"\1", value)


def executable_parts(markup: str, *, fragment: bool = False) -> list[str]:
    """Everything in `markup` that could run script in a browser, as readable descriptions."""
    if fragment:
        root = html5lib.parseFragment(markup, treebuilder="etree", namespaceHTMLElements=False)
    else:
        root = html5lib.parse(markup, treebuilder="etree", namespaceHTMLElements=False)
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):  # comments
            continue
        tag, ns = _local(el.tag), _namespace(el.tag)
        attrs = {_local(k) if not k.startswith("{http://www.w3.org/1999/xlink}") else "xlink:href": v
                 for k, v in el.attrib.items()}
        desc = f"<{tag} {attrs}>"
        if tag == "script":
            src = attrs.get("src", "")
            if fragment or ns != "http://www.w3.org/1999/xhtml" or not SITE_SCRIPT.match(src) or (el.text or "").strip():
                found.append("script " + desc + repr((el.text or "")[:80]))
        elif tag in NEVER:
            found.append("forbidden element " + desc)
        elif ns == "http://www.w3.org/2000/svg" and tag not in SVG_ELEMENTS:
            found.append("svg element " + desc)
        elif tag == "svg" and fragment:
            found.append("svg in user content " + desc)
        elif tag == "meta" and ("http-equiv" in attrs or set(attrs) - {"charset", "name", "content"}):
            found.append("meta " + desc)
        elif tag == "link" and not (SITE_ASSET.match(attrs.get("href", "")) and not fragment):
            found.append("link " + desc)
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"handler {name} on {desc}")
            elif name in URL_ATTRIBUTES and (_url_is_dangerous(value) or any(
                    _url_is_dangerous(part.strip().split(" ")[0]) for part in value.split(",")
                    if name.endswith("srcset"))):
                found.append(f"URL {name} on {desc}")
            elif name == "srcdoc":
                found.append(f"srcdoc on {desc}")
            elif name == "style" and CSS_DANGER.search(_css_unescape(value)):
                found.append(f"style on {desc}")
            elif (name in ("attributename", "to", "from", "values", "by") and ns != "http://www.w3.org/1999/xhtml"
                  and _url_is_dangerous(value)):
                found.append(f"animated URL on {desc}")
    return found


def assert_inert(markup: str, where: str, *, fragment: bool = False) -> None:
    parts = executable_parts(markup, fragment=fragment)
    assert not parts, f"executable markup in {where}: {parts[:5]}"


def assert_inert_json(data, where: str) -> None:
    """Every `*_html` value in an API answer, however deep, is a harmless fragment."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key.endswith("_html") or key == "html":
                assert isinstance(value, str), (where, key)
                assert_inert(value, f"{where} {key}", fragment=True)
            else:
                assert_inert_json(value, f"{where}.{key}")
    elif isinstance(data, list):
        for item in data:
            assert_inert_json(item, where)


def check_page(response, where: str, *, statuses=(200,)) -> None:
    assert response.status_code in statuses, (where, response.status_code)
    assert response.mimetype == "text/html", (where, response.mimetype)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert_inert(response.get_data(as_text=True), where)


def check_json(response, where: str, *, statuses=(200,)) -> dict:
    assert response.status_code in statuses, (where, response.status_code, response.get_data(as_text=True)[:300])
    # JSON sent as text/html would be a page of the attacker's making.
    assert response.mimetype == "application/json", (where, response.mimetype)
    data = response.get_json()
    assert_inert_json(data, where)
    return data


def assert_api_error(response, where: str, statuses=(400, 404, 409, 413, 415, 422)) -> dict:
    """A clean refusal in the API's error format."""
    assert response.status_code in statuses, (where, response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json", (where, response.mimetype)
    error = response.get_json()["error"]
    assert isinstance(error["code"], str) and error["code"] and isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict), where
    return error


@pytest.mark.parametrize("markup", [
    "<script>alert(1)</script>", "<p><img src=x onerror=alert(1)></p>", "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=' JAVASCRIPT:alert(1)'>x</a>", "<svg><script>alert(1)</script></svg>", "<iframe src=/x></iframe>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>", "<div style='x:expr/**/ession(1)'>",
    "<div style='background:\\75 rl(javascript:alert(1))'>", "<form><button formaction=javascript:alert(1)>",
    "<a href='data:text/html,<script>alert(1)</script>'>x</a>", "<base href=/>", "<object data=x>",
    "<svg><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>", "<math><mi>x</mi></math>",
    "<svg><animate attributeName=href values=javascript:alert(1)>", "<link rel=import href=//evil>",
])
def test_the_checker_catches_executable_markup(markup):
    """The checker itself is tested, or a broken checker would let every vector pass."""
    assert executable_parts(f"<!doctype html><html><body>{markup}</body></html>")
    assert executable_parts(markup, fragment=True)


def test_the_checker_accepts_the_sites_own_markup():
    page = ('<!doctype html><html><head><script src="/static/js/forum.js" defer></script>'
            '<link rel="stylesheet" href="/static/css/forum.css"><meta charset="utf-8"></head><body>'
            '<svg viewBox="0 0 2 2"><path d="M0 0"/><text>1</text></svg><a href="/q?x=1">x</a>'
            '<img src="data:image/png;base64,AAAA"></body></html>')
    assert executable_parts(page) == []


def test_there_are_enough_vectors():
    assert len(VECTORS) >= 60 and len(set(VECTORS)) == len(VECTORS)


# --- helpers -------------------------------------------------------------------------------------

def _title(vector: str) -> str:
    return (vector if len(vector.strip()) >= 10 else vector + PAD)[:150]


def _body(vector: str) -> str:
    return vector + "\n\n" + PAD * 2


@pytest.fixture
def people(create_user, token_for):
    asker = create_user(reputation=REP)
    helper = create_user(reputation=REP)
    staff = create_user(role="staff")
    return {"asker": asker, "helper": helper, "staff": staff, "asker_h": token_for(asker),
            "helper_h": token_for(helper), "staff_h": token_for(staff)}


# --- XSS through posts, edits, revisions, lists, search, notifications -------------------------

def _groups(vectors: list[str], limit: int) -> list[str]:
    """Vectors joined into as few texts of at most `limit` characters as fit (one post may carry
    several: the sanitizer and the templates treat each text as a whole)."""
    groups, current = [], ""
    for vector in vectors:
        piece = vector[:limit - len(PAD) - 4]
        if current and len(current) + len(piece) + 4 > limit - len(PAD):
            groups.append(current + PAD)
            current = ""
        current = f"{current}\n\n{piece}" if current else piece
    return groups + [current + PAD]


def _page_text(response) -> str:
    root = html5lib.parse(response.get_data(as_text=True), treebuilder="etree", namespaceHTMLElements=False)
    return " ".join(" ".join(root.itertext()).split())


@pytest.mark.search_index
@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
def test_vectors_in_posts_are_inert(client, people, login, chunk):
    """Each vector is a question's title and body (its own Markdown document) and a comment; edits
    (and so revision diffs), answers, their comments and verification notes carry several."""
    from forum.verification import services as verification

    asker, helper = people["asker"], people["helper"]
    question_ids = []
    for n, vector in enumerate(CHUNKS[chunk]):
        where = f"vector {chunk * CHUNK + n} {vector!r}"
        created = client.post("/api/v1/questions", headers=people["asker_h"], json={
            "title": _title(vector), "body": _body(vector), "tags": ["xss"], "category": "other"})
        q = check_json(created, f"{where}: question", statuses=(201,))
        question_ids.append(q["id"])
        check_json(client.post(f"/api/v1/questions/{q['id']}/comments", headers=people["asker_h"],
                               json={"body": (vector + PAD)[:600]}), f"{where}: comment", statuses=(201,))
    for n, text in enumerate(_groups(CHUNKS[chunk], 3_000)):
        # An edit makes a revision, and the revisions page shows an HTML diff built by the forum.
        check_json(client.patch(f"/api/v1/questions/{question_ids[n]}", headers=people["asker_h"], json={
            "title": _title("edited " + CHUNKS[chunk][n]), "body": "edited\n\n" + text, "summary": text[:300]}),
            f"chunk {chunk}: edit {n}")
        check_page(client.get(f"/questions/{question_ids[n]}/revisions"), f"chunk {chunk}: revisions {n}")
        answer = check_json(client.post(f"/api/v1/questions/{question_ids[n]}/answers", headers=people["helper_h"],
                                        json={"body": text}), f"chunk {chunk}: answer {n}", statuses=(201,))
        verification.verify_answer(people["staff"], answer["id"], text[:500])
        check_json(client.patch(f"/api/v1/answers/{answer['id']}", headers=people["helper_h"],
                                json={"body": text + " edited", "summary": text[:300]}), f"chunk {chunk}: answer edit")
        check_page(client.get(f"/answers/{answer['id']}/revisions"), f"chunk {chunk}: answer revisions {n}")
        for comment in _groups(CHUNKS[chunk], 600):
            check_json(client.post(f"/api/v1/answers/{answer['id']}/comments", headers=people["helper_h"],
                                   json={"body": comment}), f"chunk {chunk}: answer comment", statuses=(201,))

    login(asker)  # the signed-in asker sees the forms, the bell and their notifications
    for qid, vector in zip(question_ids, CHUNKS[chunk]):
        page = client.get(f"/questions/{qid}")
        check_page(page, f"chunk {chunk}: thread {qid}")
        # The vector did reach the page, as text.
        assert " ".join(_title(vector).split()) in _page_text(page) or qid in question_ids[:4]
        check_json(client.get(f"/api/v1/questions/{qid}"), f"chunk {chunk}: API question {qid}")
    check_page(client.get(f"/questions/{question_ids[0]}/edit"), f"chunk {chunk}: edit form")
    # Search snippets quote the stored text around the matching words.
    for url in ("/", "/?tab=unanswered", "/tags/xss", f"/users/{asker.username}",
                f"/users/{helper.username}?tab=answers", "/notifications", "/kb", "/kb?category=other",
                "/search?q=alert", "/search?q=javascript&sort=newest", "/leaderboard?tag=xss"):
        check_page(client.get(url), f"chunk {chunk}: {url}")
    for url in ("/api/v1/questions", "/api/v1/questions?sort=active", "/api/v1/search?q=alert",
                "/api/v1/search?q=script", "/api/v1/search?q=onerror&per_page=50", "/api/v1/notifications"):
        check_json(client.get(url, headers=people["asker_h"]), f"chunk {chunk}: {url}")
    login(people["staff"])
    for url in ("/staff/verifications", "/staff/verifications/log"):
        check_page(client.get(url), f"chunk {chunk}: {url}")


@pytest.mark.search_index
@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
def test_vectors_in_forms_and_arguments_are_inert(client, people, login, chunk):
    """A refused form comes back with what was typed in it (inside value="" and <textarea>), and
    query arguments are echoed into links and the search box. Escaped text is escaped text, so one
    form may carry the whole chunk; the preview (Markdown) and the search parser take one at a time."""
    from forum.questions import services as questions

    q = questions.ask_question(people["asker"], title="Hostile forms test question", body=_body("forms"),
                               tags=["xss"], category="other")
    login(people["asker"])
    for n, vector in enumerate(CHUNKS[chunk]):
        where = f"vector {chunk * CHUNK + n} {vector!r}"
        check_json(client.post("/preview", data={"body": vector}), f"{where}: preview")
        arg = quote(vector)
        check_page(client.get(f"/?tab={arg}&verified={arg}&page={arg}&per_page={arg}"), f"{where}: list arguments")
        check_page(client.get(f"/search?q={arg}&tag={arg}&category={arg}&is={arg}&sort={arg}&page={arg}"),
                   f"{where}: search page")
        check_json(client.get(f"/api/v1/search?q={arg}&sort={arg}"), f"{where}: API search")
        check_json(client.get(f"/api/v1/search/similar?title={arg}"), f"{where}: API similar")
        check_json(client.get(f"/users/complete?q={arg}"), f"{where}: username completion")
        check_page(client.get(f"/tags/{quote(vector, safe='')}"), f"{where}: tag page", statuses=(200, 404))

    joined = "\n".join(CHUNKS[chunk])
    # Tags with these characters are refused: the whole form comes back, 422.
    response = client.post("/ask", data={"title": joined, "body": joined, "tags": joined, "category": joined})
    check_page(response, f"chunk {chunk}: /ask", statuses=(422,))
    response = client.post(f"/questions/{q.id}/answers", data={"body": joined + "x" * 30_001})
    check_page(response, f"chunk {chunk}: long answer", statuses=(422,))
    response = client.post(f"/questions/{q.id}/comments", data={"body": joined + "x" * 600})
    check_page(response, f"chunk {chunk}: long comment", statuses=(422,))
    response = client.post(f"/questions/{q.id}/escalate", data={
        "category": joined, "description": joined, "order_number": joined, "contact_channel": joined,
        "contact": joined})
    check_page(response, f"chunk {chunk}: escalation form", statuses=(422,))
    response = client.post("/settings", data={"about": joined[:1000], "locale": ""})
    assert response.status_code in (200, 302, 422)
    check_page(client.get(f"/users/{people['asker'].username}"), f"chunk {chunk}: profile with about")
    check_page(client.get("/settings"), f"chunk {chunk}: settings")
    client.post("/logout")
    check_page(client.post("/login", data={"login": joined, "password": "wrong-password"}),
               f"chunk {chunk}: login form", statuses=(400, 401))
    check_page(client.post("/register", data={"username": joined, "email": joined, "password": "long-password"}),
               f"chunk {chunk}: register form", statuses=(422,))


@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
def test_vectors_as_tags_and_usernames_are_refused_cleanly_or_inert(client, people, chunk):
    """Tags and usernames allow few characters: refusing a vector (422, API error format) is safe;
    anything accepted must come out inert."""
    accepted_tags, accepted_users = [], []
    for n, vector in enumerate(CHUNKS[chunk]):
        where = f"vector {chunk * CHUNK + n} {vector!r}"
        response = client.post("/api/v1/questions", headers=people["asker_h"], json={
            "title": f"Tag test question number {n}", "body": _body("tag"), "tags": [vector], "category": "other"})
        if response.status_code == 201:
            data = check_json(response, where, statuses=(201,))
            accepted_tags += data["tags"]
        else:
            assert "tags" in assert_api_error(response, f"{where}: tag", statuses=(422,))["fields"]
        response = client.post("/api/v1/users", json={"username": vector, "email": f"x{chunk}-{n}@example.com",
                                                      "password": "long-password"})
        if response.status_code == 201:
            accepted_users.append(check_json(response, where, statuses=(201,))["username"])
        else:
            assert "username" in assert_api_error(response, f"{where}: username", statuses=(422,))["fields"]
        response = client.get(f"/api/v1/users/{quote(vector, safe='')}")
        assert response.status_code in (404, 405) or check_json(response, where)
    for tag in accepted_tags:
        check_page(client.get(f"/tags/{quote(tag, safe='')}"), f"tag page {tag!r}")
    for name in accepted_users:
        check_page(client.get(f"/users/{quote(name, safe='')}"), f"profile {name!r}")
        check_json(client.get(f"/api/v1/users/{quote(name, safe='')}"), f"API profile {name!r}")


@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
def test_vectors_in_tickets_are_inert(client, people, login, chunk):
    """Each vector is an escalation's description, order number and contact, a message, an
    internal note and a tier-change reason, seen by the requester and by staff."""
    from forum.questions import services as questions

    asker, staff = people["asker"], people["staff"]
    q = questions.ask_question(asker, title=_title(CHUNKS[chunk][0]), body=_body(CHUNKS[chunk][-1]), tags=["xss"],
                               category="payments")
    ticket_ids = []
    for n, vector in enumerate(CHUNKS[chunk]):
        where = f"vector {chunk * CHUNK + n} {vector!r}"
        if ticket_ids:  # one open ticket per question and member: close the last one first
            check_json(client.post(f"/api/v1/tickets/{ticket_ids[-1]}/close", headers=people["asker_h"]), where)
        ticket = check_json(client.post(f"/api/v1/questions/{q.id}/escalations", headers=people["asker_h"], json={
            "category": "payments", "description": vector + PAD, "order_number": vector[:64],
            "contact_channel": "email", "contact": vector[:200]}), f"{where}: escalation", statuses=(201,))
        ticket_ids.append(ticket["id"])
        check_json(client.post(f"/api/v1/tickets/{ticket['id']}/messages", headers=people["asker_h"],
                               json={"body": vector}), f"{where}: message", statuses=(201,))
        check_json(client.post(f"/api/v1/tickets/{ticket['id']}/messages", headers=people["staff_h"],
                               json={"body": vector, "internal": True}), f"{where}: note", statuses=(201,))
        check_json(client.patch(f"/api/v1/tickets/{ticket['id']}", headers=people["staff_h"],
                                json={"tier": 2, "reason": vector}), f"{where}: tier reason")
        response = client.patch(f"/api/v1/tickets/{ticket['id']}", headers=people["staff_h"], json={"assignee": vector})
        assert_api_error(response, f"{where}: assignee", statuses=(422,))
        check_json(client.get(f"/api/v1/tickets/{ticket['id']}", headers=people["staff_h"]), f"{where}: staff API")

    login(asker)
    check_page(client.get("/tickets"), f"chunk {chunk}: my tickets")
    check_json(client.get("/api/v1/tickets", headers=people["asker_h"]), f"chunk {chunk}: my tickets API")
    for tid in ticket_ids:
        check_page(client.get(f"/tickets/{tid}"), f"chunk {chunk}: ticket {tid} (requester)")
    login(staff)
    for text in _groups(CHUNKS[chunk], 5_000):  # the staff member's own notes through the form
        assert client.post(f"/tickets/{ticket_ids[-1]}/messages", data={"body": text, "internal": "1"}).status_code == 302
    for tid in ticket_ids:
        check_page(client.get(f"/tickets/{tid}"), f"chunk {chunk}: ticket {tid} (staff)")
    for url in ("/staff/tickets", f"/staff/tickets?assignee={quote(CHUNKS[chunk][0])}", "/staff/dashboard"):
        check_page(client.get(url), f"chunk {chunk}: {url}")
    check_json(client.get("/api/v1/tickets", headers=people["staff_h"]), f"chunk {chunk}: staff queue")


@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
def test_vectors_in_moderation_are_inert(client, people, login, create_user, token_for, chunk):
    """Each vector is a flag's note, a held (scam) answer, a close and a lock note, a review
    decision's reason, a suspension reason and a watched word; then every moderation page and
    API list that shows them, and the thread as the moderator and as the suspended member see it."""
    from forum.questions import services as questions

    asker, staff = people["asker"], people["staff"]
    flagger = create_user(reputation=REP)
    flagger_h = token_for(flagger)
    suspect = create_user(reputation=REP)
    suspect_h = token_for(suspect)
    q = questions.ask_question(asker, title=_title(CHUNKS[chunk][0]), body=_body(CHUNKS[chunk][-1]), tags=["xss"],
                               category="payments")
    for n, vector in enumerate(CHUNKS[chunk]):
        where = f"vector {chunk * CHUNK + n} {vector!r}"
        answer = check_json(client.post(f"/api/v1/questions/{q.id}/answers", headers=people["helper_h"],
                                        json={"body": _body(vector)}), f"{where}: answer", statuses=(201,))
        check_json(client.post(f"/api/v1/answers/{answer['id']}/flags", headers=flagger_h,
                               json={"kind": "needs_moderator", "note": (vector + PAD)[:500]}),
                   f"{where}: flag note", statuses=(201,))
        held = check_json(client.post(f"/api/v1/questions/{q.id}/answers", headers=suspect_h,
                                      json={"body": "加我微信 kefu2026，我帮你退款。" + _body(vector)}),
                          f"{where}: held answer", statuses=(201,))
        assert held["held"] is True, where
        response = client.post("/api/v1/watched-words", headers=people["staff_h"],
                               json={"pattern": vector[:200], "action": "censor"})
        if response.status_code != 201:
            assert_api_error(response, f"{where}: watched word", statuses=(409, 422))
    check_json(client.post(f"/api/v1/questions/{q.id}/close", headers=people["staff_h"],
                           json={"reason": "needs_details", "note": CHUNKS[chunk][0][:500]}), f"chunk {chunk}: close")
    check_json(client.put(f"/api/v1/questions/{q.id}/lock", headers=people["staff_h"],
                          json={"note": CHUNKS[chunk][-1][:500]}), f"chunk {chunk}: lock")
    queue = check_json(client.get("/api/v1/review?per_page=100", headers=people["staff_h"]), f"chunk {chunk}: queue")
    first = queue["items"][0]
    check_json(client.post(f"/api/v1/review/{first['id']}", headers=people["staff_h"],
                           json={"action": "approve", "reason": CHUNKS[chunk][1][:500]}), f"chunk {chunk}: decide")
    check_json(client.put(f"/api/v1/users/{suspect.username}/suspension", headers=people["staff_h"],
                          json={"reason": (CHUNKS[chunk][2] + PAD)[:500], "until": "2030-01-01"}),
               f"chunk {chunk}: suspend")
    # A redaction's reason is public, on the history page and in the API.
    questions.edit_question(staff, q.id, body=_body("edited"))
    response = client.post(f"/api/v1/questions/{q.id}/revisions/1/redact", headers=people["staff_h"],
                           json={"reason": CHUNKS[chunk][3][:300]})
    if response.status_code != 200:
        assert_api_error(response, f"chunk {chunk}: redact", statuses=(422,))
    check_json(client.get(f"/api/v1/questions/{q.id}/revisions"), f"chunk {chunk}: revisions")

    for url in ("/api/v1/review?per_page=100", "/api/v1/moderation/log?per_page=100", "/api/v1/watched-words",
                f"/api/v1/questions/{q.id}"):
        check_json(client.get(url, headers=people["staff_h"]), f"chunk {chunk}: {url}")
    login(staff)
    for url in ("/review", "/review?reason=held", "/review/log", "/review/watched-words", f"/questions/{q.id}",
                f"/users/{suspect.username}", f"/review/log?user={quote(suspect.username)}",
                f"/questions/{q.id}/revisions"):
        check_page(client.get(url), f"chunk {chunk}: {url} (moderator)")
    login(suspect)
    for url in ("/", f"/questions/{q.id}"):
        check_page(client.get(url), f"chunk {chunk}: {url} (suspended)")


@pytest.mark.parametrize("vector", REFUSED)
def test_vectors_with_control_characters_are_refused(client, people, login, vector):
    response = client.post("/api/v1/questions", headers=people["asker_h"], json={
        "title": _title(vector), "body": _body(vector), "tags": ["xss"], "category": "other"})
    assert_api_error(response, repr(vector), statuses=(400, 422))
    login(people["asker"])
    response = client.post("/ask", data={"title": _title(vector), "body": _body(vector), "tags": "xss",
                                         "category": "other"})
    assert response.status_code in (400, 422)
    assert_inert(response.get_data(as_text=True), repr(vector))
    check_page(client.get(f"/search?q={quote(vector)}"), repr(vector), statuses=(200, 400))
    assert db.session.execute(db.text("SELECT count(*) FROM questions")).scalar() == 0


# --- SQL-looking input in every filter and query argument ---------------------------------------

SQL = ["' OR 1=1 --", "\"; DROP TABLE users; --", "%' UNION SELECT id, email, password_hash FROM users --",
       "1; SELECT pg_sleep(5)", "1 AND 1=(SELECT COUNT(*) FROM tickets)", "') OR ('a'='a", "\\' OR 1=1#"]

PUBLIC_URLS = [
    "/api/v1/questions?sort={p}", "/api/v1/questions?tag={p}", "/api/v1/questions?category={p}",
    "/api/v1/questions?page={p}&per_page={p}", "/api/v1/questions?has_verified_answer={p}",
    "/?tab={p}&page={p}&per_page={p}&verified={p}", "/?category={p}", "/tags/{p}",
    "/search?q={p}", "/search?q=x&tag={p}&category={p}&is={p}&sort={p}&page={p}",
    "/api/v1/search?q={p}", "/api/v1/search?q=x&sort={p}&page={p}&per_page={p}",
    "/api/v1/search?q=tag:{p}", "/api/v1/search?q=user:{p}", "/api/v1/search?q=category:{p}",
    "/api/v1/search/similar?title={p}&exclude={p}", "/users/{p}", "/api/v1/users/{p}",
    "/kb?q={p}&category={p}&page={p}", "/leaderboard?period={p}&tag={p}",
    "/questions/1/revisions?page={p}", "/api/v1/questions/1/revisions?page={p}&per_page={p}",
]
MEMBER_URLS = [
    "/api/v1/tickets?status={p}&tier={p}&assignee={p}&category={p}&page={p}&per_page={p}",
    "/api/v1/notifications?unread={p}&page={p}&per_page={p}", "/notifications?unread={p}&page={p}",
    "/tickets?page={p}", "/users/complete?q={p}",
]
STAFF_URLS = [
    "/api/v1/tickets?status={p}", "/api/v1/tickets?tier={p}", "/api/v1/tickets?assignee={p}",
    "/api/v1/tickets?category={p}", "/api/v1/tickets?page={p}&per_page={p}",
    "/staff/tickets?status={p}&tier={p}&category={p}&priority={p}&assignee={p}&due={p}&page={p}",
    "/staff/verifications?page={p}", "/staff/verifications/log?page={p}",
]


@pytest.fixture
def world(create_user, create_question, create_answer, token_for):
    """Two members with private things (tickets, notifications, e-mail), a deleted question, staff."""
    from forum.questions import services as questions
    from forum.tickets import services as tickets

    alice, bob, staff = create_user(reputation=REP), create_user(reputation=REP), create_user(role="staff")
    qa = create_question(alice, title="Alice cannot change her delivery address", category="orders")
    qb = create_question(bob, title="Bob was charged twice for one order", category="payments")
    create_answer(qa, bob)
    create_answer(qb, alice)
    gone = create_question(alice, title="Alice deleted this question right away", body="正文 " + "SECRETDELETED " * 3)
    questions.delete_question(alice, gone.id)
    ta = tickets.escalate_question(alice, qa.id, category="orders", description="Alice's private ticket text",
                                   order_number="TP-ALICE-0001")
    tb = tickets.escalate_question(bob, qb.id, category="payments", description="Bob's private ticket text QUOKKADESC",
                                   order_number="TP-BOB-0002")
    tickets.add_message(staff, tb.id, "Staff reply to Bob only QUOKKAREPLY")
    tickets.add_message(staff, tb.id, "Internal note about Bob QUOKKANOTE", internal=True)
    return {"alice": alice, "bob": bob, "staff": staff, "qa": qa, "qb": qb, "gone": gone, "ta": ta, "tb": tb,
            "alice_h": token_for(alice), "bob_h": token_for(bob), "staff_h": token_for(staff)}


BOB_SECRETS = ("TP-BOB-0002", "QUOKKADESC", "QUOKKAREPLY", "QUOKKANOTE")


def _clean(response, where: str, *, secrets=()) -> None:
    """Not a 500; an API refusal is in the error format; nothing private to Bob or deleted leaks."""
    assert response.status_code < 500, (where, response.status_code)
    text = response.get_data(as_text=True)
    for secret in (*BOB_SECRETS, *secrets, "SECRETDELETED", "$argon2"):
        assert secret not in text, (where, secret)
    if response.status_code >= 400 and response.mimetype == "application/json":
        assert_api_error(response, where, statuses=(400, 401, 403, 404, 405, 413, 415, 422))
    if response.mimetype == "application/json" and response.status_code == 200:
        assert_inert_json(response.get_json(), where)


def test_sql_looking_input_in_filters(client, world, login, token_for):
    for payload in SQL:
        _sql_in_filters(client, world, login, token_for, payload)


def _sql_in_filters(client, world, login, token_for, payload):
    p = quote(payload, safe="")
    for url in PUBLIC_URLS:
        _clean(client.get(url.format(p=p)), f"{url} {payload}")
    login(world["alice"])  # (signing out of the previous session ends that member's tokens too)
    alice_h = token_for(world["alice"])
    for url in MEMBER_URLS + STAFF_URLS:
        _clean(client.get(url.format(p=p), headers=alice_h), f"{url} {payload}")
    # A member's lists stay their own, whatever the filters say.
    mine = client.get(f"/api/v1/tickets?status={p}&assignee={p}&category={p}", headers=alice_h).get_json()
    assert [t["id"] for t in mine["items"]] == [world["ta"].id]
    notes = client.get(f"/api/v1/notifications?unread={p}&page={p}", headers=alice_h).get_json()["items"]
    all_hers = client.get("/api/v1/notifications?per_page=100", headers=alice_h).get_json()["items"]
    assert {n["id"] for n in notes} <= {n["id"] for n in all_hers}
    login(world["staff"])
    staff_h = token_for(world["staff"])
    for url in STAFF_URLS:
        response = client.get(url.format(p=p), headers=staff_h)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code >= 400:
            assert_api_error(response, url, statuses=(422,))
    # Still there: nothing was dropped or rewritten.
    assert db.session.execute(db.text("SELECT count(*) FROM users")).scalar() == 3
    assert client.get(f"/api/v1/questions?tag={p}").get_json()["total"] == 0


def test_sql_looking_input_in_posts_is_stored_as_text(client, world):
    title = "' OR 1=1 -- \"; DROP TABLE users; --"
    response = client.post("/api/v1/questions", headers=world["alice_h"], json={
        "title": title, "body": "%' UNION SELECT id, email FROM users -- " * 2, "tags": ["sql"], "category": "other"})
    assert response.status_code == 201 and response.get_json()["title"] == title
    assert client.get("/api/v1/questions?tag=sql").get_json()["items"][0]["title"] == title
    assert db.session.execute(db.text("SELECT count(*) FROM users")).scalar() == 3


# --- invalid UTF-8 --------------------------------------------------------------------------------

BAD_BYTES = [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80"]


def test_invalid_utf8_in_query_strings_and_paths(client, world, login):
    login(world["alice"])
    for raw in BAD_BYTES:
        pct = "".join(f"%{b:02X}" for b in raw)
        for url in PUBLIC_URLS + MEMBER_URLS:
            _clean(client.get(url.format(p=pct), headers=world["alice_h"]), f"{url} {raw!r}")
        _clean(client.get(f"/questions/{world['qa'].id}/{pct}"), "slug")
        _clean(client.get(f"/unsubscribe/{pct}"), "unsubscribe")
        _clean(client.get(f"/reset-password/{pct}"), "reset link")


def test_invalid_utf8_in_form_bodies(client, world, login):
    login(world["alice"])
    for raw in BAD_BYTES:
        _bad_bytes_in_forms(client, world, login, raw)


def _bad_bytes_in_forms(client, world, login, raw):
    qa, ta = world["qa"], world["ta"]
    forms = {
        "/ask": {"title": "Title with bad bytes " + "X", "body": "Body with bad bytes " * 2, "tags": "t", "category": "other"},
        f"/questions/{qa.id}/answers": {"body": "An answer with bad bytes in it " + "X"},
        f"/questions/{qa.id}/comments": {"body": "A comment X"},
        f"/questions/{qa.id}/edit": {"title": "Alice cannot change her address X", "body": "x" * 30, "tags": "t",
                                     "category": "orders"},
        f"/questions/{world['qb'].id}/escalate": {"category": "orders", "description": "Description X"},
        f"/tickets/{ta.id}/messages": {"body": "Message X"},
        "/settings": {"about": "About X", "locale": ""},
        "/preview": {"body": "Preview X"},
        "/notifications/read": {"id": "X"},
        "/follow": {"tag": "X"},
        "/login": {"login": "X", "password": "X"},
        "/register": {"username": "X", "email": "X", "password": "long-password-X"},
        "/reset-password": {"email": "X"},
    }
    for url, fields in forms.items():
        body = "&".join(f"{k}={quote(v).replace('X', '@@')}" for k, v in fields.items()).encode()
        for encoded in (body.replace(b"@@", "".join(f"%{b:02X}" for b in raw).encode()), body.replace(b"@@", raw)):
            response = client.post(url, data=encoded, content_type="application/x-www-form-urlencoded")
            _clean(response, url)
        if url == "/login":
            login(world["alice"])


# --- API bodies: wrong JSON types, malformed JSON, wrong content types, bad bytes, 2 MB -----------

STRING, TEXTS, INT, BOOL, IDS = "string", "list of strings", "integer", "boolean", "list of ids"
WRONG = {
    STRING: [123, 1.5, True, ["a"], {"a": "b"}],
    TEXTS: ["refund", 7, {"a": "b"}, [1, 2], [None], [["nested"]], True],
    INT: ["1", 1.5, True, None, [1], {"v": 1}],
    BOOL: ["true", 1, 0, [True], {"b": True}],
    IDS: ["1", 1, [1.5], ["1"], [True], [None], {"id": 1}, [[1]]],
}


def _endpoints(w):
    """Every API call with a JSON body (API.md): who makes it, a valid body, and each field's type
    (a trailing ? marks an optional field, for which null is allowed)."""
    q, a, ta = w["qa"].id, w["answer_id"], w["ta"].id
    return {
        "register": ("POST", "/api/v1/users", None, {"username": "newcomer", "email": "new@example.com",
                                                       "password": "long-password"},
                     {"username": STRING, "email": STRING, "password": STRING}),
        "token": ("POST", "/api/v1/tokens", None, {"username": w["alice"].username, "password": "wrong-one"},
                  {"username": STRING, "password": STRING, "otp?": STRING}),
        "ask": ("POST", "/api/v1/questions", "alice_h", {"title": "A valid question title", "body": "x" * 30,
                                                          "tags": ["t"], "category": "other"},
                {"title": STRING, "body": STRING, "tags": TEXTS, "category": STRING, "private_data?": STRING}),
        "edit question": ("PATCH", f"/api/v1/questions/{q}", "alice_h", {"title": "A valid question title"},
                          {"title?": STRING, "body?": STRING, "tags?": TEXTS, "category?": STRING,
                           "summary?": STRING, "private_data?": STRING}),
        "answer": ("POST", f"/api/v1/questions/{q}/answers", "staff_h", {"body": "y" * 30},
                   {"body": STRING, "private_data?": STRING}),
        "edit answer": ("PATCH", f"/api/v1/answers/{a}", "bob_h", {"body": "z" * 30},
                        {"body": STRING, "summary?": STRING}),
        "comment question": ("POST", f"/api/v1/questions/{q}/comments", "alice_h", {"body": "a comment"},
                             {"body": STRING}),
        "comment answer": ("POST", f"/api/v1/answers/{a}/comments", "bob_h", {"body": "a comment"},
                           {"body": STRING}),
        "vote question": ("PUT", f"/api/v1/questions/{q}/vote", "bob_h", {"value": 1}, {"value": INT}),
        "vote answer": ("PUT", f"/api/v1/answers/{a}/vote", "alice_h", {"value": 1}, {"value": INT}),
        "verify": ("POST", f"/api/v1/answers/{a}/verification", "staff_h", {"note": "checked"}, {"note?": STRING}),
        "unverify": ("DELETE", f"/api/v1/answers/{a}/verification", "staff_h", {"reason": "wrong"},
                     {"reason?": STRING}),
        "read notifications": ("POST", "/api/v1/notifications/read", "alice_h", {"ids": [1]},
                               {"ids?": IDS, "all?": BOOL}),
        "escalate": ("POST", f"/api/v1/questions/{w['qa2'].id}/escalations", "alice_h",
                     {"category": "orders", "description": "Need help with this"},
                     {"category": STRING, "description": STRING, "order_number?": STRING,
                      "contact_channel?": STRING, "contact?": STRING}),
        "ticket message": ("POST", f"/api/v1/tickets/{ta}/messages", "alice_h", {"body": "hello"},
                           {"body": STRING, "internal?": BOOL}),
        "ticket update": ("PATCH", f"/api/v1/tickets/{ta}", "staff_h", {"priority": "high"},
                          {"status?": STRING, "priority?": STRING, "tier?": INT, "assignee?": STRING,
                           "reason?": STRING}),
        "publish": ("POST", f"/api/v1/tickets/{ta}/publish", "staff_h", {"body": "The resolution, in full."},
                    {"body": STRING}),
        "rate": ("POST", f"/api/v1/tickets/{ta}/rating", "alice_h", {"rating": 5}, {"rating": INT, "comment?": STRING}),
        "flag": ("POST", f"/api/v1/answers/{a}/flags", "alice_h", {"kind": "rude"}, {"kind": STRING, "note?": STRING}),
        "review": ("POST", f"/api/v1/review/{w['review_id']}", "staff_h", {"action": "approve"},
                   {"action": STRING, "reason?": STRING}),
        "close": ("POST", f"/api/v1/questions/{q}/close", "staff_h", {"reason": "off_topic"},
                  {"reason": STRING, "note?": STRING}),
        "reopen": ("POST", f"/api/v1/questions/{q}/reopen", "staff_h", {"note": "reopened"}, {"note?": STRING}),
        "lock": ("PUT", f"/api/v1/questions/{q}/lock", "staff_h", {"note": "locked"}, {"note?": STRING}),
        "undelete": ("POST", f"/api/v1/questions/{w['gone'].id}/undelete", "staff_h", {"note": "back"},
                     {"note?": STRING}),
        "suspend": ("PUT", f"/api/v1/users/{w['bob'].username}/suspension", "staff_h",
                    {"reason": "spam links again", "until": "2030-01-01"}, {"reason": STRING, "until": STRING}),
        "watch word": ("POST", "/api/v1/watched-words", "staff_h", {"pattern": "刷单", "action": "block"},
                       {"pattern": STRING, "action": STRING, "is_regex?": BOOL}),
        "redact question revision": ("POST", f"/api/v1/questions/{q}/revisions/1/redact", "staff_h",
                                     {"reason": "showed an address"}, {"reason": STRING}),
        "redact answer revision": ("POST", f"/api/v1/answers/{a}/revisions/1/redact", "staff_h",
                                   {"reason": "showed an address"}, {"reason": STRING}),
    }


ENDPOINT_NAMES = ["register", "token", "ask", "edit question", "answer", "edit answer", "comment question",
                  "comment answer", "vote question", "vote answer", "verify", "unverify", "read notifications",
                  "escalate", "ticket message", "ticket update", "publish", "rate", "flag", "review", "close",
                  "reopen", "lock", "undelete", "suspend", "watch word", "redact question revision",
                  "redact answer revision"]


@pytest.fixture
def api_world(world, create_answer, create_question):
    from forum.moderation.models import ReviewItem
    from forum.questions import services as questions
    from forum.tickets import services as tickets

    world["answer_id"] = create_answer(world["qa"], world["bob"]).id
    held = questions.post_answer(world["bob"], world["qa"].id, body="我是官方客服，加我微信 kefu2026 帮你处理。")
    world["review_id"] = db.session.scalar(sa.select(ReviewItem.id).where(ReviewItem.answer_id == held.id))
    world["qa2"] = create_question(world["alice"], title="Alice's second question, not escalated yet")
    tickets.update_ticket(world["staff"], world["ta"].id, status="solved")
    return world


def _send(client, w, method, url, actor, **kwargs):
    headers = {**(w[actor] if actor else {}), **kwargs.pop("headers", {})}
    return client.open(url, method=method, headers=headers, **kwargs)


@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_api_bodies_wrong_types_malformed_and_oversized(client, api_world, name):
    _wrong_types(client, api_world, name)
    _malformed(client, api_world, name)


def _wrong_types(client, api_world, name):
    import json

    method, url, actor, valid, fields = _endpoints(api_world)[name]
    for field, kind in fields.items():
        optional = field.endswith("?")
        field = field.rstrip("?")
        values = list(WRONG[kind]) + ([] if optional else [None])
        for value in values:
            if value is None and optional:
                continue
            response = _send(client, api_world, method, url, actor, json={**valid, field: value})
            error = assert_api_error(response, f"{name} {field}={value!r}", statuses=(400, 422))
            assert response.status_code == 400 or field in error["fields"], (name, field, value, error)
        if not optional:
            missing = {k: v for k, v in valid.items() if k != field}
            assert_api_error(_send(client, api_world, method, url, actor, json=missing), f"{name} without {field}",
                             statuses=(422,))
    for body in ([], [valid], "text", 12, None, True):
        response = _send(client, api_world, method, url, actor, data=json.dumps(body),
                         headers={"Content-Type": "application/json"})
        assert assert_api_error(response, f"{name} body {body!r}", statuses=(400,))["code"] == "malformed_json"


def _malformed(client, api_world, name):
    import json

    method, url, actor, valid, _fields = _endpoints(api_world)[name]
    text = json.dumps(valid)
    optional_body = name in ("verify", "unverify")  # no body at all means no note
    for data in ("{not json", "" if not optional_body else "{", "null", text[:-1], text + "}", "{'single': 'quotes'}",
                 "NaN", "[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000, "\x00" + text):
        response = _send(client, api_world, method, url, actor, data=data.encode(),
                         headers={"Content-Type": "application/json"})
        assert_api_error(response, f"{name} {data[:30]!r}", statuses=(400, 422))
    for raw in BAD_BYTES:
        body = b'{"zz": "' + raw + b'", ' + text[1:].encode()
        response = _send(client, api_world, method, url, actor, data=body, headers={"Content-Type": "application/json"})
        # (UTF-8-encoded surrogates decode, then are refused as characters the databases cannot store.)
        assert assert_api_error(response, f"{name} bytes {raw!r}", statuses=(400,))["code"] in (
            "malformed_json", "bad_characters")
    # Not JSON at all, with the content types browsers and scripts send.
    for content_type, data in (("application/x-www-form-urlencoded", "body=hello&title=x"),
                               ("multipart/form-data; boundary=b",
                                "--b\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhello\r\n--b--\r\n"),
                               ("text/plain", "hello"), ("application/xml", "<body>hello</body>"),
                               ("application/json; charset=latin-1", "\xe9t\xe9")):
        response = _send(client, api_world, method, url, actor, data=data, headers={"Content-Type": content_type})
        assert_api_error(response, f"{name} {content_type}", statuses=(400, 415))
    # JSON sent under a content type that says it is something else.
    for content_type in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=b"):
        response = _send(client, api_world, method, url, actor, data=text, headers={"Content-Type": content_type})
        assert_api_error(response, f"{name} JSON as {content_type}", statuses=(400, 415))
    # 2 MB: refused before it is read, in the API's error format.
    big = json.dumps({**valid, **{k: "x" * 2_000_000 for k, v in valid.items() if isinstance(v, str)},
                      "padding": "x" * 2_000_000})
    response = _send(client, api_world, method, url, actor, data=big, headers={"Content-Type": "application/json"})
    assert assert_api_error(response, f"{name} 2 MB", statuses=(413,))["code"] == "too_large"


def test_2mb_form_bodies_are_413(client, create_user, login):
    login(create_user())
    for url in ("/ask", "/register", "/login", "/preview", "/settings", "/notifications/read"):
        response = client.post(url, data={"body": "x" * 2_000_000, "title": "x"})
        assert response.status_code == 413, url
        assert_inert(response.get_data(as_text=True), url)


def test_2mb_bodies_on_calls_that_take_none_are_413(client, api_world):
    for method, path in (("POST", "/api/v1/answers/{a}/accept"), ("DELETE", "/api/v1/answers/{a}/accept"),
                         ("POST", "/api/v1/tickets/{t}/close"), ("POST", "/api/v1/tickets/{t}/reopen"),
                         ("DELETE", "/api/v1/questions/{q}"), ("DELETE", "/api/v1/tokens/current"),
                         ("GET", "/api/v1/questions"), ("POST", "/logout"),
                         ("POST", "/api/v1/questions/{q}/private-details/remove"),
                         ("POST", "/api/v1/answers/{a}/private-details/remove")):
        url = path.format(a=api_world["answer_id"], t=api_world["ta"].id, q=api_world["qa2"].id)
        response = client.open(url, method=method, data="x" * 2_000_000, headers={
            **api_world["alice_h"], "Content-Type": "application/json"})
        if url.startswith("/api/"):
            assert assert_api_error(response, url, statuses=(413,))["code"] == "too_large"
        else:
            assert response.status_code == 413, url
    assert client.get(f"/api/v1/questions/{api_world['qa2'].id}").status_code == 200  # not deleted


def test_a_refused_body_is_read_to_its_end_before_the_413(client, api_world):
    # A server that closes a socket with unread bytes makes the kernel send a reset, which can beat
    # the 413 to the client; behind nginx that reset became a 502 (the fault test saw it).
    import io

    body = io.BytesIO(b'{"title": "' + b"x" * 1_500_000 + b'"}')
    size = len(body.getvalue())
    response = client.open("/api/v1/questions", method="POST", input_stream=body, content_length=size,
                           headers={**api_world["alice_h"], "Content-Type": "application/json"})
    assert assert_api_error(response, "1.5 MB", statuses=(413,))["code"] == "too_large"
    assert body.tell() == size
    page = io.BytesIO(b"body=" + b"x" * 1_500_000)
    response = client.open("/ask", method="POST", input_stream=page, content_length=len(page.getvalue()),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert page.tell() == len(page.getvalue())


# --- other members' private things ---------------------------------------------------------------

def test_another_members_ticket_is_404_everywhere(client, world, login):
    """Bob's ticket does not exist for Alice: pages, API and form posts all say 404, and nothing of it
    shows or changes."""
    from forum.tickets.models import TicketMessage

    tb, alice_h = world["tb"], world["alice_h"]
    status = tb.status
    before = db.session.execute(db.select(db.func.count()).select_from(TicketMessage)).scalar()
    api_calls = [("GET", f"/api/v1/tickets/{tb.id}", None), ("POST", f"/api/v1/tickets/{tb.id}/messages",
                                                             {"body": "let me in"}),
                 ("PATCH", f"/api/v1/tickets/{tb.id}", {"status": "closed"}),
                 ("POST", f"/api/v1/tickets/{tb.id}/close", None), ("POST", f"/api/v1/tickets/{tb.id}/reopen", None),
                 ("POST", f"/api/v1/tickets/{tb.id}/rating", {"rating": 1}),
                 ("POST", f"/api/v1/tickets/{tb.id}/publish", {"body": "A published resolution text"})]
    for method, url, body in api_calls:
        response = client.open(url, method=method, json=body, headers=alice_h)
        assert response.status_code in (404, 403), (method, url, response.status_code)
        if method in ("GET", "POST") and not url.endswith("publish"):
            assert response.status_code == 404, (method, url)
        _clean(response, url)
    listed = client.get("/api/v1/tickets?status=new", headers=alice_h).get_json()
    assert tb.id not in [t["id"] for t in listed["items"]]
    login(world["alice"])
    for url in (f"/tickets/{tb.id}",):
        response = client.get(url)
        assert response.status_code == 404
        _clean(response, url)
    for url, data in ((f"/tickets/{tb.id}/messages", {"body": "let me in"}), (f"/tickets/{tb.id}/close", {}),
                      (f"/tickets/{tb.id}/reopen", {}), (f"/tickets/{tb.id}/rate", {"rating": "1"}),
                      (f"/tickets/{tb.id}/update", {"status": "closed"}), (f"/tickets/{tb.id}/publish", {"body": "x" * 30}),
                      (f"/tickets/{tb.id}/merge", {"target": str(world["ta"].id)})):
        response = client.post(url, data=data)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
        _clean(response, url)
        if response.status_code == 302:
            _clean(client.get(response.headers["Location"]), url + " (followed)")
    _clean(client.get("/tickets"), "/tickets")
    assert db.session.execute(db.select(db.func.count()).select_from(TicketMessage)).scalar() == before
    db.session.refresh(world["tb"])
    assert world["tb"].status is status and world["tb"].rating is None


def test_another_members_notifications_stay_theirs(client, world, login):
    """Marking Bob's notifications read, by id, as Alice: 404 (as absent as a missing one), and
    nothing of Bob's changes or shows."""
    from forum.notifications import services as notifications

    bob_ids = [n["id"] for n in client.get("/api/v1/notifications", headers=world["bob_h"]).get_json()["items"]]
    assert bob_ids, "Bob has notifications"
    unread = notifications.unread_count(world["bob"])
    for body in ({"ids": bob_ids}, {"ids": bob_ids + [2**31, 2**63]}, {"ids": [-1, 0]}):
        response = client.post("/api/v1/notifications/read", json=body, headers=world["alice_h"])
        assert_api_error(response, str(body), statuses=(404, 422))
    mine = client.get("/api/v1/notifications", headers=world["alice_h"]).get_json()
    assert not set(bob_ids) & {n["id"] for n in mine["items"]}
    login(world["alice"])
    for n in bob_ids:
        assert client.post("/notifications/read", data={"id": str(n)}).status_code == 404
    _clean(client.get("/notifications"), "/notifications")
    assert notifications.unread_count(world["bob"]) == unread


@pytest.mark.search_index
def test_deleted_and_private_things_do_not_show(client, world, login):
    gone = world["gone"]
    for url in (f"/api/v1/questions/{gone.id}", f"/questions/{gone.id}", f"/api/v1/questions/{gone.id}/revisions",
                f"/questions/{gone.id}/revisions", f"/api/v1/users/{world['bob'].username}"):
        response = client.get(url, headers=world["alice_h"])
        _clean(response, url)
        assert response.status_code == (200 if "users" in url else 404), url
    # Search pages echo the query: what must not show is the hit. Each secret as a phrase, so that
    # no looser match on a word of it (TP-BOB-0002: "bob", in Bob's public title) counts.
    for q in ("SECRETDELETED", *BOB_SECRETS):
        q = f'"{q}"'
        assert client.get(f"/api/v1/search?q={quote(q)}").get_json()["total"] == 0, q
        page = client.get(f"/search?q={quote(q)}").get_data(as_text=True)
        assert gone.title not in page and "Bob was charged twice" not in page, q
    assert "email" not in client.get(f"/api/v1/users/{world['bob'].username}", headers=world["alice_h"]).get_json()
    login(world["alice"])
    _clean(client.get(f"/questions/{world['qb'].id}"), "Bob's thread")
    _clean(client.get(f"/users/{world['bob'].username}"), "Bob's profile")


# --- invisible characters and look-alike letters (issue 14, findings 3 and 4) -----------------------
#
# A reader does not see a zero-width joiner inside 客服, a word joiner inside a phone number, or a
# Cyrillic "ѕ" in "support": neither may the guards. Each class goes through the services, the API
# and the pages, and whatever the characters, a text is held or refused exactly as without them.

from forum.auth import services as accounts  # noqa: E402
from forum.auth.models import Role, User  # noqa: E402
from forum.core.errors import PrivateDataFound, ValidationFailed  # noqa: E402
from forum.notifications.models import Notification, OutgoingEmail  # noqa: E402
from forum.questions import services as posts  # noqa: E402
from forum.questions.models import Answer, Comment  # noqa: E402
from tests.unicode_data import INVISIBLE, SAMPLE, hex_id, sprinkle  # noqa: E402

SCAM_ANSWER = "这个问题我是官方客服可以处理，加我微信 kefu8888，把验证码发给我就能退款。"
SCAM_WORDS = ("客服", "微信", "验证码")
PHONE_BODY = "我的订单一直没有发货，请联系我，电话 138{c}1234{c}5678，谢谢大家帮忙看看。"
NEW_QUESTION = {"title": "订单一直显示处理中怎么办", "body": "下单以后一直显示处理中，已经三天了，请问怎么处理？",
                "tags": ["订单"], "category": "orders"}


def _invisible_free(value: str) -> bool:
    return not any(ord(ch) in set(INVISIBLE) for ch in value)


def _api_question(client, headers, **changes) -> dict:
    return check_json(client.post("/api/v1/questions", headers=headers, json={**NEW_QUESTION, **changes}),
                      "question", statuses=(201,))


class TestInvisibleCharacters:
    @pytest.mark.parametrize("code", SAMPLE, ids=hex_id)
    def test_a_scam_answer_is_held_through_the_api_and_the_page(self, client, people, login, code):
        hidden = sprinkle(SCAM_ANSWER, SCAM_WORDS, chr(code))
        q = _api_question(client, people["asker_h"])
        answer = check_json(client.post(f"/api/v1/questions/{q['id']}/answers", headers=people["helper_h"],
                                        json={"body": hidden}), "API answer", statuses=(201,))
        assert answer["held"] is True and answer["held_reason"] == "scam"
        assert _invisible_free(answer["body"])  # stored without them
        login(people["helper"])
        assert client.post(f"/questions/{q['id']}/answers", data={"body": hidden}).status_code == 302
        bodies = db.session.execute(sa.select(Answer.body, Answer.held_reason).where(Answer.question_id == q["id"])).all()
        assert len(bodies) == 2 and all(reason is not None and reason.value == "scam" for _, reason in bodies)
        assert all(_invisible_free(body) for body, _ in bodies)
        client.post("/logout")
        assert "kefu8888" not in client.get(f"/questions/{q['id']}").get_data(as_text=True)
        assert client.get(f"/api/v1/questions/{q['id']}").get_json()["answers"] == []

    @pytest.mark.parametrize("code", SAMPLE, ids=hex_id)
    def test_a_phone_number_is_refused_through_the_api_and_the_page(self, client, people, login, code):
        body = PHONE_BODY.format(c=chr(code))
        response = client.post("/api/v1/questions", headers=people["asker_h"], json={**NEW_QUESTION, "body": body})
        error = assert_api_error(response, "phone in a question", statuses=(422,))
        assert error["code"] == "private_data" and [f["masked"] for f in error["findings"]] == ["138****5678"]
        removed = _api_question(client, people["asker_h"], body=body, private_data="remove")
        assert "5678" not in removed["body"] and "138" not in removed["body"]
        login(people["asker"])
        page = client.post("/ask", data={**NEW_QUESTION, "tags": "订单", "body": body})
        assert page.status_code == 422 and "138****5678" in page.get_data(as_text=True)

    @pytest.mark.parametrize("code", SAMPLE, ids=hex_id)
    def test_titles_comments_summaries_and_tags_are_screened(self, client, people, login, code):
        ch = chr(code)
        titled = _api_question(client, people["asker_h"], title=sprinkle("我是官方客服，订单问题找我处理", ["客服"], ch))
        assert titled["held"] is True
        tagged = _api_question(client, people["asker_h"], tags=[sprinkle("加微信", ["微信"], ch)])
        assert tagged["held"] is True
        plain, other = _api_question(client, people["asker_h"]), _api_question(client, people["asker_h"])
        comment = check_json(client.post(f"/api/v1/questions/{plain['id']}/comments", headers=people["helper_h"],
                                         json={"body": sprinkle("有问题加我微信 kefu8888", ["微信"], ch)}),
                             "comment", statuses=(201,))
        assert comment["held"] is True
        edited = check_json(client.patch(f"/api/v1/questions/{plain['id']}", headers=people["asker_h"], json={
            "body": NEW_QUESTION["body"] + "（补充）", "summary": sprinkle("加我微信 kefu8888 细聊", ["微信"], ch)}),
            "edit with a summary")
        assert edited["held"] is True
        login(people["helper"])
        response = client.post(f"/questions/{other['id']}/comments",
                               data={"body": sprinkle("请把验证码发给我", ["验证码"], ch)})
        assert response.status_code == 302
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment).where(
            Comment.question_id == other["id"], Comment.held_at.is_not(None))) == 1

    @pytest.mark.parametrize("code", SAMPLE, ids=hex_id)
    def test_watched_words_are_matched_through_them(self, client, people, create_user, token_for, code):
        mod_h = token_for(create_user(role="moderator"))
        for pattern, action in (("刷单", "block"), ("代购", "hold"), ("笨蛋", "censor")):
            assert client.post("/api/v1/watched-words", headers=mod_h,
                               json={"pattern": pattern, "action": action}).status_code == 201
        ch = chr(code)
        q = _api_question(client, people["asker_h"])
        url = f"/api/v1/questions/{q['id']}/answers"
        blocked = client.post(url, headers=people["helper_h"], json={"body": f"想赚钱可以来刷{ch}单，每天结算，靠谱兼职。"})
        assert assert_api_error(blocked, "blocked word", statuses=(422,))["fields"]["body"]
        held = check_json(client.post(url, headers=people["helper_h"], json={"body": f"专业代{ch}购，价格便宜，欢迎咨询了解，当天发货。"}),
                          "held word", statuses=(201,))
        assert held["held"] is True and held["held_reason"] == "watched"
        censored = check_json(client.post(f"/api/v1/questions/{q['id']}/comments", headers=people["helper_h"],
                                          json={"body": f"你这个笨{ch}蛋，看清楚"}), "censored word", statuses=(201,))
        assert "笨" not in censored["body"] and "■" in censored["body"]

    def test_every_invisible_character_through_the_services(self, people):
        """All of them (~200): a scam answer is held and a phone number refused, as without them."""
        q = posts.ask_question(people["asker"], **{**NEW_QUESTION, "tags": ["订单"]})
        for code in INVISIBLE:
            ch = chr(code)
            answer = posts.post_answer(people["helper"], q.id, body=sprinkle(SCAM_ANSWER, SCAM_WORDS, ch))
            assert answer.is_held and _invisible_free(answer.body), hex_id(code)
            with pytest.raises(PrivateDataFound):
                posts.post_answer(people["helper"], q.id, body=PHONE_BODY.format(c=ch))

    def test_stored_text_has_none_but_emoji_keep_their_joiners(self, client, people):
        title = "订单\u200b一直\u2060显示\u00ad处理中\ufeff怎么办"
        body = "下单以后\u200d一直显示处理中，已经三天了 👩\u200d💻 ❤\ufe0f，请问\u202e怎么处理？"
        q = _api_question(client, people["asker_h"], title=title, body=body, tags=["订\u200d单", "物\u2060流"],
                          summary=None)
        assert q["title"] == "订单一直显示处理中怎么办"
        assert q["body"] == "下单以后一直显示处理中，已经三天了 👩\u200d💻 ❤\ufe0f，请问怎么处理？"
        assert sorted(q["tags"]) == sorted(["订单", "物流"])
        revisions = client.get(f"/api/v1/questions/{q['id']}/revisions").get_json()
        assert "\u200b" not in str(revisions) and "\u202e" not in str(revisions)
        # Invisible characters do not count: ten Hangul fillers are an empty title.
        response = client.post("/api/v1/questions", headers=people["asker_h"],
                               json={**NEW_QUESTION, "title": "\u3164" * 12})
        assert "title" in assert_api_error(response, "blank title", statuses=(422,))["fields"]

    def test_held_posts_never_notify_mentions(self, client, people, create_user):
        target = create_user("mention_target")
        q = _api_question(client, people["asker_h"])
        hidden = sprinkle(SCAM_ANSWER, SCAM_WORDS, "\u200d") + " @mention_target"
        held = check_json(client.post(f"/api/v1/questions/{q['id']}/answers", headers=people["helper_h"],
                                      json={"body": hidden}), "held mention", statuses=(201,))
        assert held["held"] is True
        comment = check_json(client.post(f"/api/v1/questions/{q['id']}/comments", headers=people["helper_h"],
                                         json={"body": "加我微\u2060信 kefu8888 @mention_target"}), "held comment",
                             statuses=(201,))
        assert comment["held"] is True
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == target.id)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingEmail).where(
            OutgoingEmail.user_id == target.id)) == 0
        check_json(client.post(f"/api/v1/questions/{q['id']}/answers", headers=people["helper_h"],
                               json={"body": "在订单详情页点“联系商家”就可以了，@mention_target 你看看。"}),
                   "plain mention", statuses=(201,))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == target.id)) == 1


# Names that pass for staff: a reserved word in look-alike letters, wide or mathematical forms,
# invisible characters, rn for m, 0 for o.
STAFF_SPOOFS = [
    ("ѕupport_lin", "Cyrillic dze"), ("suppоrt_lin", "Cyrillic o"), ("ѕtaff_wang", "Cyrillic dze"),
    ("suppοrt_li", "Greek omicron"), ("αdmin_li", "Greek alpha"), ("ѕупport", "Cyrillic"),
    ("ｓｕｐｐｏｒｔ_ｌｉｎ", "full-width"), ("𝐬𝐮𝐩𝐩𝐨𝐫𝐭_lin", "mathematical bold"), ("𝓈𝓉𝒶𝒻𝒻_wang", "mathematical script"),
    ("suppօrt_li", "Armenian oh"), ("ꮪupport_li", "Cherokee small du"), ("Ꮪtaff_li", "Cherokee du"),
    ("官\u200b方客服", "zero-width space"), ("客\u2060服小王", "word joiner"), ("ad\u00admin_li", "soft hyphen"),
    ("adrnin_li", "rn for m"), ("supp0rt_li", "zero for o"), ("ㅤ客服ㅤ", "Hangul filler"),
]
# Existing members "laowang" and "dasha", and names that would pass for them.
MEMBER_SPOOFS = ["Iaowang", "1aowang", "lao_wang", "LAO.WANG", "lao-wang", "lаowang", "laowаng", "𝐥𝐚𝐨𝐰𝐚𝐧𝐠",
                 "ｌａｏｗａｎｇ", "lao\u200dwang", "ԁаѕһа", "dαshα", "DASHA", "d.a.s.h.a"]
ALLOWED_NAMES = ["橘子君", "小明2026", "laowang2", "xiao_ming", "Иван", "Αλέξης", "山田たろう", "陈小红", "emma_w"]
SCAM_NAMES = ["加微信kefu8888", "13812345678", "138_1234_5678", "加我ｑｑ12345678"]


def _register_api(client, name: str, n: int):
    return client.post("/api/v1/users", json={"username": name, "email": f"spoof{n}@example.com",
                                              "password": "long-password-1"})


class TestLookalikeNames:
    @pytest.mark.parametrize("name, alphabet", STAFF_SPOOFS, ids=[a for _, a in STAFF_SPOOFS])
    def test_names_that_pass_for_staff_are_refused(self, client, ctx, name, alphabet):
        error = assert_api_error(_register_api(client, name, 1), name, statuses=(422,))
        assert "username" in error["fields"]
        page = client.post("/register", data={"username": name, "email": "spoof2@example.com",
                                              "password": "long-password-1"})
        assert page.status_code == 422
        with pytest.raises(ValidationFailed) as refused:
            accounts.register_user(name, "spoof3@example.com", "long-password-1")
        assert "username" in refused.value.fields
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0

    @pytest.mark.parametrize("name", MEMBER_SPOOFS)
    def test_names_that_pass_for_another_member_are_refused(self, client, create_user, name):
        create_user("laowang")
        create_user("dasha")
        error = assert_api_error(_register_api(client, name, 1), name, statuses=(422,))
        assert "username" in error["fields"]
        page = client.post("/register", data={"username": name, "email": "spoof2@example.com",
                                              "password": "long-password-1"})
        assert page.status_code == 422
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2

    @pytest.mark.parametrize("name", ALLOWED_NAMES)
    def test_names_in_one_alphabet_or_chinese_with_latin_are_welcome(self, client, create_user, name):
        create_user("laowang")
        created = check_json(_register_api(client, name, 1), name, statuses=(201,))
        assert created["username"] == name

    @pytest.mark.parametrize("name", SCAM_NAMES)
    def test_names_are_screened_like_posts(self, client, ctx, name):
        assert "username" in assert_api_error(_register_api(client, name, 1), name, statuses=(422,))["fields"]

    def test_watched_words_apply_to_names(self, client, create_user, token_for):
        mod_h = token_for(create_user(role="moderator"))
        assert client.post("/api/v1/watched-words", headers=mod_h,
                           json={"pattern": "刷单", "action": "block"}).status_code == 201
        for name in ("刷单王", "刷\u200b单王", "小刷单"):
            assert "username" in assert_api_error(_register_api(client, name, 1), name, statuses=(422,))["fields"]

    def test_a_new_name_may_not_look_like_an_existing_one(self, create_user):
        first = create_user("Xiao.Lin")
        assert first.username_skeleton == "xiaolin"
        with pytest.raises(ValidationFailed) as refused:
            accounts.register_user("xiao_1in", "x@example.com", "long-password-1")
        assert "Xiao.Lin" in str(refused.value.fields["username"])
        # Staff accounts (created by administrators) may carry official words, never a member's name.
        assert create_user("Support.Lin", role="staff").role.value == "staff"
        with pytest.raises(ValidationFailed):
            accounts.register_user("XiaoLin", "y@example.com", "long-password-1", role=Role.STAFF)


ABOUT_SCAM = "我是官方客服…加微信 kefu_8888，把验证码发给我"
ABOUT_VARIANTS = [
    ("plain", ABOUT_SCAM),
    ("zero-width joiner", sprinkle(ABOUT_SCAM, SCAM_WORDS, "\u200d")),
    ("word joiner", sprinkle(ABOUT_SCAM, SCAM_WORDS, "\u2060")),
    ("full-width", "我是官方客服…加ｗｘ ｋｅｆｕ＿８８８８，把验证码发给我"),
    ("Cyrillic", "I am official ѕupport, add me on wеchat kefu_8888"),
    ("phone", "有事打我电话 138 1234 5678"),
    ("phone with word joiners", "有事打我电话 138\u20601234\u20605678"),
]


class TestProfileText:
    @pytest.mark.parametrize("label, about", ABOUT_VARIANTS, ids=[label for label, _ in ABOUT_VARIANTS])
    def test_scam_and_private_data_never_reach_the_profile(self, client, people, login, label, about):
        member = people["helper"]
        with pytest.raises(ValidationFailed) as refused:
            accounts.update_settings(member, about=about)
        assert "about" in refused.value.fields
        login(member)
        response = client.post("/settings", data={"about": about, "locale": ""})
        assert response.status_code == 422
        db.session.refresh(member)
        assert member.about == ""
        profile = client.get(f"/users/{member.username}").get_data(as_text=True)
        assert "kefu" not in profile and "5678" not in profile

    def test_a_plain_profile_is_saved_without_invisible_characters(self, client, people, login):
        login(people["helper"])
        response = client.post("/settings", data={"about": "喜欢\u200b数码产品，\u2060常逛这里 👩\u200d💻", "locale": ""})
        assert response.status_code == 302
        db.session.refresh(people["helper"])
        assert people["helper"].about == "喜欢数码产品，常逛这里 👩\u200d💻"

    def test_watched_words_censor_or_refuse_profile_text(self, client, people, create_user, token_for):
        mod_h = token_for(create_user(role="moderator"))
        for pattern, action in (("刷单", "block"), ("笨蛋", "censor")):
            assert client.post("/api/v1/watched-words", headers=mod_h,
                               json={"pattern": pattern, "action": action}).status_code == 201
        with pytest.raises(ValidationFailed):
            accounts.update_settings(people["helper"], about="专业刷\u200b单二十年")
        accounts.update_settings(people["helper"], about="我不是笨\u2060蛋")
        assert "笨" not in people["helper"].about and "■" in people["helper"].about

    def test_staff_may_say_they_are_staff(self, people):
        accounts.update_settings(people["staff"], about="我是官方客服，有问题请在论坛提问或提交工单。")
        assert people["staff"].about.startswith("我是官方客服")
