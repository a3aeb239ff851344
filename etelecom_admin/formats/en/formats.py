"""English dates as staff in Vietnam read them: day before month, month by name, 24-hour clock.

One date and one date-time format: the short names equal the long ones, so a page, a table, a
filter chip and the Django admin all write "29 Oct 2026" and "29 Oct 2026, 15:50"."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
