"""store: see README, "How it works"."""
