"""``cfinfra preflight``: one read-only checklist an admin runs before the first real preview."""
