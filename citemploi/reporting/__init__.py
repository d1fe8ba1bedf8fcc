"""Indicators, dashboards, shared diagnostic, budget, national questionnaire, statistical secrecy."""
