"""Forms of the partnership screens, one module per area."""
