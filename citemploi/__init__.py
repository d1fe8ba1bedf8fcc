"""citemploi: the platform of a French cité de l'emploi."""
