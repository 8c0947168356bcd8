"""Sign-in throttling per IP address and per account (the `limits` library, memory or Redis)."""

from limits import RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from forum.errors import RateLimited


class LoginThrottle:
    """Counts failed sign-ins; too many from one IP or against one login refuses further tries."""

    def __init__(self, url: str, *, per_ip: int, per_account: int, window_seconds: int) -> None:
        scheme = url if url.startswith("async+") else f"async+{url}"
        self._storage = storage_from_string(scheme)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._per_ip = RateLimitItemPerSecond(per_ip, window_seconds)
        self._per_account = RateLimitItemPerSecond(per_account, window_seconds)
        self._window = window_seconds

    async def check(self, *, ip: str, login: str) -> None:
        """Raise RateLimited when this IP or this login has failed too often recently."""
        ip_ok = await self._limiter.test(self._per_ip, "login-ip", ip)
        account_ok = await self._limiter.test(self._per_account, "login-account", login)
        if not (ip_ok and account_ok):
            raise RateLimited(self._window)

    async def failed(self, *, ip: str, login: str) -> None:
        """Record a failed attempt."""
        await self._limiter.hit(self._per_ip, "login-ip", ip)
        await self._limiter.hit(self._per_account, "login-account", login)

    async def succeeded(self, *, login: str) -> None:
        """A successful sign-in clears the account's counter (not the IP's)."""
        await self._limiter.clear(self._per_account, "login-account", login)
