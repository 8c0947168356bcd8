"""Services: verb-named functions taking a Session; they never commit nor know HTTP."""
