"""Outbound webhooks (spec §5): tenant subscriptions, the transactional outbox, signed delivery by
the job worker with retries, the SSRF guard (checklist WH-1 to WH-6). docs/webhooks.md."""
