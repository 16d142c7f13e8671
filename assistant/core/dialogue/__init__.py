"""core.dialogue: see README, "How it works"."""
