"""The comparison receiver for scripts/bench-webhooks: the same work as Tower's listener in
FastAPI + uvicorn, for the four services. Each route caps the body, verifies the service's
signature (HMAC-SHA256, constant-time compare; Slack's and Sentry's timestamps within 300 s),
reads the one member the answer needs (GitHub's and Sentry's `action`, Jira's `webhookEvent`,
the interaction's `trigger_id`), and stores the delivery in SQLite in WAL mode, deduplicated by
its id and by the SHA-256 of its body (INSERT OR IGNORE on both: a redelivery or a replay under
a new id is answered and not stored twice) before it answers."""

import hashlib
import hmac
import json
import os
import sqlite3
import threading
import time
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response

SECRETS = {
    "github": os.environ.get("GITHUB_WEBHOOK_SECRET", "").encode(),
    "jira": os.environ.get("JIRA_WEBHOOK_SECRET", "").encode(),
    "sentry": os.environ.get("SENTRY_WEBHOOK_SECRET", "").encode(),
    "slack": os.environ.get("SLACK_SIGNING_SECRET", "").encode(),
}
DB = os.environ.get("RECEIVER_DB", "/tmp/fastapi-receiver.sqlite")
LIMIT = 25 * 1024 * 1024

app = FastAPI()
local = threading.local()


def connection():
    db = getattr(local, "db", None)
    if db is None:
        db = sqlite3.connect(DB, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS inbox (delivery_id TEXT PRIMARY KEY, source TEXT, event TEXT, body BLOB,"
            " received_at REAL, processed_at REAL, body_digest TEXT UNIQUE)"
        )
        local.db = db
    return db


def signed(source, message, signature):
    expected = hmac.new(SECRETS[source], message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, expected)


def fresh(stamp):
    try:
        return abs(time.time() - float(stamp)) <= 300
    except ValueError:
        return False


def store(source, delivery_id, event, body):
    db = connection()
    db.execute("BEGIN IMMEDIATE")
    cursor = db.execute(
        "INSERT OR IGNORE INTO inbox (delivery_id, source, event, body, received_at, body_digest) VALUES (?, ?, ?, ?, ?, ?)",
        (source + "-" + delivery_id, source, event, body, time.time(), source + "-" + hashlib.sha256(body).hexdigest()),
    )
    db.execute("COMMIT")
    return Response("received\n" if cursor.rowcount == 1 else "already received\n")


async def capped_body(request):
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > LIMIT:
        return None
    return await request.body()


def json_object(body):
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@app.post("/webhooks/github")
async def github(request: Request):
    body, payload, refusal = await signed_json(request, "github", request.headers.get("x-hub-signature-256", "").removeprefix("sha256="))
    if refusal:
        return refusal
    delivery, event = request.headers.get("x-github-delivery"), request.headers.get("x-github-event")
    if not delivery or not event:
        return Response("malformed request\n", status_code=400)
    return store("github", delivery, f"{event}.{payload.get('action', '')}", body)


async def signed_json(request, source, signature, fresh_stamp=True):
    """The body, once capped and verified, and its JSON object; or the refusal to answer."""
    body = await capped_body(request)
    if body is None:
        return None, None, Response("body too large\n", status_code=413)
    if not fresh_stamp or not signed(source, body, signature):
        return None, None, Response("signature not verified\n", status_code=401)
    payload = json_object(body)
    if payload is None:
        return None, None, Response("malformed request\n", status_code=400)
    return body, payload, None


@app.post("/webhooks/jira")
async def jira(request: Request):
    body, payload, refusal = await signed_json(request, "jira", request.headers.get("x-hub-signature", "").removeprefix("sha256="))
    if refusal:
        return refusal
    delivery = request.headers.get("x-atlassian-webhook-identifier") or hashlib.sha256(body).hexdigest()
    return store("jira", delivery, str(payload.get("webhookEvent", "unknown")), body)


@app.post("/webhooks/sentry")
async def sentry(request: Request):
    fresh_stamp = fresh(request.headers.get("sentry-hook-timestamp", ""))
    body, payload, refusal = await signed_json(request, "sentry", request.headers.get("sentry-hook-signature", ""), fresh_stamp)
    if refusal:
        return refusal
    delivery = request.headers.get("request-id") or hashlib.sha256(body).hexdigest()
    return store("sentry", delivery, f"{request.headers.get('sentry-hook-resource', 'unknown')}.{payload.get('action', 'unknown')}", body)


@app.post("/webhooks/slack/interactions")
async def slack_interactions(request: Request):
    body = await capped_body(request)
    if body is None:
        return Response("body too large\n", status_code=413)
    stamp = request.headers.get("x-slack-request-timestamp", "")
    if not fresh(stamp) or not signed("slack", b"v0:" + stamp.encode() + b":" + body, request.headers.get("x-slack-signature", "").removeprefix("v0=")):
        return Response("signature not verified\n", status_code=401)
    payload = json_object(parse_qs(body.decode()).get("payload", ["null"])[0])
    if payload is None:
        return Response("malformed request\n", status_code=400)
    return store("slack", str(payload.get("trigger_id") or hashlib.sha256(body).hexdigest()), f"interaction {payload.get('type', 'unknown')}", body)
