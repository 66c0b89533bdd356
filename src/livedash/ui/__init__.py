"""The Panel application: per-session page composition, widgets, and the session updater."""
