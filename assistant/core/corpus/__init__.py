"""core.corpus: see README, "How it works"."""
