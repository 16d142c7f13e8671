"""web.staff: see README, "How it works"."""
