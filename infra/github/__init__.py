"""The GitHub organisation: Actions secrets, webhooks, settings, teams and repositories."""
