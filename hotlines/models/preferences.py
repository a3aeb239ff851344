"""What each person chose for the hotline list."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserPreference(models.Model):
    """What a user chose for the list: rows per page, visible columns and their order, language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hotline_preference")
    per_page = models.PositiveSmallIntegerField(null=True, blank=True)
    columns = models.JSONField(default=list, blank=True, help_text="Visible column names in order; empty = default.")
    language = models.CharField(max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
