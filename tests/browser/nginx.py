"""nginx on loopback, configured with the README's own ``server`` blocks."""

from __future__ import annotations

import re
import socket
import subprocess
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.needs import MIME_TYPES, tool
from tests.conftest import ROOT

README_OUTPUT = "/srv/bangtin/output"


def readme_server_blocks() -> list[str]:
    """The ```nginx blocks of the README's "Hosting `output/`" section: root, then sub-path."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = re.search(r"^## Hosting `output/`\n(.*?)^## ", text, re.S | re.M)
    assert section, "README.md has no '## Hosting `output/`' section"
    blocks = re.findall(r"^( *)```nginx\n(.*?)^\1```", section[1], re.S | re.M)
    assert len(blocks) == 2, "README's Hosting section should show two nginx blocks"
    return [textwrap.dedent(body) for _, body in blocks]


def server_block(output: Path, port: int, prefix: str = "/") -> str:
    """The README's block for ``prefix``, moved to ``output`` and to 127.0.0.1:``port``."""
    root_block, sub_block = readme_server_blocks()
    if prefix == "/":
        block = root_block
    else:
        assert re.fullmatch(r"/[a-z0-9-]+/", prefix), prefix
        block = sub_block.replace("/bangtin", prefix.rstrip("/"))
    assert "listen 80;" in block and README_OUTPUT in block, block
    return block.replace("listen 80;", f"listen 127.0.0.1:{port};").replace(
        README_OUTPUT, str(output)
    )


def nginx_conf(workdir: Path, server: str) -> str:
    """A whole config that keeps every file nginx writes inside ``workdir``."""
    temp = "\n".join(
        f"    {kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
# One process in the foreground, as the user running the tests (no switch to `nobody`,
# who could not read pytest's private temporary folders).
daemon off;
master_process off;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log {workdir / "access.log"};
{temp}
{textwrap.indent(server, "    ")}
}}
"""


def free_port() -> int:
    """A port nobody listens on now, so a site can be built for it before nginx starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def nginx_binary() -> Path:
    """Debian's nginx, once this machine has it (else a skip: tests.browser.needs)."""
    return Path(tool("nginx"))


@contextmanager
def nginx(output: Path, workdir: Path, port: int, prefix: str = "/") -> Iterator[str]:
    """``http://127.0.0.1:<port><prefix>``: nginx serving ``output`` until the block ends."""
    binary = nginx_binary()
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "nginx.conf"
    conf.write_text(nginx_conf(workdir, server_block(output, port, prefix)), "utf-8")
    log = workdir / "error.log"
    # -e: the log for messages before the config is read (else /var/log/nginx/error.log).
    proc = subprocess.Popen(
        [str(binary), "-e", str(log), "-p", str(workdir), "-c", str(conf)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                errors = log.read_text("utf-8") if log.exists() else ""
                pytest.fail(f"nginx exited with {proc.returncode}:\n{errors}\n{conf.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"nginx did not listen on 127.0.0.1:{port} within 10 s")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}{prefix}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
