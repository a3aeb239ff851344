"""The Vietnamese catalogue: complete, consistent with the code, compiled, and actually used."""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%s|%%")


def entries(catalogue) -> dict:
    out = {}
    for entry in catalogue:
        if entry.obsolete:
            continue
        key = (entry.msgctxt or "", entry.msgid)
        out[key] = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
    return out


def test_every_entry_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    assert po.metadata["Language"] == "vi" and po.metadata["Plural-Forms"].startswith("nplurals=1;")
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()]
    untranslated = [e.msgid for e in po if not e.obsolete and not (e.msgstr or e.msgstr_plural.get(0))]
    assert not untranslated, untranslated
    assert len(po) > 300


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(PO)):
        translated = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
        assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(PLACEHOLDER.findall(translated)), entry.msgid


def test_the_compiled_catalogue_matches_the_source(tmp_path):
    """The .mo is committed (so `make run` needs no gettext): it must be the .po compiled."""
    compiled = tmp_path / "django.mo"
    polib.pofile(str(PO)).save_as_mofile(str(compiled))
    assert entries(polib.mofile(str(MO))) == entries(polib.mofile(str(compiled))), "run `make messages`"


def test_every_string_of_the_code_is_in_the_catalogue(tmp_path):
    """What makemessages would extract now is all in the committed catalogue (run `make messages`
    and translate the new entries when this fails)."""
    # Not a skip: a catalogue check that quietly did not run would prove nothing.
    assert shutil.which("xgettext"), "GNU gettext is needed: `make test` installs it (scripts/ensure-gettext.sh)"
    for part in ("hotlines", "templates", "etelecom_admin"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    (tmp_path / "locale").mkdir()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
            call_command("makemessages", locale=["vi"], verbosity=0, no_obsolete=True)
    finally:
        os.chdir(cwd)
    extracted = set(entries(polib.pofile(str(tmp_path / "locale" / "vi" / "LC_MESSAGES" / "django.po"))))
    missing = extracted - set(entries(polib.pofile(str(PO))))
    assert not missing, f"not in locale/vi (run `make messages` and translate them): {sorted(missing)[:20]}"


@pytest.mark.django_db
def test_pages_speak_vietnamese(client, viewer):
    client.force_login(viewer)
    client.post("/preferences/language/", {"language": "vi"})
    text = client.get("/hotlines/").text
    for phrase in ("Tìm kiếm", "Trạng thái", "Nhà mạng", "Số dòng mỗi trang", "Đăng xuất", "Tổng quan"):
        assert phrase in text
    home = client.get("/").text
    assert "Theo nhà mạng và trạng thái" in home and "Lần đồng bộ gần nhất" in home
