"""Messaging: the topology, the broker factory, the outbox relay, the consumer pipeline, dead letters."""
