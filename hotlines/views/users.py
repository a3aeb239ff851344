"""The Users pages (administrators): list users, add them, set their role, deactivate, unlock."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .. import selectors
from ..filtersets.users import UserFilterSet
from ..forms import UserCreateForm, UserUpdateForm
from ..services.users import user_create, user_set_active, user_unlock, user_update
from ..tables.users import UserTable

User = get_user_model()
sensitive_passwords = method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")


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
