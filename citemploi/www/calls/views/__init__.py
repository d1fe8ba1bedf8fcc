"""Screens of the calls for projects, one module per area."""
