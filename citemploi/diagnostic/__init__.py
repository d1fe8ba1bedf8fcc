"""Shared diagnostic: reference indicators per QPV and the offer-vs-need matrix."""
