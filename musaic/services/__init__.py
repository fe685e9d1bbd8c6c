"""Use cases: each service function is one thing a listener or an operator can do."""
