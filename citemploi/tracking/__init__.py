"""Journal of a pathway, outcomes (sorties) with 3/6/12-month checks, dropping-out risk."""
