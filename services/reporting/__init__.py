"""Reporting: read models, documents and the provincial feed."""
