"""Webhooks: subscriptions, the delivery worker, and sending one signed request."""
