"""core.index: see README, "How it works"."""
