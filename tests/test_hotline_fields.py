"""The hotline field registry drives the table, exports, history, the sync's SQL and the sandbox."""

from dataclasses import fields

from hotlines import hotline_fields, selectors
from hotlines.columns import COLUMN_FIELDS, DEFAULT_COLUMNS
from hotlines.etelecom import demo_data, types
from hotlines.etelecom.sandbox import with_nulls
from hotlines.hotline_fields import API_FIELDS, DERIVED_FIELDS, FIELDS, HOTLINE_FIELDS, LIST_COLUMNS, TRACKED_FIELDS
from hotlines.models import Hotline, StagedHotline
from hotlines.services.exports.columns import ALL_COLUMNS, API_COLUMNS
from hotlines.services.sync import sql
from hotlines.tables import HotlineTable
from hotlines.templatetags.browsing import change_field_label


def test_every_field_is_a_model_field_once():
    assert len({field.name for field in HOTLINE_FIELDS}) == len(HOTLINE_FIELDS)
    model = {field.name for field in Hotline._meta.get_fields()}
    assert {field.query_path.split("__")[0] for field in HOTLINE_FIELDS if not field.reads} <= model
    # A derived field (the hotline's tenants) is no column of its own: it reads the hotline's.
    assert [field.name for field in DERIVED_FIELDS] == ["tenant_name", "tenant_domain"]
    assert all(set(field.reads) <= model and field.name not in model for field in DERIVED_FIELDS)
    assert not any(field.sortable or field.api_name or field.tracked for field in DERIVED_FIELDS)


def test_every_list_column_comes_from_the_registry_with_its_label_and_sort():
    assert list(HotlineTable.base_columns) == [field.name for field in LIST_COLUMNS] == list(COLUMN_FIELDS)
    assert len({field.column for field in LIST_COLUMNS}) == len(LIST_COLUMNS)
    for field in LIST_COLUMNS:
        column = HotlineTable.base_columns[field.name]
        assert str(column.verbose_name) == str(field.label)
        assert column.orderable == field.sortable
        if field.sortable:
            assert tuple(column.order_by) == (field.query_path, "id")
        assert set(field.query_paths) <= set(COLUMN_FIELDS[field.name])
    assert tuple(field.name for field in LIST_COLUMNS if field.shown) == DEFAULT_COLUMNS
    assert "tenant_name" in DEFAULT_COLUMNS and "tenant_domain" not in DEFAULT_COLUMNS
    needed = {path for name in DEFAULT_COLUMNS for path in FIELDS[name].query_paths}
    assert set(selectors.hotlines.LIST_FIELDS) >= needed


def test_every_field_exports_in_registry_order_and_the_api_ones_as_json():
    assert [column.key for column in ALL_COLUMNS] == [field.name for field in HOTLINE_FIELDS]
    assert [column.api_name for column in API_COLUMNS] == [field.api_name for field in API_FIELDS]
    for column in ALL_COLUMNS:
        field = FIELDS[column.key]
        assert (column.field, column.title, column.kind, column.width) == (
            field.query_path,
            str(field.export_label or field.label),
            field.kind,
            field.export_width,
        )


def test_history_labels_only_for_tracked_fields():
    for field in HOTLINE_FIELDS:
        label = change_field_label(field.name)
        assert (label == str(field.change_label)) if field.tracked else (label == field.name)
    assert change_field_label("hotline") == "Number"  # the history's own word for it
    assert tuple(field.name for field in TRACKED_FIELDS) == sql.HISTORY_FIELDS


def test_sync_columns_are_the_api_fields_and_exist_on_both_tables():
    content = [field.name for field in API_FIELDS if field.name != hotline_fields.UPSTREAM_KEY]
    assert [name for name in sql.CONTENT_COLUMNS if name in FIELDS] == content
    staged = {field.name for field in StagedHotline._meta.get_fields()}
    assert set(sql.STAGED_COLUMNS) <= staged
    assert set(sql.CONTENT_COLUMNS) <= {field.name for field in Hotline._meta.get_fields()}
    assert sql.CONTENT_COLUMNS["is_free_charge"] == "boolean"


def test_the_payload_type_and_the_sandbox_have_the_registry_shape():
    assert [f.name for f in fields(types.Hotline)] == [field.api_name for field in API_FIELDS] + ["raw"]
    payload = demo_data.hotline(1, 0, size=10)
    assert list(payload) == [field.api_name for field in API_FIELDS]
    parsed = types.Hotline.from_payload(payload)
    assert parsed.raw == payload
    missing = with_nulls(payload, 1)
    assert list(missing) == [field.api_name for field in API_FIELDS if field.required]
    assert types.Hotline.from_payload(missing).name == ""
