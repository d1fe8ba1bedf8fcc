"""Models of the tracking domain."""
