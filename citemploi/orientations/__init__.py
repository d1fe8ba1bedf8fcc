"""Closed-loop orientations of a person to a service of another structure."""
