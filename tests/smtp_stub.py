"""A tiny SMTP server in a thread, for tests of mail delivery against a real socket: it can hang (accept and never
answer), turn the first connections away with 421, or answer chosen codes to chosen recipients."""

import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Behaviour:
    hang: bool = False
    refuse_connections: int = 0  # the first N connections are greeted with 421 and closed
    recipient_codes: dict = field(default_factory=dict)  # address → codes answered to RCPT, one per try, then 250


class SMTPStub(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, behaviour: Behaviour):
        super().__init__(("127.0.0.1", 0), Handler)
        self.behaviour = behaviour
        self.connections = 0
        self.received: list[dict] = []  # {"from", "to", "data"} of each accepted message
        self.released = threading.Event()
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def next_code(self, address: str) -> int:
        with self.lock:
            codes = self.behaviour.recipient_codes.get(address, [])
            return codes.pop(0) if codes else 250

    def __enter__(self):
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        self.shutdown()
        self.server_close()


class Handler(socketserver.StreamRequestHandler):
    server: SMTPStub

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
            turned_away = self.server.connections <= self.server.behaviour.refuse_connections
        if self.server.behaviour.hang:
            self.server.released.wait()
            return
        if turned_away:
            self.reply("421 try again later")
            return
        self.reply("220 stub ESMTP")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 stub")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip(" <>")
                code = self.server.next_code(address)
                if code == 250:
                    recipients.append(address)
                self.reply(f"{code} {'OK' if code == 250 else 'not now' if code < 500 else 'no such user'}")
            elif verb == "DATA":
                if not recipients:
                    self.reply("503 no valid recipients")
                    continue
                self.reply("354 go ahead")
                data = self.read_data()
                with self.server.lock:
                    self.server.received.append({"from": sender, "to": recipients, "data": data})
                self.reply("250 queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")

    def read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line)
        return b"".join(lines)
