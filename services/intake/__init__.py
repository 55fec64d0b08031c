"""Intake: the people's recommendations, feedback, complaints and denunciations."""
