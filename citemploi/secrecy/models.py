"""Models of the secrecy domain."""
