"""web.routes: see README, "How it works"."""
