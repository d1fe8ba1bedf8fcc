"""Models of the orientations domain."""
