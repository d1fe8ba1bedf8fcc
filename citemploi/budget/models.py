"""Models of the budget domain."""
