"""The forum web application."""
