"""Synthetic data for measuring the application at scale (issue 8): ``manage.py generate_data``.

A Django app of its own, apart from ``cooperation``: the product never imports it, and it is installed only
where the command is wanted (development, the tests, the benchmarks), not in production. It writes straight
into the app's tables (``tables.py``, ``generator.py``), marks what it wrote (``marks.py``) and removes it
again (``clear.py``).
"""
