"""Pure domain of the notifier: notifications, delivery policy, what and when a team is mailed."""
