"""Authentication: passwords, keys, sessions and tokens middleware, sign-in throttling."""
