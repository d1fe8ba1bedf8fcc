"""Screens of the partnership: map and network, committees and meetings, roadmap, events, employers."""
