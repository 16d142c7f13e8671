"""service: see README, "How it works"."""
