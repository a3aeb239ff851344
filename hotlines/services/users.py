"""Writes to users and their roles (Django groups); every change is audited."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from axes.utils import reset
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from ..models import AuditAction
from .audit import audit_record

logger = logging.getLogger(__name__)

VIEWER, EXPORTER, OPERATOR, ADMINISTRATOR = "Viewer", "Exporter", "Operator", "Administrator"
# Cumulative: each role can do everything the one before it can.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    VIEWER: ("hotlines.view_hotline",),
    EXPORTER: ("hotlines.view_hotline", "hotlines.export_hotline"),
    OPERATOR: (
        "hotlines.view_hotline",
        "hotlines.export_hotline",
        "hotlines.run_sync",
        "hotlines.view_syncrun",
        "hotlines.share_savedview",
    ),
}
ROLES = (VIEWER, EXPORTER, OPERATOR, ADMINISTRATOR)
ROLE_LABELS = {
    VIEWER: gettext_lazy("Viewer"),
    EXPORTER: gettext_lazy("Exporter"),
    OPERATOR: gettext_lazy("Operator"),
    ADMINISTRATOR: gettext_lazy("Administrator"),
}
ROLE_DESCRIPTIONS = {
    VIEWER: gettext_lazy("Browse hotlines and open their details."),
    EXPORTER: gettext_lazy("Viewer, and export the hotline list."),
    OPERATOR: gettext_lazy("Exporter, and run syncs and see their history."),
    ADMINISTRATOR: gettext_lazy("Everything: connections, users and roles, and the audit log."),
}
USER_FIELDS = ("email", "first_name", "last_name")
# Bypass the roles: only a superuser may change them (the Django admin shows them to superusers only).
PRIVILEGED_FIELDS = ("is_superuser", "is_staff")


def _permissions(perms: Iterable[str]) -> list[Permission]:
    found = []
    for perm in perms:
        app_label, codename = perm.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            found.append(permission)
    return found


def roles_ensure() -> None:
    """Create the four role groups if missing and give them at least their permissions (never removes any).

    Runs after every migrate, so Administrator keeps "everything" as later releases add permissions.
    """
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*_permissions(perms))
    # Administrator: every permission there is (connections, users and roles, audit log, lock-outs,
    # background tasks, and whatever later releases add).
    admin, _created = Group.objects.get_or_create(name=ADMINISTRATOR)
    admin.permissions.add(*Permission.objects.all())


def _audit(action: AuditAction, *, user, actor, request: HttpRequest | None, via: str = "", **details) -> None:
    """Record a change to `user` in the audit log; `via` names the door when it is not the Users page."""
    audit_record(
        action=action,
        actor=actor,
        request=request,
        target=f"user {user.get_username()}",
        details={"user_id": user.pk, **details, **({"via": via} if via else {})},
    )


def user_may_edit(*, user, actor) -> bool:
    """Whether `actor` may change `user` at all (details, roles, password, deletion): the one rule of every door."""
    # A non-superuser administrator must not take over a superuser (e.g. by setting its password).
    return not (user.is_superuser and actor is not None and not actor.is_superuser)


def user_may_delete(*, user, actor) -> bool:
    """Whether `actor` may delete `user`: as for a change, and never their own account."""
    return user_may_edit(user=user, actor=actor) and not (actor is not None and user.pk == actor.pk)


def _check_may_edit(*, user, actor) -> None:
    if not user_may_edit(user=user, actor=actor):
        raise PermissionDenied(_("Only a superuser can change a superuser."))


def _check_may_grant(*, actor) -> None:
    # Superuser and staff status and one-off permissions bypass the roles: only a superuser hands them out.
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser can change superuser or staff status or individual permissions."))


def user_update_validate(*, user, actor, is_active: bool | None = None, groups: Iterable[str] | None = None) -> None:
    """ValidationError when the change would lock `actor` out: deactivating or un-administering themselves.

    `groups` is the whole set of group names the user would have. Forms call this to show the error
    next to the field; `user_update` calls it too, so a caller that skips the form meets the same rule.
    """
    if actor is None or user.pk != actor.pk:
        return
    if is_active is False:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    dropped = groups is not None and ADMINISTRATOR not in set(groups) and not actor.is_superuser
    if dropped and user.groups.filter(name=ADMINISTRATOR).exists():
        raise ValidationError({"roles": _("You cannot remove your own Administrator role.")})


def _set_roles(
    *,
    user,
    roles: Iterable[str],
    actor,
    request: HttpRequest | None,
    scope: Iterable[str] = ROLES,
    via: str = "",
) -> tuple[list[str], list[str]]:
    # `scope`: the groups this change is about (the roles on the Users page, every group in the
    # Django admin); the user's other groups are left alone.
    scope = set(scope)
    wanted = {role for role in roles if role in scope}
    current = set(user.groups.filter(name__in=scope).values_list("name", flat=True))
    added, removed = sorted(wanted - current), sorted(current - wanted)
    if not (added or removed):
        return [], []
    kept = set(user.groups.exclude(name__in=scope).values_list("name", flat=True))
    user_update_validate(user=user, actor=actor, groups=wanted | kept)
    if added:
        user.groups.add(*Group.objects.filter(name__in=added))
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=removed))
    # Administrators also use the Django admin (with their permissions); nobody else needs it.
    is_staff = ADMINISTRATOR in wanted or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    roles_changed = {"added": added, "removed": removed, "roles": sorted(wanted)}
    _audit(AuditAction.ROLES_CHANGED, user=user, actor=actor, request=request, via=via, **roles_changed)
    return added, removed


def _set_permissions(*, user, permissions: Iterable[Permission], actor, request, via: str) -> bool:
    wanted = {permission.pk for permission in permissions}
    current = set(user.user_permissions.values_list("pk", flat=True))
    if wanted == current:
        return False
    _check_may_grant(actor=actor)
    user.user_permissions.set(wanted)

    def codenames(pks: set[int]) -> list[str]:
        return sorted(Permission.objects.filter(pk__in=pks).values_list("codename", flat=True))

    changed = {"permissions_added": codenames(wanted - current), "permissions_removed": codenames(current - wanted)}
    _audit(AuditAction.ROLES_CHANGED, user=user, actor=actor, request=request, via=via, **changed)
    return True


@sensitive_variables("password")
@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    roles: Iterable[str] = (),
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    actor=None,
    request: HttpRequest | None = None,
):
    """Add a user with a validated password and the given roles."""
    User = get_user_model()
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.save()
    fields = ["username", *[f for f in USER_FIELDS if getattr(user, f)]]
    _audit(AuditAction.USER_CREATED, user=user, actor=actor, request=request, fields=fields)
    _set_roles(user=user, roles=roles, actor=actor, request=request)
    logger.info("user %s added", user.get_username())
    return user


@sensitive_variables("password")
@transaction.atomic
def user_update(
    *,
    user,
    roles: Iterable[str] | None = None,
    groups: Iterable[str] | None = None,
    permissions: Iterable[Permission] | None = None,
    password: str = "",
    actor=None,
    request: HttpRequest | None = None,
    via: str = "",
    **changes,
) -> list[str]:
    """Change a user's details, password (when given), roles and, for superusers only, privileges.

    `roles` sets the role groups (other groups kept); `groups` sets every group (the Django admin's
    field). `is_superuser`, `is_staff` and `permissions` change only when a superuser asks. Returns
    what changed (field names).
    """
    unknown = set(changes) - {*USER_FIELDS, "username", "is_active", *PRIVILEGED_FIELDS}
    if unknown:
        raise TypeError(f"user_update() cannot change {', '.join(sorted(unknown))}")
    _check_may_edit(user=user, actor=actor)
    user_update_validate(user=user, actor=actor, is_active=changes.get("is_active"))
    changed = [field for field, value in changes.items() if getattr(user, field) != value]
    if set(changed) & set(PRIVILEGED_FIELDS):
        _check_may_grant(actor=actor)
    for field in changed:
        setattr(user, field, changes[field])
    if password:
        validate_password(password, user)
        user.set_password(password)
        changed.append("password")
    if changed:
        user.full_clean(exclude=["password"])
        user.save()
        _audit(AuditAction.USER_CHANGED, user=user, actor=actor, request=request, via=via, fields=changed)
    if groups is not None:
        all_groups = Group.objects.values_list("name", flat=True)
        added, removed = _set_roles(user=user, roles=groups, actor=actor, request=request, scope=all_groups, via=via)
        if added or removed:
            changed.append("groups")
    elif roles is not None:
        added, removed = _set_roles(user=user, roles=roles, actor=actor, request=request, via=via)
        if added or removed:
            changed.append("roles")
    if permissions is not None and _set_permissions(
        user=user, permissions=permissions, actor=actor, request=request, via=via
    ):
        changed.append("user_permissions")
    return changed


@transaction.atomic
def user_delete(*, user, actor=None, request: HttpRequest | None = None, via: str = "") -> None:
    """Delete a user (never oneself, and a superuser only by a superuser); audited first."""
    if not user_may_delete(user=user, actor=actor):
        raise PermissionDenied(_("You cannot delete this user."))
    _audit(AuditAction.USER_CHANGED, user=user, actor=actor, request=request, via=via, deleted=True)
    user.delete()
    logger.info("user %s deleted", user.get_username())


def user_set_active(*, user, is_active: bool, actor=None, request: HttpRequest | None = None) -> bool:
    """Activate or deactivate a user (deactivated users cannot sign in). True when it changed."""
    return bool(user_update(user=user, is_active=is_active, actor=actor, request=request))


def user_unlock(*, user, actor=None, request: HttpRequest | None = None) -> int:
    """Lift a sign-in lock-out (django-axes) on this user name; returns how many lock records went."""
    _check_may_edit(user=user, actor=actor)
    removed = reset(username=user.get_username())
    _audit(AuditAction.USER_CHANGED, user=user, actor=actor, request=request, fields=["lock-out"], unlocked=removed)
    return removed
