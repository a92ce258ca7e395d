"""The comparison receiver for scripts/bench-webhooks: the same work as Tower's GitHub route in
FastAPI + uvicorn. It verifies X-Hub-Signature-256 (HMAC-SHA256, constant-time compare), caps the
body, and stores the delivery by X-GitHub-Delivery in SQLite in WAL mode (INSERT OR IGNORE: a
redelivery is answered and not stored twice) before it answers."""

import hashlib
import hmac
import os
import sqlite3
import threading
import time

from fastapi import FastAPI, Request, Response

SECRET = os.environ["GITHUB_WEBHOOK_SECRET"].encode()
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
            "CREATE TABLE IF NOT EXISTS inbox (delivery_id TEXT PRIMARY KEY, source TEXT, event TEXT, body BLOB, received_at REAL, processed_at REAL)"
        )
        local.db = db
    return db


@app.post("/webhooks/github")
async def github(request: Request):
    length = request.headers.get("content-length")
    if length is not None and int(length) > LIMIT:
        return Response("body too large\n", status_code=413)
    body = await request.body()
    signature = request.headers.get("x-hub-signature-256", "")
    expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        return Response("signature not verified\n", status_code=401)
    delivery = request.headers.get("x-github-delivery")
    event = request.headers.get("x-github-event")
    if not delivery or not event:
        return Response("malformed request\n", status_code=400)
    db = connection()
    db.execute("BEGIN IMMEDIATE")
    cursor = db.execute(
        "INSERT OR IGNORE INTO inbox (delivery_id, source, event, body, received_at) VALUES (?, 'github', ?, ?, ?)",
        ("github-" + delivery, event, body, time.time()),
    )
    db.execute("COMMIT")
    return Response("received\n" if cursor.rowcount == 1 else "already received\n")
