"""evaluation: see README, "How it works"."""
