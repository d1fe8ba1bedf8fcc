"""Diagnostic (barriers and situations), plan of objectives and actions, hand-over of a person."""
