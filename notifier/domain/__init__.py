"""Pure domain of the notifier: notifications, delivery policy, team summaries."""
