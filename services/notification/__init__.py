"""Notification: templates, channels and delivery (skeleton for now)."""
