"""Reports: the tables a report shows (``build``, ``data``), small-cell suppression,
HTML/Markdown/CSV/JSON output with a data package (``render``, ``datapackage``), charts,
by-group views, the report language (``i18n``), the ``words`` table and corpus export."""
