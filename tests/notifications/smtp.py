"""A real SMTP server on loopback, for the tests: socketserver in a thread.

Django's own SMTP backend talks to it over a socket. It can be down (nothing
listens: the connection is refused), up but refusing (it greets every
connection with "421 try again later", as a server under maintenance does), or
accepting, when it keeps every message it was given.
"""

import email
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from email.message import Message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler(socketserver.StreamRequestHandler):
    timeout = 10

    def say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        smtp: SmtpServer = self.server.smtp  # type: ignore[attr-defined]
        smtp.connections += 1
        if smtp.refusing:
            self.say("421 4.3.2 Service not available, try again later")
            return
        self.say("220 mail.test ESMTP")
        while line := self.rfile.readline():
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb in (b"EHLO", b"HELO"):
                self.say("250 mail.test")
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.say("250 OK")
            elif verb == b"DATA":
                self.say("354 End data with <CR><LF>.<CR><LF>")
                smtp.accept(self._data())
                self.say("250 OK: queued")
            elif verb == b"QUIT":
                self.say("221 Bye")
                return
            else:
                self.say("502 Command not implemented")

    def _data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


@dataclass
class SmtpServer:
    port: int = field(default_factory=free_port)
    refusing: bool = False
    messages: list[Message] = field(default_factory=list)
    connections: int = 0
    _server: _Server | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def accept(self, data: bytes) -> None:
        with self._lock:
            self.messages.append(email.message_from_bytes(data))

    def start(self, *, refusing: bool = False) -> None:
        """Listen on the port (refusing every message, or accepting them)."""
        self.refusing = refusing
        if self._server is None:
            self._server = _Server(("127.0.0.1", self.port), _Handler)
            self._server.smtp = self  # type: ignore[attr-defined]
            threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Nothing listens any more: connections are refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
