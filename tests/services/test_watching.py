"""Watches' writes: a view one may see or a hotline, once per person, the channel, removal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from hotlines.models import Watch
from hotlines.services.watching import watch_hotline, watch_remove, watch_set_email, watch_view
from tests.factories import HotlineFactory, SavedViewFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_watching_twice_returns_the_same_watch_unchanged():
    user = UserFactory()
    view = SavedViewFactory(owner=user)
    first, created = watch_view(user=user, view=view, email=True)
    again, created_again = watch_view(user=user, view=view, email=False)
    assert created and not created_again and first.pk == again.pk and again.email
    hotline = HotlineFactory()
    one, _ = watch_hotline(user=user, hotline=hotline)
    two, created = watch_hotline(user=user, hotline=hotline, email=True)
    assert one.pk == two.pk and not created and not two.email
    assert Watch.objects.count() == 2


def test_a_shared_view_may_be_watched_a_private_one_of_another_not():
    me, other = UserFactory(), UserFactory()
    watch_view(user=me, view=SavedViewFactory(owner=other, shared=True))
    with pytest.raises(PermissionDenied):
        watch_view(user=me, view=SavedViewFactory(owner=other, shared=False))


def test_channel_and_removal_are_the_owners_only():
    me, other = UserFactory(), UserFactory()
    watch, _ = watch_hotline(user=me, hotline=HotlineFactory())
    with pytest.raises(PermissionDenied):
        watch_set_email(user=other, watch=watch, email=True)
    with pytest.raises(PermissionDenied):
        watch_remove(user=other, watch=watch)
    assert watch_set_email(user=me, watch=watch, email=True)
    assert not watch_set_email(user=me, watch=watch, email=True)
    watch.refresh_from_db()
    assert watch.email
    watch_remove(user=me, watch=watch)
    assert not Watch.objects.exists()
