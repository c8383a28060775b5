"""A small local webhook receiver: verifies Samarbejde's signed CloudEvents and prints them.

    .venv/bin/python scripts/webhook_receiver.py --port 8088 --secret whsec_...

It answers 204 to every event whose Standard Webhooks signature verifies (401 otherwise), prints one line
per event (webhook-id, type, data) and notes a redelivery of a webhook-id it has already seen: the outbox
delivers at least once, so a receiver de-duplicates on webhook-id. `--fail-rate 0.3` answers 500 to that
share of requests at random, to watch the retries; `--delay-ms 20` answers each request that much later (a
receiver doing some work). The benchmark (bench/webhooks.py) uses it with --quiet as its sink: GET / reads
the counters, DELETE / resets them (before each run, so "duplicates" counts redeliveries within one run). Standard library plus the `standardwebhooks` package (installed by make).
"""

import argparse
import contextlib
import json
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_handler(secret: str | None, fail_rate: float, quiet: bool, delay_ms: float = 0.0):
    verifier = None
    if secret:
        from standardwebhooks.webhooks import Webhook

        verifier = Webhook(secret)
    seen: set[str] = set()
    lock = threading.Lock()
    counts = {"received": 0, "duplicates": 0, "rejected": 0, "failed": 0}
    zero = dict(counts)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # the default access log line per request is noise here
            pass

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):  # the benchmark reads the counters here
            body = json.dumps(counts | {"unique": len(seen)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_DELETE(self):  # the benchmark resets the counters before each run
            with lock:
                seen.clear()
                counts.update(zero)
            self._answer(204)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if delay_ms:
                time.sleep(delay_ms / 1000)
            if fail_rate and random.random() < fail_rate:
                with lock:
                    counts["failed"] += 1
                return self._answer(500)
            if verifier is not None:
                try:
                    verifier.verify(body, dict(self.headers.items()))
                except Exception as exc:
                    with lock:
                        counts["rejected"] += 1
                    if not quiet:
                        print(f"REJECTED ({type(exc).__name__}: {exc})", flush=True)
                    return self._answer(401)
            webhook_id = self.headers.get("webhook-id", "")
            with lock:
                duplicate = webhook_id in seen
                seen.add(webhook_id)
                counts["received"] += 1
                counts["duplicates"] += duplicate
            if not quiet:
                try:
                    event = json.loads(body)
                except ValueError:
                    event = {}
                note = "  (redelivery: already seen)" if duplicate else ""
                verified = "verified" if verifier is not None else "NOT verified (no --secret)"
                print(f"{webhook_id}  {event.get('type')}  {verified}{note}", flush=True)
                print(f"  data: {json.dumps(event.get('data'), ensure_ascii=False)}", flush=True)
            self._answer(204)

    return Handler


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--secret", help="the whsec_... signing secret printed by manage.py create_webhook")
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--delay-ms", type=float, default=0.0, help="answer each event this much later")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer(
        (args.host, args.port), make_handler(args.secret, args.fail_rate, args.quiet, args.delay_ms)
    )
    server.daemon_threads = True
    if not args.quiet:
        print(f"Listening on http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
