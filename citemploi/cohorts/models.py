"""Models of the cohorts domain."""
