"""Vietnamese dates and numbers: dd/mm/yyyy, 24-hour clock after the date, 1.234.567.

One date and one date-time format, zero-padded so columns line up: the short names equal the
long ones, so every page writes "03/12/2026" and "03/12/2026 15:50"."""

DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
