"""core: see README, "How it works"."""
