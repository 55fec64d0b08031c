"""The shared kit of Nghe Dân: contracts, messaging, storage, logging, settings and the clock."""
