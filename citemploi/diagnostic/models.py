"""Models of the diagnostic domain."""
