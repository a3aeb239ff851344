"""Signal receivers: the audit trail of sign-ins, the roles after migrate, and the cached
freshness bar dropped whenever a sync run or a connection is saved or deleted."""

from __future__ import annotations

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from .models import AuditAction, Connection, SyncRun
from .selectors import freshness_forget
from .services.audit import audit_record
from .services.users import roles_ensure


def _attempted_username(credentials: dict | None) -> str:
    return str((credentials or {}).get("username") or "")[:150]


@receiver(user_logged_in, dispatch_uid="hotlines.audit_sign_in")
def audit_sign_in(sender, request, user, **kwargs) -> None:
    audit_record(action=AuditAction.SIGN_IN, actor=user, request=request, target=f"user {user.get_username()}")


@receiver(user_logged_out, dispatch_uid="hotlines.audit_sign_out")
def audit_sign_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    reason = getattr(request, "logout_reason", "user")
    audit_record(
        action=AuditAction.SIGN_OUT,
        actor=user,
        request=request,
        target=f"user {user.get_username()}",
        details={"reason": reason},
    )


@receiver(user_login_failed, dispatch_uid="hotlines.audit_sign_in_failed")
def audit_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django already replaces the password in `credentials`; only the attempted name is kept.
    username = _attempted_username(credentials)
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        request=request,
        username=username,
        target=f"user {username}",
        details={"locked_out": bool(getattr(request, "axes_locked_out", False))},
    )


@receiver(user_locked_out, dispatch_uid="hotlines.audit_locked_out")
def audit_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    # axes sends this when the limit is reached and again on each attempt while locked (each one
    # extends the lock): only the attempt that reached the limit is a lock-out; the later ones are
    # recorded as failed sign-ins with locked_out=True.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None or failures != get_failure_limit(request, {"username": username}):
        return
    audit_record(
        action=AuditAction.SIGN_IN_LOCKED,
        request=request,
        username=str(username or "")[:150],
        target=f"user {username or ''}",
        details={"failures": failures},
    )


def ensure_roles(sender, **kwargs) -> None:
    """After migrate: the role groups exist and hold at least their permissions."""
    roles_ensure()


def connect(app_config) -> None:
    post_migrate.connect(ensure_roles, sender=app_config, dispatch_uid="hotlines.ensure_roles")


@receiver(post_save, sender=SyncRun, dispatch_uid="hotlines.freshness_run_saved")
@receiver(post_delete, sender=SyncRun, dispatch_uid="hotlines.freshness_run_deleted")
@receiver(post_save, sender=Connection, dispatch_uid="hotlines.freshness_connection_saved")
@receiver(post_delete, sender=Connection, dispatch_uid="hotlines.freshness_connection_deleted")
def forget_freshness(sender, **kwargs) -> None:
    freshness_forget()
