"""Writes of the partnership domain (one module per area). Each service checks the policy for the acting
context, writes in one transaction with its audit row, and sends notifications on commit."""
