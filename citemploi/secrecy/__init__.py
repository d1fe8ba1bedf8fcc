"""Statistical secrecy of every figure that leaves the cité: thresholds, complementary suppression, log."""
