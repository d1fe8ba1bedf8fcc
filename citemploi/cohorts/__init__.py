"""Cohorts, proposals of candidates and the monthly commission."""
