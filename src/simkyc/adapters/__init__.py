"""Adapters: database, evidence store, crypto. They depend on the domain, never the reverse."""
