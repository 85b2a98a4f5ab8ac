"""The openai planner against a scripted OpenAI-compatible server on localhost."""
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from turbogen.cli.main import main
from turbogen.errors import InputError, PlanError, PlannerUnavailable
from turbogen.plan.base import run_planner
from turbogen.plan.openai_compat import OpenAICompatPlanner, chat_url
from turbogen.plan.scene_plan import ScenePlan

PLAN = {"background": "black", "exclude": [], "objects": [
    {"shape": "circle", "color": "red", "size": "medium", "box": [0.1, 0.1, 0.35, 0.35]}]}
VALID = json.dumps(PLAN)


class FakeFallback:
    name = "default"

    def __init__(self, refuse: bool = False):
        self.refuse = refuse

    def plan(self, prompt, seed=0):
        if self.refuse:     # as the default planner refuses words outside Shapes World
            raise PlanError(f"{prompt!r}: 'dog' is not something Shapes World knows")
        side = 10 / 64      # a small box
        return ScenePlan.from_dict({"objects": [{"shape": "star", "color": "blue", "size": "small",
                                                 "box": [0.4, 0.4, 0.4 + side, 0.4 + side]}]})


class ChatServer:
    """Answers POST /v1/chat/completions with scripted replies: a string becomes the assistant's
    content, a (status, body) pair is sent as is. Records every request."""

    def __init__(self):
        self.replies, self.requests = [], []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                server.requests.append({"path": self.path, "headers": dict(self.headers),
                                        "body": json.loads(self.rfile.read(length))})
                reply = server.replies.pop(0) if server.replies else VALID
                if isinstance(reply, float):     # a server too slow for the client's timeout
                    time.sleep(reply)
                    reply = VALID
                if isinstance(reply, tuple):
                    status, body = reply
                else:
                    status, body = 200, {"object": "chat.completion", "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": reply},
                         "finish_reason": "stop"}]}
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):     # keep pytest's output clean
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = ChatServer()
    yield s
    s.close()


def planner(server, **kwargs):
    return OpenAICompatPlanner(server.url, "test-model", fallback=FakeFallback(), **kwargs)


def test_valid_answer_is_the_plan(server):
    result = run_planner(planner(server), "a red circle on black")
    assert result.ok and result.planner == "openai" and result.fallback_reason is None
    assert result.plan.objects[0].color == "red" and result.plan.background == "black"
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    body = request["body"]
    assert body["model"] == "test-model" and body["temperature"] == 0
    assert body["messages"][0]["role"] == "system"
    assert body["messages"][-1] == {"role": "user", "content": "a red circle on black"}
    assert "Authorization" not in request["headers"]


def test_invalid_answer_is_retried_with_the_problem(server):
    server.replies = ['{"background": "white", "objects": [{"shape": "circle"}]}', VALID]
    result = run_planner(planner(server), "a red circle on black")
    assert result.planner == "openai" and result.fallback_reason is None
    retry = server.requests[1]["body"]["messages"]
    assert retry[-2]["role"] == "assistant"
    assert "missing color, size, box" in retry[-1]["content"]


def test_invalid_twice_falls_back_to_default(server):
    server.replies = ["no idea", '{"background": "white"']
    result = run_planner(planner(server), "a red circle on black")
    assert result.ok and result.planner == "default"
    assert "openai output invalid twice" in result.fallback_reason
    assert result.plan.objects[0].shape == "star"      # FakeFallback's plan


def test_model_refusal_is_a_plan_error_when_the_fallback_refuses_too(server):
    server.replies = ['{"error": "unknown object \'dog\'"}']
    engine = OpenAICompatPlanner(server.url, "m", fallback=FakeFallback(refuse=True))
    with pytest.raises(PlanError, match="dog"):
        engine.plan("a dog")


def test_chat_around_the_json_is_skipped(server):
    server.replies = [f"Sure! Here is the plan:\n```json\n{VALID}\n```\nEnjoy!"]
    result = run_planner(planner(server), "a red circle on black")
    assert result.planner == "openai" and result.plan.objects[0].shape == "circle"


@pytest.mark.parametrize("reply, words", [
    ((500, {"error": {"message": "model crashed"}}), "HTTP 500 (model crashed)"),
    ((401, {"error": {"message": "invalid api key"}}), "--api-key"),
    ((404, {"error": "model 'x' not found"}), "check --endpoint"),
    ((200, b"<html>hello</html>"), "choices[0].message.content"),
    ((200, {"choices": []}), "did not answer like an OpenAI chat completion"),
])
def test_server_problems_are_planner_unavailable(server, reply, words):
    server.replies = [reply]
    with pytest.raises(PlannerUnavailable, match=words.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")) as info:
        planner(server).plan("a red circle")
    assert server.url in str(info.value)


def test_slow_server_times_out_with_advice(server):
    server.replies = [1.0]
    with pytest.raises(PlannerUnavailable, match="within 0.2 s.*--timeout"):
        planner(server, timeout=0.2).plan("a red circle")


def test_plan_many_keeps_order_and_reports_fallbacks(server):
    engine = planner(server, workers=3)
    results = engine.plan_many(["a red circle", "  ", "a red circle on black"], seed=5)
    assert [r.seed for r in results] == [5, 6, 7]
    assert results[0].planner == "openai" and results[2].planner == "openai"
    assert results[1].plan is None and "empty" in results[1].error


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_connection_refused_exits_3_with_a_clear_message(capsys):
    url = f"http://127.0.0.1:{closed_port()}"
    code = main(["plan", "a red circle", "--planner", "openai", "--endpoint", url,
                 "--model", "x"])
    out, err = capsys.readouterr()
    assert code == 3 and out == ""
    assert "connection refused" in err and url in err and "llama-server" in err
    assert "Traceback" not in err


def test_cli_sends_the_api_key_and_uses_the_plan(server, capsys, monkeypatch):
    monkeypatch.delenv("TURBOGEN_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "from-env")
    code = main(["plan", "a red circle on black", "--planner", "openai", "--endpoint",
                 server.url + "/v1/", "--model", "x", "--api-key", "sk-test"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["objects"][0]["color"] == "red"
    assert server.requests[-1]["headers"]["Authorization"] == "Bearer sk-test"
    code = main(["plan", "a red circle on black", "--planner", "openai", "--endpoint",
                 server.url, "--model", "x"])
    capsys.readouterr()
    assert server.requests[-1]["headers"]["Authorization"] == "Bearer from-env"


def test_cli_reports_the_fallback_on_stderr(server, capsys):
    server.replies = ["?", "?"]
    code = main(["plan", "a red circle on black", "--planner", "openai", "--endpoint",
                 server.url, "--model", "x"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["objects"]
    assert "note: openai output invalid twice" in err


@pytest.mark.parametrize("endpoint, expected", [
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/chat/completions"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1/chat/completions"),
    ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/chat/completions"),
    ("https://host/api/v1/", "https://host/api/v1/chat/completions"),
    ("http://h:1/v1/chat/completions", "http://h:1/v1/chat/completions"),
])
def test_endpoint_with_or_without_v1(endpoint, expected):
    assert chat_url(endpoint) == expected


@pytest.mark.parametrize("endpoint", ["127.0.0.1:8080", "ftp://host", "http://"])
def test_endpoint_that_is_not_a_url_is_an_input_error(endpoint):
    with pytest.raises(InputError, match="not an http"):
        OpenAICompatPlanner(endpoint, "m", fallback=FakeFallback())


def test_eval_report_tells_model_plans_from_fallback_plans(server):
    from turbogen.eval.plan_eval import evaluate_planner
    records = [
        {"id": "a", "category": "single", "prompt": "a red circle on black",
         "expect": {"objects": [{"count": 1, "shape": "circle", "color": "red"}]}},
        {"id": "b", "category": "single", "prompt": "a blue star",
         "expect": {"objects": [{"count": 1, "shape": "star", "color": "blue"}]}},
    ]
    # the server always answers VALID, a red circle: right for "a", invalid twice for "b"
    report = evaluate_planner(planner(server, workers=1), records)
    assert report["fallback_rate"] == 0.5
    assert report["by_planner"] == {"openai": {"n": 1, "correct": 1, "accuracy": 1.0},
                                    "default": {"n": 1, "correct": 1, "accuracy": 1.0}}
