"""Secrets at rest: the API key is a Fernet token in the database, and keys rotate without downtime."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection as default_db
from django.test import override_settings

from hotlines.etelecom.sandbox import DEFAULT_API_KEY
from hotlines.models import AuditAction, AuditEntry, Connection
from hotlines.services.encryption import encryption_keys_status

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _raw(pk: int) -> str:
    with default_db.cursor() as cursor:
        cursor.execute("SELECT api_key FROM hotlines_connection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_stored_key_is_ciphertext(connection):
    stored = _raw(connection.pk)
    assert DEFAULT_API_KEY not in stored and stored.startswith("gAAAA")
    assert Connection.objects.get(pk=connection.pk).api_key == DEFAULT_API_KEY
    # Fernet is randomised: the same key saved twice is stored differently.
    connection.save()
    assert _raw(connection.pk) != stored


@pytest.mark.django_db(transaction=True)
def test_rotation_re_encrypts_every_key_and_every_connection_keeps_syncing(sandbox, capsys):
    from hotlines.services.sync import hotlines_sync

    with override_settings(FIELD_ENCRYPTION_KEY=[OLD]):
        first = Connection.objects.create(
            name="a", base_url=sandbox.url, api_key=DEFAULT_API_KEY, page_size=100, timeout=5
        )
        second = Connection.objects.create(name="b", base_url=sandbox.url, api_key="another-key-0001", timeout=5)
        Fernet(OLD.encode()).decrypt(_raw(first.pk).encode())

    with override_settings(FIELD_ENCRYPTION_KEY=[NEW, OLD]):
        assert encryption_keys_status() == {"current": 0, "old": 2}
        with pytest.raises(CommandError, match="still need an older key"):
            call_command("rotate_encryption_keys", "--check")
        call_command("rotate_encryption_keys")
        assert (
            "Re-encrypted 2 stored secret(s) with the newest key (2 were under an older key)" in capsys.readouterr().out
        )
        call_command("rotate_encryption_keys", "--check")
        assert encryption_keys_status() == {"current": 2, "old": 0}

    for pk in (first.pk, second.pk):
        Fernet(NEW.encode()).decrypt(_raw(pk).encode())
        with pytest.raises(InvalidToken):
            Fernet(OLD.encode()).decrypt(_raw(pk).encode())

    with override_settings(FIELD_ENCRYPTION_KEY=[NEW]):  # the old key is gone
        assert Connection.objects.get(pk=second.pk).api_key == "another-key-0001"
        run = hotlines_sync(connection=Connection.objects.get(pk=first.pk))
        assert run.error == "" and run.fetched == 230
    entry = AuditEntry.objects.get(action=AuditAction.KEYS_ROTATED)
    assert entry.details == {"rotated": 2, "were_old": 2} and entry.actor_username == "system"


def test_removing_a_key_too_early_fails_loudly(db):
    with override_settings(FIELD_ENCRYPTION_KEY=[OLD]):
        saved = Connection.objects.create(name="a", base_url="https://api.example.com", api_key="k-0123456789")
    with override_settings(FIELD_ENCRYPTION_KEY=[NEW]), pytest.raises(ImproperlyConfigured, match="removed too early"):
        Connection.objects.get(pk=saved.pk)


def test_an_invalid_configured_key_is_reported(db):
    with override_settings(FIELD_ENCRYPTION_KEY=["not-a-fernet-key"]), pytest.raises(ImproperlyConfigured):
        Connection.objects.create(name="a", base_url="https://api.example.com", api_key="k-0123456789")
