"""Models of the pathways domain."""
