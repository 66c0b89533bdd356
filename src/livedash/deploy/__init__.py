"""Bringing livedash up: the demo launcher (and, later, rendered deployment configuration)."""
