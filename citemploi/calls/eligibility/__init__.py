"""Eligibility rules as data: a catalogue of rule types (Python classes with a JSON parameter schema, a
French description and a check), instantiated per call by the coordinator (parameters, severity, message).

- `base`: the rule type protocol, the registry, the facts a rule reads, results;
- `catalogue`: the rule types (everything the seeds' calls state, and a few more);
- `engine`: evaluation of a call's rules on a file.
"""

from citemploi.calls.eligibility import catalogue  # noqa: E402,F401  (registers the rule types)
