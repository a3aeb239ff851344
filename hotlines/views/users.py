"""The Users pages (administrators): list users, add them, set their role, deactivate, unlock."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from .. import selectors
from ..filtersets.users import UserFilterSet
from ..forms import UserCreateForm, UserUpdateForm
from ..services.users import user_create, user_set_active, user_unlock, user_update
from ..tables.users import UserTable
from .manage import (
    FilteredTableView,
    ObjectActionView,
    ObjectFormView,
    ServiceFormView,
    SetActiveView,
    saved_message,
)

User = get_user_model()
sensitive_passwords = method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")


class UserListView(FilteredTableView):
    permission_required = "auth.view_user"
    template_name = "hotlines/users/list.html"
    table_class = UserTable
    filterset_class = UserFilterSet

    def get_queryset(self):
        return selectors.user_list()

    def get_table_kwargs(self):
        return {"locked": selectors.user_locked_usernames()}


class UserFormMixin:
    """What adding and editing a user share: the template and where the service's errors go."""

    template_name = "hotlines/users/form.html"
    list_url_name = "hotlines:user-list"

    def profile(self, form) -> dict:
        """What adding and editing both hand the service: password, name, e-mail, and who acts."""
        data = form.cleaned_data
        return {
            "password": data["password1"],
            "email": data["email"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "actor": self.request.user,
            "request": self.request,
        }

    def add_errors(self, form, exc: ValidationError) -> None:
        """Put each of the service's errors on its field; password validators' on the password."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                field = {"roles": "role"}.get(field, field)
                form.add_error(field if field in form.fields else None, errors)
        else:
            # Password validators raise plain lists: they belong to the password field.
            form.add_error("password1" if "password1" in form.fields else None, exc)


@sensitive_passwords
class UserCreateView(UserFormMixin, ServiceFormView):
    permission_required = "auth.add_user"
    form_class = UserCreateForm

    def save(self, form):
        return user_create(username=form.cleaned_data["username"], roles=form.roles, **self.profile(form))

    def saved(self, result):
        messages.success(self.request, _("User “%(name)s” added.") % {"name": result.get_username()})
        return redirect("hotlines:user-list")


@sensitive_passwords
class UserUpdateView(UserFormMixin, ObjectFormView):
    permission_required = "auth.change_user"
    form_class = UserUpdateForm
    model = User
    form_object_kwarg = "user"
    context_object_name = "edited"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["locked"] = self.object.get_username() in selectors.user_locked_usernames()
        return context

    def save(self, form):
        return user_update(
            user=self.object,
            # The radio shows only the highest role: leave the groups alone unless it was changed.
            roles=form.roles if "role" in form.changed_data else None,
            is_active=form.cleaned_data["is_active"],
            **self.profile(form),
        )

    def saved(self, result):
        text = _("User “%(name)s” saved.") % {"name": self.object.get_username()}
        saved_message(self.request, changed=result, text=text)
        return redirect("hotlines:user-list")


class UserActiveView(SetActiveView):
    """POST `active=1` or `active=0`."""

    permission_required = "auth.change_user"
    model = User
    list_url_name = "hotlines:user-list"

    def set_active(self, obj, *, active):
        return user_set_active(user=obj, is_active=active, actor=self.request.user, request=self.request)

    def done_message(self, obj, *, active):
        text = _("User “%(name)s” can sign in again.") if active else _("User “%(name)s” deactivated.")
        return text % {"name": obj.get_username()}


class UserUnlockView(ObjectActionView):
    """POST: lift a sign-in lock-out before its cool-off ends."""

    permission_required = "auth.change_user"
    model = User

    def act(self, request, obj):
        user_unlock(user=obj, actor=request.user, request=request)
        messages.success(request, _("User “%(name)s” can try to sign in again.") % {"name": obj.get_username()})
        return redirect("hotlines:user-edit", pk=obj.pk)
