"""Demo content and synthetic data: the `demo`, `seed` and `start` commands."""
