"""Domain services: plain functions taking a SQLAlchemy Session and plain data.

Services never touch ``request``, ``session`` or ``flash``; views translate
their exceptions into pages and status codes.
"""
