"""deploy/nginx-zones.conf as an administrator installs it: nginx accepts it (``nginx -t``),
and when every replica is full (``max_conns``) a new visitor gets the "busy" page at once
(503, Retry-After, Vietnamese first), while the replica's open connection goes on; once a
place is free the app answers again. Debian's nginx (``.ci/run`` installs nginx-light);
the replica is a stand-in HTTP server holding its one allowed connection open."""

from __future__ import annotations

import http.server
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = pytest.mark.skipif(NGINX is None or shutil.which("openssl") is None,
                                reason="Debian's nginx and openssl (.ci/run installs them)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Replica(http.server.ThreadingHTTPServer):
    """The app's stand-in: ``/hold`` keeps its connection until released (an open map's
    websocket), anything else answers at once."""

    daemon_threads = True

    def __init__(self, port: int) -> None:
        self.release = threading.Event()
        self.held = threading.Event()
        super().__init__(("127.0.0.1", port), Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/hold":
            self.server.held.set()
            self.server.release.wait(60)
        body = b"app"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def site_config(tmp: Path, https: int, http_port: int, replica: int) -> str:
    """The shipped file with what step 5 tells the administrator to set (host name,
    certificate paths), loopback ports, and one replica allowed ONE connection."""
    text = (DEPLOY / "nginx-zones.conf").read_text(encoding="utf-8")
    servers = re.findall(r"^\s*server 127\.0\.0\.1:\d+ max_conns=\d+;$", text, re.M)
    assert len(servers) >= 2, "every replica has its max_conns"
    text = text.replace(servers[0].strip(), f"server 127.0.0.1:{replica} max_conns=1;")
    for line in servers[1:]:
        text = text.replace(line.strip(), "")
    text = (text.replace("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;")
                .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
                .replace("/etc/ssl/certs/zones.pem", str(tmp / "zones.pem"))
                .replace("/etc/ssl/private/zones.key", str(tmp / "zones.key"))
                .replace("root /opt/zones/deploy;", f"root {DEPLOY};"))
    return text


def fetch(url: str, timeout: float = 20) -> tuple[int, dict, str]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as answer:
            return answer.status, dict(answer.headers), answer.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode("utf-8")


def test_nginx_accepts_the_config_and_sends_the_busy_page_when_replicas_are_full(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(tmp_path / "zones.key"),
                    "-out", str(tmp_path / "zones.pem")], check=True, capture_output=True,
                   timeout=60)
    https, http_port, replica_port = free_port(), free_port(), free_port()
    (tmp_path / "zones.conf").write_text(site_config(tmp_path, https, http_port, replica_port),
                                         encoding="utf-8")
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/error.log;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/zones.conf;
}}
""", encoding="utf-8")
    args = [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
    checked = subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr

    replica = Replica(replica_port)
    threading.Thread(target=replica.serve_forever, daemon=True).start()
    proxy = subprocess.Popen([*args, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    base = f"https://127.0.0.1:{https}"
    holder: dict = {}
    try:
        deadline = time.monotonic() + 60
        while True:  # nginx up and the replica reached through it
            try:
                status, _, body = fetch(base + "/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline and proxy.poll() is None, "nginx not up"
                time.sleep(0.2)
        assert (status, body) == (200, "app")

        # an open map takes the replica's only place …
        hold = threading.Thread(target=lambda: holder.update(answer=fetch(base + "/hold", 60)))
        hold.start()
        assert replica.held.wait(30), "the held request never reached the replica"
        # … so the next visitor is told at once, in Vietnamese first, and to come back
        started = time.monotonic()
        status, headers, body = fetch(base + "/")
        assert status == 503
        assert time.monotonic() - started < 10
        assert headers.get("Retry-After") == "30"
        assert "Bản đồ cấp độ dịch đang phục vụ quá nhiều người cùng lúc" in body
        assert "too many people at once" in body
        assert "http-equiv=\"refresh\"" in body
        # the open map was not cut off, and a free place serves the app again
        replica.release.set()
        hold.join(30)
        assert holder["answer"][0] == 200
        deadline = time.monotonic() + 30
        while (answer := fetch(base + "/"))[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert answer[:1] == (200,) and answer[2] == "app"
        # the busy page is nginx's own (internal): not a page anyone can open by its address
        status, _, body = fetch(base + "/zones-busy.html")
        assert status == 404 and "quá nhiều người" not in body
    finally:
        replica.release.set()
        proxy.terminate()
        proxy.wait(30)
        replica.shutdown()
