"""Notification: templates, channels and delivery."""
