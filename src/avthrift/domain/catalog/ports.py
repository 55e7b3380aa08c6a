"""Ports of the catalog context. Every method runs inside the caller's unit of work."""
