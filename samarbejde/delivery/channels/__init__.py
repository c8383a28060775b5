"""One gateway module per channel, each with `send(delivery) -> SendResult` (see base.py)."""
