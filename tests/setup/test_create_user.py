"""`manage.py create_user NAME --role ROLE`: a person with a role, from the command line."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from hotlines.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

GOOD = "plum-Tiger-4817-river"


def _create(*args: str, stdin: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command("create_user", *args, stdout=out, stderr=err, **extra)
    return out.getvalue(), err.getvalue()


def _roles(username: str) -> list[str]:
    return list(get_user_model().objects.get(username=username).groups.values_list("name", flat=True))


def test_no_input_generates_a_password_and_prints_it_once():
    out, _err = _create("ana", "--role", "Viewer", "--email", "ana@example.com", "--no-input")
    password = re.fullmatch(
        r"Created the user “ana” with the role Viewer\.\nPassword: (\S+) \(shown only this once\)\n", out
    ).group(1)
    user = get_user_model().objects.get(username="ana")
    assert user.check_password(password) and len(password) >= 16
    assert (user.email, user.is_staff, user.is_superuser) == ("ana@example.com", False, False)
    assert _roles("ana") == ["Viewer"]
    assert AuditEntry.objects.filter(action=AuditAction.USER_CREATED, target="user ana").exists()


def test_the_password_is_typed_twice_and_never_shown():
    out, err = _create("bao", "--role", "operator", stdin=f"{GOOD}\n{GOOD}\n")  # any case of the role
    assert get_user_model().objects.get(username="bao").check_password(GOOD)
    assert _roles("bao") == ["Operator"]
    assert GOOD not in out + err and "Password:" not in out
    assert "Password (again)" in err  # the prompts


def test_a_mistyped_or_weak_password_is_asked_again():
    typed = f"{GOOD}\n{GOOD}x\n" + "12345678\n12345678\n" + f"{GOOD}\n{GOOD}\n"
    _out, err = _create("chi", "--role", "Exporter", stdin=typed)
    assert "The two passwords differ." in err
    assert "too common" in err or "entirely numeric" in err
    assert get_user_model().objects.get(username="chi").check_password(GOOD)


def test_an_empty_password_generates_one():
    out, _err = _create("dung", "--role", "Administrator", stdin="\n")
    password = re.search(r"Password: (\S+) \(shown only this once\)", out).group(1)
    user = get_user_model().objects.get(username="dung")
    assert user.check_password(password) and user.is_staff  # Administrators use the Django admin too


def test_no_password_on_a_closed_input_is_a_clear_error():
    with pytest.raises(CommandError, match=r"No password on the standard input.*--no-input") as info:
        _create("em", "--role", "Viewer", stdin="")
    assert info.value.returncode == 1
    assert not get_user_model().objects.filter(username="em").exists()


def test_three_bad_tries_give_up():
    with pytest.raises(CommandError, match="No acceptable password after 3 tries"):
        _create("gia", "--role", "Viewer", stdin="a\nb\n" * 3)
    assert not get_user_model().objects.filter(username="gia").exists()


def test_an_unknown_role_is_a_clear_error():
    with pytest.raises(CommandError) as info:
        _create("hoa", "--role", "Boss", "--no-input")
    assert str(info.value) == "Unknown role “Boss”: choose one of Viewer, Exporter, Operator, Administrator."
    assert info.value.returncode == 1
    assert not get_user_model().objects.filter(username="hoa").exists()


def test_an_existing_user_is_a_clear_error_before_any_prompt(django_user_model):
    django_user_model.objects.create_user(username="ana", password=GOOD)
    typed = io.StringIO(f"{GOOD}\n{GOOD}\n")
    with pytest.raises(CommandError, match="already exists") as info:
        call_command("create_user", "ana", "--role", "Administrator", stdin=typed, stdout=io.StringIO())
    assert info.value.returncode == 1 and typed.tell() == 0  # nothing was asked
    assert _roles("ana") == []  # and nothing changed


def test_a_bad_name_or_email_is_a_clear_error():
    with pytest.raises(CommandError, match="username"):
        _create("no spaces/allowed!", "--role", "Viewer", "--no-input")
    with pytest.raises(CommandError, match="valid email"):
        _create("ok", "--role", "Viewer", "--email", "not-an-email", "--no-input")
    assert not get_user_model().objects.exists()
