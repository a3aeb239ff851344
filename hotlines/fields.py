"""Model fields: an API key encrypted at rest with Fernet (MultiFernet for rotation)."""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _derived_key(secret_key: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(("fernet:" + secret_key).encode()).digest()).decode()


def effective_keys() -> list[str]:
    """The keys in force, newest first: FIELD_ENCRYPTION_KEY, or the one derived from SECRET_KEY."""
    return list(settings.FIELD_ENCRYPTION_KEY) or [_derived_key(settings.SECRET_KEY)]


@lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...], secret_key: str) -> tuple[Fernet, ...]:
    if not keys:
        keys = (_derived_key(secret_key),)
    try:
        return tuple(Fernet(k) for k in keys)
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY holds a key that is not a valid Fernet key.") from exc


def _configured() -> tuple[Fernet, ...]:
    return _fernets(tuple(settings.FIELD_ENCRYPTION_KEY), settings.SECRET_KEY)


def get_fernet() -> MultiFernet:
    """The MultiFernet for the configured keys (newest first encrypts)."""
    return MultiFernet(list(_configured()))


def _undecryptable() -> ImproperlyConfigured:
    return ImproperlyConfigured(
        "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY (was a key removed too early?)."
    )


def encrypt(value: str) -> str:
    return _configured()[0].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return get_fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise _undecryptable() from exc


def is_current(token: str) -> bool:
    """Whether a stored token is encrypted with the newest key (old keys can go once every token is)."""
    try:
        _configured()[0].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """The token re-encrypted with the newest key, keeping its timestamp (MultiFernet.rotate)."""
    try:
        return get_fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise _undecryptable() from exc


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; Python code only ever sees the plaintext."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
