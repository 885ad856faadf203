"""The webhooks' API: administrators only, the secret shown once, bad input 422, SSRF refusals at
registration and at send time (DNS rebinding included), the test delivery."""
from __future__ import annotations

import ipaddress
import socket

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.notifications import jobs
from forum.webhooks.models import WebhookDelivery

PUBLIC_IP = "93.184.216.34"


@pytest.fixture
def resolver(monkeypatch):
    """Host names resolve as the test says (no network needed); others fail to resolve."""
    table: dict[str, str] = {}
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in table:
            family = socket.AF_INET6 if ":" in table[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (table[host], port or 80))]
        try:
            ipaddress.ip_address(host)
        except ValueError:
            literal = False
        else:
            literal = True
        if literal or host == "localhost":  # addresses (the connection itself), and the real localhost
            return real(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return table


@pytest.fixture
def admin_headers(admin, token_for):
    return token_for(admin)


def test_registering_shows_the_secret_once(client, admin_headers, resolver):
    resolver["crm.example.com"] = PUBLIC_IP
    body = {"url": "https://crm.example.com/hooks", "events": ["ticket.created", "question.escalated"],
            "description": "支付团队的 CRM"}
    response = client.post("/api/v1/webhooks", json=body, headers=admin_headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["events"] == ["question.escalated", "ticket.created"]  # documented order
    assert created["private"] is False and created["active"] is True and created["created_by"] == "admin_wang"
    one = client.get(f"/api/v1/webhooks/{created['id']}", headers=admin_headers)
    listed = client.get("/api/v1/webhooks", headers=admin_headers).get_json()
    assert one.status_code == 200 and "secret" not in one.get_json()
    assert listed["total"] == 1 and "secret" not in listed["items"][0]
    assert created["secret"] not in one.get_data(as_text=True) + str(listed)
    # A new secret, once, on request.
    rotated = client.patch(f"/api/v1/webhooks/{created['id']}", json={"rotate_secret": True},
                           headers=admin_headers).get_json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    changed = client.patch(f"/api/v1/webhooks/{created['id']}", json={"private": True, "events": ["ticket.solved"]},
                           headers=admin_headers).get_json()
    assert "secret" not in changed and changed["private"] is True and changed["events"] == ["ticket.solved"]
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=admin_headers).status_code == 204
    assert client.get(f"/api/v1/webhooks/{created['id']}", headers=admin_headers).status_code == 404


@pytest.mark.parametrize("role", ["member", "moderator", "staff"])
def test_only_administrators_manage_webhooks(client, create_user, token_for, role, resolver):
    headers = token_for(create_user(role=role))
    resolver["crm.example.com"] = PUBLIC_IP
    body = {"url": "https://crm.example.com/hooks", "events": ["ticket.created"]}
    assert client.post("/api/v1/webhooks", json=body, headers=headers).status_code == 403
    assert client.get("/api/v1/webhooks", headers=headers).status_code == 403
    assert client.get("/api/v1/webhooks/1", headers=headers).status_code == 403
    assert client.get("/api/v1/webhooks/1/deliveries", headers=headers).status_code == 403
    assert client.post("/api/v1/webhooks/1/test", headers=headers).status_code == 403
    assert client.get("/api/v1/webhooks").status_code == 401


@pytest.mark.parametrize(("body", "field"), [
    ({"events": ["ticket.created"]}, "url"),
    ({"url": "", "events": ["ticket.created"]}, "url"),
    ({"url": 12, "events": ["ticket.created"]}, "url"),
    ({"url": "https://crm.example.com/h"}, "events"),
    ({"url": "https://crm.example.com/h", "events": []}, "events"),
    ({"url": "https://crm.example.com/h", "events": ["ticket.exploded"]}, "events"),
    ({"url": "https://crm.example.com/h", "events": "ticket.created"}, "events"),
    ({"url": "https://crm.example.com/h", "events": [1]}, "events"),
    ({"url": "https://crm.example.com/h", "events": ["ticket.created"], "description": "x" * 501}, "description"),
    ({"url": "https://crm.example.com/h", "events": ["ticket.created"], "private": "yes"}, "private"),
    ({"url": "https://crm.example.com/" + "a" * 2000, "events": ["ticket.created"]}, "url"),
])
def test_bad_input_is_422(client, admin_headers, resolver, body, field):
    resolver["crm.example.com"] = PUBLIC_IP
    response = client.post("/api/v1/webhooks", json=body, headers=admin_headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_malformed_bodies_are_400_or_415(client, admin_headers):
    assert client.post("/api/v1/webhooks", data="{", headers={**admin_headers, "Content-Type": "application/json"}
                       ).status_code == 400
    assert client.post("/api/v1/webhooks", data="url=x", headers={
        **admin_headers, "Content-Type": "application/x-www-form-urlencoded"}).status_code == 415
    assert client.get("/api/v1/webhooks/1/deliveries?status=nope", headers=admin_headers).status_code in (404, 422)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://127.1.2.3:8080/hook", "http://10.1.2.3/hook", "http://192.168.1.10/hook",
    "http://172.16.0.5/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook",
    "http://[fe80::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook", "http://224.0.0.1/hook",
    "http://100.64.0.1/hook", "http://localhost:5000/hook", "http://rebind.example.com/hook",
    "http://internal.example.com/hook", "ftp://crm.example.com/hook", "file:///etc/passwd",
    "javascript:alert(1)", "gopher://crm.example.com/", "https://user:pw@crm.example.com/hook",
    "http://nowhere.invalid/hook", "crm.example.com/hook",
])
def test_unsafe_addresses_are_refused_at_registration(client, admin_headers, resolver, url):
    resolver["rebind.example.com"] = "127.0.0.1"  # a host name that resolves to loopback
    resolver["internal.example.com"] = "10.0.0.7"
    resolver["crm.example.com"] = PUBLIC_IP
    response = client.post("/api/v1/webhooks", json={"url": url, "events": ["ticket.created"]}, headers=admin_headers)
    assert response.status_code == 422, (url, response.get_json())
    assert "url" in response.get_json()["error"]["fields"]


def test_private_addresses_are_allowed_with_the_flag(client, admin_headers, allow_private, receiver):
    response = client.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["ticket.created"]},
                           headers=admin_headers)
    assert response.status_code == 201
    # Still http(s) only.
    response = client.post("/api/v1/webhooks", json={"url": "file:///etc/passwd", "events": ["ticket.created"]},
                           headers=admin_headers)
    assert response.status_code == 422


def test_the_address_is_checked_again_when_sending(ctx, receiver, create_webhook, create_ticket, resolver):
    # Registered while private addresses were allowed; the flag is off when the event happens.
    ctx.config["FORUM_WEBHOOK_ALLOW_PRIVATE"] = True
    create_webhook(receiver.url)
    ctx.config["FORUM_WEBHOOK_ALLOW_PRIVATE"] = False
    create_ticket()
    jobs.drain()
    [row] = db.session.execute(sa.select(WebhookDelivery.__table__)).all()
    db.session.commit()
    assert row.status == "pending" and row.response_code is None and row.last_error.startswith("refused")
    assert receiver.requests == []
    jobs.cancel_timers()


def test_dns_rebinding_cannot_redirect_a_delivery(ctx, receiver, create_webhook, create_ticket, resolver):
    """The host resolved to a public address at registration and to loopback when sending: refused,
    and the connection goes only to an address that passed the check."""
    port = receiver.url.split(":")[2].split("/")[0]
    resolver["hooks.example.com"] = PUBLIC_IP
    create_webhook(f"http://hooks.example.com:{port}/hooks/forum")
    resolver["hooks.example.com"] = "127.0.0.1"
    create_ticket()
    jobs.drain()
    [row] = db.session.execute(sa.select(WebhookDelivery.__table__)).all()
    db.session.commit()
    assert row.last_error.startswith("refused") and "127.0.0.1" in row.last_error
    assert receiver.requests == []
    jobs.cancel_timers()


def test_the_connection_goes_to_the_checked_address_with_the_host_name(ctx, allow_private, receiver,
                                                                        create_webhook, create_ticket, resolver):
    port = receiver.url.split(":")[2].split("/")[0]
    resolver["hooks.example.com"] = "127.0.0.1"
    create_webhook(f"http://hooks.example.com:{port}/hooks/forum")
    create_ticket()
    [request] = receiver.wait_for(1)
    assert request.headers["Host"] == f"hooks.example.com:{port}"


def test_a_test_delivery_and_the_deliveries_list(client, admin_headers, allow_private, receiver):
    created = client.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["ticket.created"]},
                          headers=admin_headers).get_json()
    response = client.post(f"/api/v1/webhooks/{created['id']}/test", headers=admin_headers)
    assert response.status_code == 202 and response.get_json()["event"] == "webhook.test"
    [request] = receiver.wait_for(1)
    assert request.json["event"] == "webhook.test" and request.json["id"] == response.get_json()["id"]
    jobs.drain()
    listed = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=admin_headers).get_json()
    [delivery] = listed["items"]
    assert delivery["status"] == "succeeded" and delivery["response_code"] == 200 and delivery["attempts"] == 1
    assert isinstance(delivery["duration_ms"], int)
    assert client.get(f"/api/v1/webhooks/{created['id']}/deliveries?status=failed",
                      headers=admin_headers).get_json()["total"] == 0
    # A paused webhook sends no test.
    client.patch(f"/api/v1/webhooks/{created['id']}", json={"active": False}, headers=admin_headers)
    assert client.post(f"/api/v1/webhooks/{created['id']}/test", headers=admin_headers).status_code == 409


def test_the_openapi_document_describes_the_webhooks(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths["/webhooks"]) == {"post", "get"}
    assert set(paths["/webhooks/{webhook_id}"]) == {"get", "patch", "delete"}
    assert "get" in paths["/webhooks/{webhook_id}/deliveries"] and "post" in paths["/webhooks/{webhook_id}/test"]
    schemas = document["components"]["schemas"]
    assert {"WebhookIn", "WebhookPatch", "WebhookOut", "DeliveryOut"} <= set(schemas)
    assert schemas["WebhookIn"]["properties"]["events"]["items"]["enum"][0] == "question.escalated"
