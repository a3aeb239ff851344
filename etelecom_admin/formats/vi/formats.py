"""Vietnamese dates and numbers: dd/mm/yyyy, 24-hour clock, 1.234.567."""

DATE_FORMAT = "j/n/Y"
DATETIME_FORMAT = "H:i, j/n/Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
