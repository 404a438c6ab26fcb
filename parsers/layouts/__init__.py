"""Lab layouts: the :class:`~parsers.layouts.base.Layout` protocol and its implementations."""
