# The English pages keep the Danish date shape (the product is Danish; only the month name is English):
# "4. November 2026" and "4. November 2026 kl. 14.05", as on every other page.
from samarbejde.formats.da.formats import *  # noqa: F403
