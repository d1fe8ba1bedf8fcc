"""Reads of the partnership domain, scoped to the acting cité (one module per area).

Named participants of events are personal data: they are read only through `queries.events`
(`participants_for`, `attended_events_for`), which show a person only to who may see their file.
"""
