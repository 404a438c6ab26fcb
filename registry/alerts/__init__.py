"""Alert channels: how a delivery leaves the registry.

* ``ssrf``: which webhook addresses may be reached at all (checked at sign-up and again
  on every attempt, against the address actually connected to);
* ``webhook``: Standard Webhooks signing and the HTTP POST;
* ``mail``: composing alert digests and confirmation mail, and SMTP.

Nothing here touches the database: ``registry.services.deliveries`` decides what to
send and records what happened; ``registry.tasks.alerts`` runs both.
"""
