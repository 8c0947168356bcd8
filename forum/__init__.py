"""The forum web application."""

from forum import urls as _urls  # noqa: F401  (ids in URL paths: before any route is built)
