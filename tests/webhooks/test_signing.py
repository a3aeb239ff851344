"""Signing: fixed vectors (so receivers in other languages can test against them), and the check."""

from __future__ import annotations

import hashlib
import hmac

from hotlines.services.webhooks.signing import (
    webhook_headers,
    webhook_secret_generate,
    webhook_signature,
    webhook_signature_verify,
)

SECRET = "whsec_test"
BODY = b'{"event":"webhook.test","id":"1"}'


def test_signature_vector():
    # A fixed vector, for receivers in other languages to test against (README).
    vector = "v1=1e618a431122ed904acdf5e67976fead5f9423db510d797b77636442d0d2f1ea"
    assert webhook_signature(secret=SECRET, timestamp=1700000000, body=BODY) == vector
    assert vector == "v1=" + hmac.new(b"whsec_test", b"1700000000." + BODY, hashlib.sha256).hexdigest()


def test_signature_of_non_ascii_body_is_over_its_utf8_bytes():
    body = '{"name":"Tổng đài"}'.encode()
    assert webhook_signature(secret=SECRET, timestamp=1, body=body) != webhook_signature(
        secret=SECRET, timestamp=1, body=body.decode().encode("utf-16")
    )


def test_headers_carry_timestamp_signature_key_and_event():
    headers = webhook_headers(secret=SECRET, timestamp=1700000000, body=BODY, event="webhook.test", idempotency_key="k")
    assert headers["X-Etelecom-Timestamp"] == "1700000000"
    assert headers["X-Etelecom-Signature"] == webhook_signature(secret=SECRET, timestamp=1700000000, body=BODY)
    assert headers["Idempotency-Key"] == "k" and headers["X-Etelecom-Event"] == "webhook.test"


def test_verify_accepts_the_right_signature_and_refuses_tampering_replay_and_other_secrets():
    sig = webhook_signature(secret=SECRET, timestamp=1700000000, body=BODY)
    ok = {"secret": SECRET, "timestamp": "1700000000", "signature": sig, "body": BODY, "now": 1700000010}
    assert webhook_signature_verify(**ok)
    assert webhook_signature_verify(**{**ok, "signature": f"v1=00, {sig}"})  # one of several matches
    assert not webhook_signature_verify(**{**ok, "body": BODY + b" "})
    assert not webhook_signature_verify(**{**ok, "secret": "whsec_other"})
    assert not webhook_signature_verify(**{**ok, "now": 1700000000 + 301})  # too old: a replay
    assert not webhook_signature_verify(**{**ok, "timestamp": "1700000001"})
    assert not webhook_signature_verify(**{**ok, "timestamp": "soon"})
    assert not webhook_signature_verify(**{**ok, "signature": ""})


def test_generated_secrets_are_long_and_different():
    a, b = webhook_secret_generate(), webhook_secret_generate()
    assert a != b and a.startswith("whsec_") and len(a) >= 40
