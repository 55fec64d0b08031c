"""Every message of the platform, once: envelope, one module per producer, and the catalogue."""
