"""The eTelecom partner accounts hotlines are synced from."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..collation import DB_COLLATION
from ..fields import EncryptedTextField

DEFAULT_PAGE_SIZE = 1000


class Connection(models.Model):
    """One eTelecom partner account (base URL + API key) that hotlines are synced from."""

    # Vietnamese order (CLDR) on both databases: see collation.py.
    name = models.CharField(_("name"), max_length=100, unique=True, db_collation=DB_COLLATION)
    base_url = models.URLField(_("base URL"), max_length=500)
    api_key = EncryptedTextField(_("API key"))
    # The most asked for a page: the largest the API takes (each page waits out a round trip).
    page_size = models.PositiveIntegerField(_("page size"), default=DEFAULT_PAGE_SIZE)
    timeout = models.FloatField(_("timeout (seconds)"), default=30.0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("connection")
        verbose_name_plural = _("connections")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_api_key(self) -> str:
        """The key as shown to people: only its last four characters."""
        return f"••••{self.api_key[-4:]}" if self.api_key else ""
