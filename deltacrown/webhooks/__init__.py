"""Outgoing webhooks: organizers' endpoints, signed Standard Webhooks deliveries with retries,
a circuit breaker per endpoint, an SSRF guard, and the delivery log they can replay from."""
