"""How notifications leave the notifier: the USD webhook and the team mailboxes (I/O only)."""
