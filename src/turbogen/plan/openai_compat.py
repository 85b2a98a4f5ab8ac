"""Any OpenAI-compatible chat endpoint (llama.cpp's llama-server, Ollama, vLLM, OpenAI itself)
writes the ScenePlan, with the same few-shot prompt, checks, retry and fallback as smollm2.

Plain urllib: one POST per conversation to {endpoint}/v1/chat/completions, temperature 0.
Whatever goes wrong with the server itself (down, refused, slow, HTTP error, not the expected
JSON) raises PlannerUnavailable (exit code 3), naming the URL and what to check.
"""
from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from ..errors import InputError, PlannerUnavailable
from .base import PlanResult
from .llm_prompt import plan_one, plan_results
from .scene_plan import ScenePlan

CHAT_PATH = "/v1/chat/completions"
START_HINT = ("is the server running? e.g. llama.cpp: llama-server -m model.gguf --port 8080; "
              "Ollama: ollama serve (port 11434); vLLM: vllm serve MODEL (port 8000)")
MAX_TOKENS = 512          # a six-object plan is ~350 tokens; stops a model that never ends


def chat_url(endpoint: str) -> str:
    """{endpoint}/v1/chat/completions, whether `endpoint` ends in /v1, /v1/ or neither (or is
    the full chat URL already)."""
    parsed = urllib.parse.urlsplit(endpoint.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InputError(f"--endpoint {endpoint!r} is not an http(s) URL; give the server's "
                         "base URL, e.g. http://127.0.0.1:8080")
    path = parsed.path.rstrip("/")
    for suffix in (CHAT_PATH, "/v1"):
        if path.endswith(suffix):
            path = path[:-len(suffix)]
            break
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, path + CHAT_PATH, "", ""))


class OpenAICompatPlanner:
    """Few-shot JSON planning through an OpenAI-compatible chat endpoint, validated, retried
    once, then `fallback`. Temperature 0, so `seed` only reaches the fallback planner."""

    name = "openai"

    def __init__(self, endpoint: str, model: str, fallback, api_key: str | None = None,
                 timeout: float = 60.0, workers: int = 4):
        if not model or not model.strip():
            raise InputError("the openai planner needs --model NAME: the model's name at the "
                             "endpoint (llama-server accepts any name)")
        self.url = chat_url(endpoint)
        self.model = model.strip()
        self.fallback = fallback
        self.api_key = api_key or None
        self.timeout = timeout
        self.workers = workers        # concurrent requests in plan_many (servers queue the rest)
        self.last_used: str = self.name
        self.last_fallback: str | None = None

    # ---- one request -------------------------------------------------------------------------

    def ask(self, messages: list[dict]) -> str:
        """The assistant's text for `messages`, or PlannerUnavailable saying what went wrong."""
        body = json.dumps({"model": self.model, "messages": messages, "temperature": 0,
                           "max_tokens": MAX_TOKENS}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            raise PlannerUnavailable(self._http_problem(err)) from None
        except urllib.error.URLError as err:
            raise PlannerUnavailable(self._connection_problem(err.reason)) from None
        except (TimeoutError, socket.timeout, ConnectionError, http.client.HTTPException) as err:
            raise PlannerUnavailable(self._connection_problem(err)) from None
        return self._content(raw)

    def _connection_problem(self, reason) -> str:
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return (f"no answer from {self.url} within {self.timeout:g} s; the server may be "
                    "overloaded or the model slow to load: raise --timeout, or check the server")
        if isinstance(reason, ConnectionRefusedError):
            return f"connection refused at {self.url}: {START_HINT}"
        if isinstance(reason, socket.gaierror):
            return f"cannot resolve the host of {self.url} ({reason.strerror}): check --endpoint"
        return (f"cannot reach {self.url} ({type(reason).__name__}: {reason}); is it an "
                f"OpenAI-compatible server? {START_HINT}")

    def _http_problem(self, err: urllib.error.HTTPError) -> str:
        said = _server_message(err)
        where = f"{self.url} answered HTTP {err.code}{f' ({said})' if said else ''}"
        if err.code in (401, 403):
            return (f"{where}: the server wants a valid API key; pass --api-key or set "
                    "TURBOGEN_API_KEY (or OPENAI_API_KEY)")
        if err.code == 404:
            return (f"{where}: check --endpoint (the server's base URL, e.g. "
                    f"http://127.0.0.1:8080) and that --model {self.model!r} exists there")
        if err.code >= 500:
            return f"{where}: the server failed; see its log"
        return f"{where}: the server did not accept the request; check --model {self.model!r}"

    def _content(self, raw: bytes) -> str:
        try:
            data = json.loads(raw)
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise PlannerUnavailable(
                f"{self.url} did not answer like an OpenAI chat completion (expected JSON with "
                f"choices[0].message.content; got {raw[:120]!r}): check --endpoint") from None
        if isinstance(content, list):     # some servers send content as typed parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str):
            raise PlannerUnavailable(f"{self.url} sent choices[0].message.content that is not "
                                     f"text ({type(content).__name__})")
        return content

    def _ask_many(self, conversations: list[list[dict]]) -> list[str]:
        if len(conversations) <= 1 or self.workers <= 1:
            return [self.ask(c) for c in conversations]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return list(pool.map(self.ask, conversations))

    # ---- the planner interface ---------------------------------------------------------------

    def plan(self, prompt: str, seed: int = 0) -> ScenePlan:
        """Plan one prompt; raises InputError, PlanError, or PlannerUnavailable (server)."""
        self.last_used, self.last_fallback = self.name, None
        return plan_one(self, prompt, seed, self._ask_many)

    def plan_many(self, prompts: list[str], seed: int = 0) -> list[PlanResult]:
        """Plan prompts (prompt i gets seed + i), up to `workers` requests at a time."""
        return plan_results(self, prompts, seed, self._ask_many)


def _server_message(err: urllib.error.HTTPError) -> str:
    """The error text in an HTTP error's body: OpenAI's {"error": {"message": ...}}, llama.cpp's
    and Ollama's {"error": "..."}, or the start of a plain-text body."""
    try:
        raw = err.read()
    except OSError:
        return ""
    try:
        data = json.loads(raw)
        message = data.get("error", data) if isinstance(data, dict) else data
        if isinstance(message, dict):
            message = message.get("message", message)
        return str(message)[:200]
    except ValueError:
        return raw.decode("utf-8", "replace").strip()[:200]
