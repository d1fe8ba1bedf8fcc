"""The cité's yearly budget: envelope, co-funding, allocation, commitments and payments."""
