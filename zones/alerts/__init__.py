"""Alerts (issue 24): level changes reach the people responsible, once, with the reason.

``kinds`` (what a change is, per kind: a registry), ``subscriptions`` (who is told about
what), ``run`` (compare with the last run, write the outbox, send), ``digest`` (the
words of one message), ``mail`` (SMTP), ``outbox`` (the feed and the administrator's
view)."""
