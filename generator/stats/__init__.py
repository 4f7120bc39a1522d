"""``bangtin stats``: how many residents scan each board, from the web server's own logs.

targets.py (which paths are boards and notices) -> logs.py (reading access logs) ->
classify.py (a scan, a view, a crawler, a link preview) -> count.py (per board and day)
-> report.py (table, CSV, JSON, the HTML report).  ``generator.api.stats`` runs them.
"""
