# One Danish date format everywhere (templates use |date:"DATE_FORMAT" and |date:"DATETIME_FORMAT"; Python uses
# django.utils.formats.date_format(value, "DATE_FORMAT")): "4. november 2026" and "4. november 2026 kl. 14.05".
DATE_FORMAT = "j. F Y"
DATETIME_FORMAT = r"j. F Y \k\l. H.i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = r"d.m.Y \k\l. H.i"
TIME_FORMAT = r"\k\l. H.i"
