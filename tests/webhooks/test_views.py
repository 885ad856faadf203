"""The administrators' webhook pages, in Chinese and English."""
from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.notifications import jobs
from forum.webhooks.models import Webhook


def test_an_administrator_registers_a_webhook_and_sees_the_secret_once(client, login, admin, allow_private,
                                                                         receiver):
    login(admin)
    page = client.get("/admin/webhooks")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "还没有 Webhook" in html or "No webhooks yet" in html or "Webhook" in html
    response = client.post("/admin/webhooks", data={"url": receiver.url, "events": ["ticket.created", "ticket.solved"],
                                                     "description": "客服 CRM"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(whsec_[^"]+)"', response.get_data(as_text=True)).group(1)
    webhook = db.session.scalar(db.select(Webhook))
    assert webhook.secret == secret and webhook.event_list == ["ticket.created", "ticket.solved"]
    db.session.commit()
    for url in ("/admin/webhooks", f"/admin/webhooks/{webhook.id}"):
        shown = client.get(url)
        assert shown.status_code == 200 and secret not in shown.get_data(as_text=True)
    # The test button, then the delivery in the list.
    assert client.post(f"/admin/webhooks/{webhook.id}/test").status_code == 302
    receiver.wait_for(1)
    jobs.drain()
    html = client.get(f"/admin/webhooks/{webhook.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "webhook.test" in html and "Succeeded" in html and "HTTP 200" in html
    # Edit: turn it off, make it private.
    response = client.post(f"/admin/webhooks/{webhook.id}", data={"url": receiver.url, "events": ["ticket.created"],
                                                                  "private": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    webhook = db.session.get(Webhook, webhook.id)
    assert webhook.private and not webhook.active and webhook.event_list == ["ticket.created"]
    db.session.commit()
    rotated = client.post(f"/admin/webhooks/{webhook.id}/secret")
    new = rotated.get_data(as_text=True)
    assert rotated.status_code == 200 and "whsec_" in new and secret not in new
    webhook_id = webhook.id
    assert client.post(f"/admin/webhooks/{webhook_id}/delete").status_code == 302
    assert client.get(f"/admin/webhooks/{webhook_id}").status_code == 404


def test_the_form_says_what_is_wrong(client, login, admin):
    login(admin)
    response = client.post("/admin/webhooks", data={"url": "http://169.254.169.254/latest", "events": []},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "public addresses only" in html and "Choose at least one event." in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Webhook)) == 0


@pytest.mark.parametrize("role", ["member", "moderator", "staff"])
def test_others_are_forbidden(client, login, create_user, role):
    login(create_user(role=role))
    assert client.get("/admin/webhooks").status_code == 403
    assert client.post("/admin/webhooks", data={"url": "https://x.example.com", "events": ["ticket.created"]}
                       ).status_code == 403


def test_visitors_are_sent_to_sign_in(client):
    assert client.get("/admin/webhooks").status_code == 302


def test_the_admin_menu_links_the_page(client, login, admin, create_user):
    login(admin)
    assert "/admin/webhooks" in client.get("/").get_data(as_text=True)
    login(create_user(role="staff"))
    assert "/admin/webhooks" not in client.get("/").get_data(as_text=True)
