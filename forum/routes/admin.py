"""Administration pages (accounts, groups, boards): filled in below."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
