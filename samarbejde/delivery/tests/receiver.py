"""A real webhook receiver on loopback for the tests: http.server in a thread, with scripted faults.

`behaviour(request, attempt)` says what to do with each request (attempt = how many times this webhook-id
has arrived, counting this one): OK (200), ERROR (500), TIMEOUT (answer only after `sleep` seconds, by
which time the sender has given up), DROP (close the connection without an answer), BLOCK (hold the
request until `release` is set) or OK_THEN_CLOSE. `keep_alive=True` answers HTTP/1.1 and keeps connections
open (the default, HTTP/1.0, closes each); a request's `port` is the sender's, one per connection. Every
request is logged with its headers, body and the signature check made on arrival (Standard Webhooks reference implementation, while the clock is still the sender's).
"""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

OK, ERROR, TIMEOUT, DROP, BLOCK = "ok", "500", "timeout", "drop", "block"
# Answer 200, then close the kept-alive connection without saying so (as a receiver closing idle connections does).
OK_THEN_CLOSE = "ok-then-close"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    attempt: int
    action: str = OK
    verified: bool | None = None
    port: int = 0

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")


@dataclass
class Receiver:
    behaviour: object = None  # callable(Received, attempt) -> action; default: always OK
    secret: str = ""  # when set, every request's signature is checked on arrival
    keep_alive: bool = False
    sleep: float = 2.0
    requests: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    blocked: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if receiver.keep_alive else "HTTP/1.0"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    attempt = 1 + sum(1 for r in receiver.requests if r.webhook_id == headers.get("webhook-id"))
                    request = Received(headers=headers, body=body, attempt=attempt, port=self.client_address[1])
                    if receiver.secret:
                        try:
                            Webhook(receiver.secret).verify(body, headers)
                            request.verified = True
                        except WebhookVerificationError:
                            request.verified = False
                    request.action = receiver.behaviour(request, attempt) if receiver.behaviour else OK
                    receiver.requests.append(request)
                action = request.action
                if action == DROP:
                    self.close_connection = True
                    return
                if action == TIMEOUT:
                    time.sleep(receiver.sleep)
                if action == BLOCK:
                    receiver.blocked.set()
                    receiver.release.wait(60)
                status = 500 if action == ERROR else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                    if action == OK_THEN_CLOSE:
                        self.close_connection = True
                except OSError:  # the sender gave up (timeout) or died (SIGKILL)
                    pass

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/samarbejde"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def accepted_ids(self) -> set[str]:
        """Event ids the receiver accepted with a 2xx (or processed before the sender timed out)."""
        return {r.webhook_id for r in self.requests if r.action in (OK, OK_THEN_CLOSE, TIMEOUT, BLOCK)}

    def connections(self) -> int:
        return len({r.port for r in self.requests})

    def by_id(self) -> dict[str, list[Received]]:
        grouped: dict[str, list[Received]] = {}
        for request in self.requests:
            grouped.setdefault(request.webhook_id, []).append(request)
        return grouped
