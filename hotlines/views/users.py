"""The Users pages (administrators): list users, add them, set their role, deactivate, unlock."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .. import selectors
from ..dates import WhenColumn
from ..forms import UserCreateForm, UserUpdateForm
from ..services.users import ROLE_LABELS, ROLES, user_create, user_set_active, user_unlock, user_update

User = get_user_model()
sensitive_passwords = method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")


# Kept next to their only view: tables.py and filtersets.py hold the hotline list's.
class UserFilterSet(django_filters.FilterSet):
    """Quick search by name or email, and filters by role and state."""

    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="search")
    # Each empty choice says what it does ("---------" says nothing, and reads as an error).
    role = django_filters.ChoiceFilter(
        label=gettext_lazy("Role"),
        field_name="groups__name",
        choices=[(r, ROLE_LABELS[r]) for r in ROLES],
        empty_label=gettext_lazy("Any role"),
    )
    is_active = django_filters.BooleanFilter(
        label=gettext_lazy("State"),
        widget=forms.Select(
            choices=[
                ("", gettext_lazy("Any state")),
                ("true", gettext_lazy("Active")),
                ("false", gettext_lazy("Inactive")),
            ]
        ),
    )

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )


class UserTable(tables.Table):
    label = gettext_lazy("Users")
    username = tables.Column(verbose_name=gettext_lazy("Username"), order_by=("username",))
    full_name = tables.Column(
        verbose_name=gettext_lazy("Name"), accessor="get_full_name", order_by=("first_name", "last_name")
    )
    email = tables.Column(verbose_name=gettext_lazy("Email"))
    roles = tables.Column(verbose_name=gettext_lazy("Role"), accessor="pk", orderable=False)
    is_active = tables.BooleanColumn(verbose_name=gettext_lazy("Active"))
    last_login = WhenColumn(verbose_name=gettext_lazy("Last sign-in"))

    class Meta:
        model = User
        fields = ("username", "full_name", "email", "roles", "is_active", "last_login")
        order_by = ("username",)
        attrs = {"class": "table"}
        empty_text = gettext_lazy("No user matches these filters.")

    def __init__(self, *args, locked: set[str] = frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.locked = locked

    def render_username(self, value: str, record) -> str:
        badges = []
        if record.is_superuser:
            badges.append(("badge-new", _("Superuser")))
        if value in self.locked:
            badges.append(("badge-disabled", _("Locked out")))
        return format_html(
            '<a href="{}">{}</a>{}',
            reverse("hotlines:user-edit", args=[record.pk]),
            value,
            format_html_join("", ' <span class="badge {}">{}</span>', badges),
        )

    def render_roles(self, value, record) -> str:
        names = [ROLE_LABELS.get(g.name, g.name) for g in record.groups.all()]
        return ", ".join(str(n) for n in names) or "—"


class UserListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "auth.view_user"
    template_name = "hotlines/users/list.html"
    table_class = UserTable
    filterset_class = UserFilterSet
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return selectors.user_list()

    def get_table_kwargs(self):
        return {"locked": selectors.user_locked_usernames()}


@sensitive_passwords
class UserCreateView(PermissionRequiredMixin, FormView):
    permission_required = "auth.add_user"
    template_name = "hotlines/users/form.html"
    form_class = UserCreateForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = user_create(
                username=data["username"],
                password=data["password1"],
                roles=form.roles,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                actor=self.request.user,
                request=self.request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("User “%(name)s” added.") % {"name": user.get_username()})
        return redirect("hotlines:user-list")


@sensitive_passwords
class UserUpdateView(PermissionRequiredMixin, FormView):
    permission_required = "auth.change_user"
    template_name = "hotlines/users/form.html"
    form_class = UserUpdateForm

    def dispatch(self, request, *args, **kwargs):
        self.user = get_object_or_404(User, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["edited"] = self.user
        context["locked"] = self.user.get_username() in selectors.user_locked_usernames()
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            changed = user_update(
                user=self.user,
                # The radio shows only the highest role: leave the groups alone unless it was changed.
                roles=form.roles if "role" in form.changed_data else None,
                password=data["password1"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                is_active=data["is_active"],
                actor=self.request.user,
                request=self.request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        if changed:
            messages.success(self.request, _("User “%(name)s” saved.") % {"name": self.user.get_username()})
        else:
            messages.info(self.request, _("Nothing to save: no field changed."))
        return redirect("hotlines:user-list")


class UserActiveView(PermissionRequiredMixin, View):
    """POST `active=1` or `active=0`."""

    permission_required = "auth.change_user"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        user = get_object_or_404(User, pk=pk)
        active = request.POST.get("active") == "1"
        try:
            changed = user_set_active(user=user, is_active=active, actor=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("hotlines:user-list")
        if changed:
            text = _("User “%(name)s” can sign in again.") if active else _("User “%(name)s” deactivated.")
            messages.success(request, text % {"name": user.get_username()})
        return redirect("hotlines:user-list")


class UserUnlockView(PermissionRequiredMixin, View):
    """POST: lift a sign-in lock-out before its cool-off ends."""

    permission_required = "auth.change_user"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        user = get_object_or_404(User, pk=pk)
        user_unlock(user=user, actor=request.user, request=request)
        messages.success(request, _("User “%(name)s” can try to sign in again.") % {"name": user.get_username()})
        return redirect("hotlines:user-edit", pk=pk)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = {"roles": "role"}.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        # Password validators raise plain lists: they belong to the password field.
        form.add_error("password1" if "password1" in form.fields else None, exc)
