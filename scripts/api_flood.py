"""Measure what a chunked POST flood does to a real ``wirewatch serve``: the answer, how many bytes
the client got to send, and the server's resident memory before and at its peak (Linux /proc).

    python scripts/api_flood.py --db sqlite:///events.db [--mb 256] [--send-token none|wrong|right]

The server runs with a write token; the flood is sent without one (default), with a wrong one, or
with the right one (then it is cut at the body limit, 413).
"""

from __future__ import annotations

import argparse
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

TOKEN = "flood-token"


def _rss(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _status(sock: socket.socket) -> str:
    sock.settimeout(60)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return data.split(b"\r\n", 1)[0].decode("latin-1", "replace")


def flood(port: int, total: int, token: str | None) -> tuple[str, int, float]:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (f"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    chunk = 1 << 20
    piece = f"{chunk:x}\r\n".encode() + b"[" * chunk + b"\r\n"
    sent, t0 = 0, time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head)
        try:
            while sent < total and not select.select([sock], [], [], 0)[0]:
                sock.sendall(piece)
                sent += chunk
            if sent >= total:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return _status(sock), sent, time.monotonic() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--mb", type=int, default=256, help="body size to attempt (MB)")
    ap.add_argument("--send-token", choices=["none", "wrong", "right"], default="none")
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "wirewatch", "serve", "--db", args.db, "--port", str(port),
                             "--token", TOKEN], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                    sock.sendall(b"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    if " 200 " in _status(sock):
                        break
            except OSError:
                time.sleep(0.2)
        before = _rss(proc.pid, "VmRSS")
        token = {"none": None, "wrong": "wrong", "right": TOKEN}[args.send_token]
        status, sent, seconds = flood(port, args.mb << 20, token)
        print(f"token={args.send_token} answer={status!r} sent={sent >> 20} MB in {seconds:.1f} s; "
              f"server RSS before {before:.0f} MB, peak after {_rss(proc.pid, 'VmHWM'):.0f} MB")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()
