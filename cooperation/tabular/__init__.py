"""CSV: the columns of each resource (``columns``), the export (``exports``) and the import (``imports``)."""
