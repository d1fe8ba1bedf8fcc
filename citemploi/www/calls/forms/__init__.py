"""Forms of the calls screens, one module per area."""
