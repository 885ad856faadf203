"""The reply address on e-mails about a ticket and in the API; the `mail inbound` command."""
from __future__ import annotations

import pytest

from forum.core.db import unit_of_work
from forum.notifications import jobs
from forum.notifications import services as notifications
from forum.tickets import services as tickets
from forum.tickets.reply_address import reply_address

DOMAIN = "mail.example.com"


@pytest.fixture
def domain(ctx):
    ctx.config["FORUM_MAIL_INBOUND_DOMAIN"] = DOMAIN
    yield DOMAIN
    ctx.config["FORUM_MAIL_INBOUND_DOMAIN"] = None


def test_the_api_shows_each_viewer_their_own_reply_address(domain, client, create_ticket, create_user, staff,
                                                           token_for):
    requester = create_user("lilei")
    ticket = create_ticket(asker=requester)
    mine = client.get(f"/api/v1/tickets/{ticket.id}", headers=token_for(requester)).get_json()
    assert mine["reply_to"] == reply_address(ticket.id, requester.id)
    assert mine["reply_to"].startswith("ticket+") and mine["reply_to"].endswith("@" + DOMAIN)
    theirs = client.get(f"/api/v1/tickets/{ticket.id}", headers=token_for(staff)).get_json()
    assert theirs["reply_to"] == reply_address(ticket.id, staff.id) != mine["reply_to"]
    other = create_user("stranger")
    assert client.get(f"/api/v1/tickets/{ticket.id}", headers=token_for(other)).status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "reply_to" in spec["components"]["schemas"]["TicketOut"]["properties"]


def test_without_an_inbound_domain_there_is_no_reply_address(client, create_ticket, create_user, token_for):
    requester = create_user("lilei")
    ticket = create_ticket(asker=requester)
    assert client.get(f"/api/v1/tickets/{ticket.id}", headers=token_for(requester)).get_json()["reply_to"] is None


def test_ticket_e_mails_carry_the_recipients_reply_to_and_others_none(domain, smtp_server, create_ticket,
                                                                      create_user, staff):
    requester = create_user("lilei", email="lilei@example.com")
    asker = create_user("asker", email="asker@example.com")
    ticket = create_ticket(asker=requester)
    with unit_of_work():
        tickets.add_message(staff, ticket.id, "您好，请提供付款截图。")
    jobs.drain()  # the delivery job queued at the commit
    with unit_of_work():
        notifications.deliver_pending()
    to_requester = [m for m in smtp_server if m["To"] == "lilei@example.com"]
    assert to_requester and all(m["Reply-To"] == reply_address(ticket.id, requester.id) for m in to_requester)
    to_staff = [m for m in smtp_server if m["To"] == staff.email]  # the new-ticket notice: staff's own address
    assert to_staff and all(m["Reply-To"] == reply_address(ticket.id, staff.id) for m in to_staff)
    # An e-mail about something else has no Reply-To.
    from forum.core import signals

    with unit_of_work():
        signals.password_reset_requested.send(asker, token="t", expires_at=None)
    jobs.drain()  # the delivery job queued at the commit
    with unit_of_work():
        notifications.deliver_pending()
    (reset,) = [m for m in smtp_server if m["To"] == "asker@example.com"]
    assert reset["Reply-To"] is None


def test_the_command_needs_the_domain(runner):
    result = runner.invoke(args=["mail", "inbound", "--help"])
    assert result.exit_code == 0 and "--port" in result.output
    result = runner.invoke(args=["mail", "inbound", "--port", "0"])
    assert result.exit_code != 0 and "FORUM_MAIL_INBOUND_DOMAIN" in result.output
