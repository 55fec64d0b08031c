"""Registration: dialogue sessions, delegates, waiting lists, check-in and attendance."""
