"""Services hold the registry's rules. They take the session, may ``flush()``, and
never commit: the request, command or job that calls them commits once."""
