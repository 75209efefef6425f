"""LLM backends, cache, retries and JSON repair, against a real HTTP server on 127.0.0.1.

The server (``http.server`` in a thread, ephemeral port) speaks the OpenAI
``/v1/chat/completions`` protocol; each test scripts its answers and counts requests.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from espnet_lau.bin import semantic_eval as semantic_eval_cli
from espnet_lau.evaluation.llm import LLMClient
from espnet_lau.evaluation.llm_backends import OpenAIChatBackend, TransformersBackend, build_backend
from espnet_lau.evaluation.llm_json import parse_llm_json
from espnet_lau.evaluation.prompts import Prompt, load_prompt, parse_prompt
from espnet_lau.evaluation.qa import QAItem, QAPrompts, qa_accuracy
from espnet_lau.evaluation.semantic_eval import run_semantic_eval

# ----------------------------------------------------------------------------- server


class ScriptedLLMServer:
    """A chat-completions server whose reply to each request comes from ``script``.

    ``script(payload)`` returns ``("ok", content)``, ``("sleep", seconds, content)``,
    ``("status", code)`` or ``("raw", body)``.
    """

    def __init__(self):
        self.requests = []
        self.script = lambda payload: ("ok", '{"reponse": "ok"}')
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                payload = json.loads(body)
                outer.requests.append({"path": self.path, "payload": payload,
                                       "authorization": self.headers.get("Authorization")})
                action = outer.script(payload)
                if action[0] == "status":
                    self._send(action[1], b'{"error": "scripted failure"}')
                    return
                if action[0] == "sleep":
                    time.sleep(action[1])
                    action = ("ok", action[2])
                if action[0] == "raw":
                    self._send(200, action[1].encode())
                    return
                answer = {
                    "id": "x", "object": "chat.completion", "model": payload["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": action[1]}}],
                }
                self._send(200, json.dumps(answer).encode())

            def _send(self, code, body):
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def chat_requests(self):
        return [r for r in self.requests if r["path"] == "/v1/chat/completions"]


@pytest.fixture
def server():
    srv = ScriptedLLMServer()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def client_for(server, tmp_path=None, timeout=5.0, max_retries=2):
    backend = OpenAIChatBackend(server.url, "scripted-model", timeout=timeout)
    cache = tmp_path / "cache" if tmp_path is not None else None
    return LLMClient(backend, cache_dir=cache, max_retries=max_retries, retry_wait=0.0)


PROMPT = Prompt(name="echo", version=1, user="Dis $word.", system="Réponds en JSON.")


def protocol_script(payload):
    """Answers by prompt kind: generation, answering, judging."""
    user = payload["messages"][-1]["content"]
    if "questions factuelles" in user:
        return ("ok", '```json\n{"questions": [{"question": "Où dort le chat ?", '
                      '"reponse": "sur le tapis"},], "mots_cles": ["chat", "tapis", "dort"]}\n```')
    if user.startswith("Texte"):
        if "chat" in user.split("Question")[0]:  # the output, not the question
            return ("ok", 'Voici : {"reponse": "sur le tapis"}')
        return ("ok", '{"reponse": "NE PEUT RÉPONDRE"}')
    if "Phrase de référence" in user:
        return ("ok", '{"jugement": "OUI"}')
    return ("status", 400)


# ----------------------------------------------------------------------------- tests


def test_http_backend_speaks_openai_chat_completions(server):
    server.script = lambda p: ("ok", '{"reponse": "bonjour"}')
    client = client_for(server)
    assert client.complete_json(PROMPT, word="bonjour") == {"reponse": "bonjour"}
    (req,) = server.chat_requests()
    assert req["payload"]["model"] == "scripted-model"
    assert req["payload"]["temperature"] == 0
    assert req["payload"]["messages"] == [
        {"role": "system", "content": "Réponds en JSON."},
        {"role": "user", "content": "Dis bonjour."},
    ]
    assert client.stats.json_ok == 1 and client.stats.failures == 0


def test_malformed_json_is_repaired_or_counted(server):
    replies = iter([
        '```json\n{"reponse": "a", "liste": [1, 2,],}\n```',  # fences + trailing commas
        'Bien sûr ! {"reponse": "b {x}"} Bonne journée.',  # prose around, brace in string
        "je ne sais pas",  # no JSON at all
        '{"reponse": "c"',  # truncated
    ])
    server.script = lambda p: ("ok", next(replies))
    client = client_for(server)
    assert client.complete_json(PROMPT, word="1") == {"reponse": "a", "liste": [1, 2]}
    assert client.complete_json(PROMPT, word="2") == {"reponse": "b {x}"}
    assert client.complete_json(PROMPT, word="3") is None
    assert client.complete_json(PROMPT, word="4") is None
    assert client.stats.json_repaired == 2
    assert client.stats.json_failures == 2
    assert client.stats.failures == 0  # the calls themselves succeeded


def test_parse_llm_json_cases():
    assert parse_llm_json('{"a": 1}') == ({"a": 1}, False)
    assert parse_llm_json('```\n{"a": [1,],}\n```') == ({"a": [1]}, True)
    assert parse_llm_json('x {"a": "},"} y {"b": 2}') == ({"a": "},"}, True)
    assert parse_llm_json("[1, 2]") == (None, True)
    assert parse_llm_json("") == (None, True)
    assert parse_llm_json('Voici : {"verdict": "OUI", "raison": "la date"') == (None, True)  # cut off: no answer
    assert parse_llm_json("Voici : {'verdict': 'OUI', 'raison': 'la date',} Voilà.") == ({"verdict": "OUI", "raison": "la date"}, True)
    assert parse_llm_json("OUI, sans doute") == (None, True)


def test_timeout_is_retried_then_counted(server):
    server.script = lambda p: ("sleep", 1.0, '{"reponse": "trop tard"}')
    client = client_for(server, timeout=0.25, max_retries=1)
    start = time.monotonic()
    assert client.complete(PROMPT, word="x") is None
    assert time.monotonic() - start < 3.0
    assert len(server.chat_requests()) == 2  # 1 + max_retries, bounded
    assert client.stats.timeouts == 2 and client.stats.retries == 1
    assert client.stats.failures == 1


def test_http_500_is_retried_then_counted(server):
    server.script = lambda p: ("status", 500)
    client = client_for(server, max_retries=2)
    assert client.complete_json(PROMPT, word="x") is None
    assert len(server.chat_requests()) == 3
    assert client.stats.http_errors == 3 and client.stats.failures == 1


def test_http_500_then_success(server):
    codes = iter([("status", 500), ("ok", '{"reponse": "ok"}')])
    server.script = lambda p: next(codes)
    client = client_for(server)
    assert client.complete_json(PROMPT, word="x") == {"reponse": "ok"}
    assert client.stats.retries == 1 and client.stats.failures == 0


def test_http_400_is_not_retried_and_bad_body_is_counted(server):
    server.script = lambda p: ("status", 400)
    client = client_for(server)
    assert client.complete(PROMPT, word="x") is None
    assert len(server.chat_requests()) == 1
    server.script = lambda p: ("raw", "not json at all")
    assert client.complete(PROMPT, word="y") is None
    assert client.stats.bad_responses == 1 and client.stats.failures == 2


def test_cache_second_run_makes_no_http_call(server, tmp_path):
    server.script = lambda p: ("ok", '{"reponse": "%s"}' % p["messages"][-1]["content"])
    first = client_for(server, tmp_path)
    answers = [first.complete_json(PROMPT, word=w) for w in ("un", "deux", "trois")]
    assert len(server.chat_requests()) == 3
    second = client_for(server, tmp_path)
    assert [second.complete_json(PROMPT, word=w) for w in ("un", "deux", "trois")] == answers
    assert len(server.chat_requests()) == 3  # nothing new reached the server
    assert second.stats.cache_hits == 3 and second.stats.requests == 0
    # Failures are not cached: they are tried again next time.
    server.script = lambda p: ("status", 500)
    assert second.complete(PROMPT, word="quatre") is None
    assert not list((tmp_path / "cache").rglob("*.tmp"))


def test_cache_key_has_model_and_prompt_version(server):
    client = client_for(server)
    messages = PROMPT.render(word="x")
    v2 = Prompt(name="echo", version=2, user=PROMPT.user, system=PROMPT.system)
    other = LLMClient(OpenAIChatBackend(server.url, "other-model"))
    keys = {
        client.cache_key(PROMPT, messages),
        client.cache_key(v2, messages),
        other.cache_key(PROMPT, messages),
    }
    assert len(keys) == 3
    assert client.cache_key(PROMPT, messages) == client_for(server).cache_key(PROMPT, messages)


def test_shipped_prompts_are_versioned_french_templates():
    for name in ("qa_generate", "qa_answer", "qa_judge", "topic_label"):
        prompt = load_prompt(name)
        assert prompt.id == f"{name}_v1"
        assert prompt.system and prompt.user
    answer = load_prompt("qa_answer").render(hypothesis="le chat dort", question="Qui dort ?")
    assert "NE PEUT RÉPONDRE" in answer[-1]["content"]
    assert "le chat dort" in answer[-1]["content"]
    with pytest.raises(KeyError):
        load_prompt("qa_answer").render(question="q")
    with pytest.raises(ValueError):
        parse_prompt("no sections", "x", 1)


def test_qa_protocol_over_http_and_cache(server, tmp_path):
    server.script = protocol_script
    hyps = {"u1": "le chat dort sur le tapis", "u2": "il pleut", "u3": ""}
    refs = {"u1": "le chat dort sur le tapis", "u2": "la pluie tombe", "u3": "bonjour"}
    result = run_semantic_eval(
        hyps, refs, llm=client_for(server, tmp_path), measures=("qa", "keywords")
    )
    qa = result["qa"]
    assert qa["status"] == "ok" and qa["source"] == "llm"
    # one question per reference; u1 judged OUI, u2 cannot answer, u3 empty output
    assert qa["n_questions"] == 3 and qa["n_yes"] == 1 and qa["n_cannot_answer"] == 2
    assert qa["accuracy"] == pytest.approx(100 / 3)
    # generated keywords (chat, tapis, dort) x 3 refs; only u1 holds them
    assert result["keywords"]["source"] == "llm keywords"
    assert result["keywords"]["n_found"] == 3 and result["keywords"]["n_units"] == 9
    assert result["llm"]["prompts"] == {
        "generate": "qa_generate_v1", "answer": "qa_answer_v1", "judge": "qa_judge_v1"
    }
    # 3 generations + 2 answers (u3 is empty: no call) + 1 judgement (u2 cannot answer)
    n = len(server.chat_requests())
    assert n == 6
    again = run_semantic_eval(
        hyps, refs, llm=client_for(server, tmp_path), measures=("qa", "keywords")
    )
    assert len(server.chat_requests()) == n
    assert again["qa"]["accuracy"] == qa["accuracy"]
    assert again["llm"]["stats"]["cache_hits"] == 6


def test_qa_failures_are_counted_not_fatal(server):
    server.script = lambda p: ("status", 500)
    items = [QAItem("u1", "Qui dort ?", ["le chat"], "u1#0")]
    result = qa_accuracy(items, {"u1": "le chat dort"}, {"u1": "le chat dort"},
                         client_for(server, max_retries=1), QAPrompts())
    assert result["n_failed"] == 1 and result["accuracy"] == 0.0
    assert result["accuracy_valid"] is None


def test_semantic_eval_cli_with_http_backend(server, tmp_path):
    server.script = protocol_script
    (tmp_path / "hyp").write_text("u1 le chat dort sur le tapis\nu2 il pleut\n", encoding="utf-8")
    (tmp_path / "ref").write_text("u1 Le chat dort sur le tapis.\nu2 La pluie tombe.\n", encoding="utf-8")
    (tmp_path / "qa.jsonl").write_text(
        json.dumps({"id": "u1", "question": "Où dort le chat ?", "answers": ["tapis"]}) + "\n"
        + json.dumps({"id": "u2", "question": "Que fait la pluie ?", "answers": ["elle tombe"]}) + "\n",
        encoding="utf-8",
    )
    argv = [
        "--hyp", str(tmp_path / "hyp"), "--ref", str(tmp_path / "ref"),
        "--qa", str(tmp_path / "qa.jsonl"), "--teacher", "none",
        "--llm_url", server.url, "--llm_model", "scripted-model",
        "--llm_cache", str(tmp_path / "cache"), "--llm_retry_wait", "0",
        "--measures", "qa,keywords", "--outdir", str(tmp_path / "out"),
    ]
    semantic_eval_cli.main(argv)
    report = json.loads((tmp_path / "out" / "semantic_eval.json").read_text(encoding="utf-8"))
    assert report["qa"]["source"] == "gold"
    assert report["qa"]["n_yes"] == 1 and report["qa"]["n_questions"] == 2
    assert report["keywords"]["recall"] == 50.0
    assert report["llm"]["stats"]["requests"] == 3
    details = (tmp_path / "out" / "qa_details.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(details) == 2
    n = len(server.chat_requests())
    semantic_eval_cli.main(argv)
    assert len(server.chat_requests()) == n


def test_build_backend_choices(server):
    assert build_backend() is None
    assert isinstance(build_backend(server.url, "m"), OpenAIChatBackend)
    with pytest.raises(ValueError):
        build_backend(server.url)
    with pytest.raises(ValueError):
        build_backend(server.url, "m", llm_hf="/some/model")


@pytest.fixture(scope="module")
def tiny_causal_lm(tmp_path_factory):
    """A randomly initialised 2-layer GPT-2 with a word-level tokenizer, saved locally."""
    import torch
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny_lm")
    words = ["<unk>", "<eos>", "le", "chat", "dort", "{", "}", '"', ":", "reponse", "user", "assistant"]
    tok = Tokenizer(WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tok.pre_tokenizer = Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", eos_token="<eos>")
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(words), n_positions=128, n_embd=16,
                                       n_layer=2, n_head=2, eos_token_id=1, bos_token_id=1))
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


@pytest.mark.parametrize("chat_template", [False, True])
def test_transformers_backend_generates_and_caches(tiny_causal_lm, tmp_path, chat_template):
    backend = TransformersBackend(str(tiny_causal_lm), max_new_tokens=4)
    if chat_template:
        backend.tokenizer.chat_template = (
            "{% for m in messages %}{{ m['role'] }} : {{ m['content'] }} {% endfor %}"
            "{% if add_generation_prompt %}assistant :{% endif %}"
        )
        backend.has_chat_template = True
    inputs = backend.build_inputs([{"role": "user", "content": "le chat dort"}])
    assert inputs["input_ids"].shape[0] == 1
    ids = inputs["input_ids"][0].tolist()
    assert (backend.tokenizer.convert_tokens_to_ids("user") in ids) == chat_template
    client = LLMClient(backend, cache_dir=tmp_path / "cache")
    prompt = Prompt(name="t", version=1, user="le chat $w")
    text = client.complete(prompt, w="dort")
    assert isinstance(text, str)
    assert client.complete(prompt, w="dort") == text
    assert client.stats.cache_hits == 1 and client.stats.requests == 1
    assert backend.model_id.startswith("hf:")


# ------------------------------------------------------ a measure that cannot lie (issue 14)


def qa_run(server, tmp_path, **kw):
    from espnet_lau.evaluation.qa import QAItem
    from espnet_lau.evaluation.semantic_eval import run_semantic_eval

    hyps = {f"u{i}": "le chat dort sur le tapis" for i in range(4)}
    items = [QAItem(u, "Où dort le chat ?", ["sur le tapis"], f"{u}#0") for u in hyps]
    client = client_for(server, tmp_path, **kw)
    return run_semantic_eval(hyps, dict(hyps), qa_items=items, llm=client, measures=["qa"]), client


@pytest.mark.parametrize("failure", [("status", 500), ("raw", "garbage"), ("raw", '{"choices": []}')])
def test_failed_llm_calls_give_no_score_and_nothing_cached(server, tmp_path, failure):
    server.script = lambda payload: failure
    result, _ = qa_run(server, tmp_path, max_retries=0)
    qa = result["qa"]
    assert qa["status"] == "failed" and qa["accuracy"] is None
    assert qa["n_llm_failed"] == qa["n_llm_items"] == 4
    cached = list((tmp_path / "cache").rglob("*.json")) if (tmp_path / "cache").exists() else []
    assert cached == []  # a re-run against a working server asks again
    server.script = protocol_script
    fixed, _ = qa_run(server, tmp_path, max_retries=0)
    assert fixed["qa"]["status"] == "ok" and fixed["qa"]["accuracy"] == 100.0


def test_invalid_replies_are_never_cached(server, tmp_path):
    server.script = lambda payload: ("ok", "je ne sais pas")  # no JSON at all
    qa_run(server, tmp_path, max_retries=0)
    assert not list((tmp_path / "cache").rglob("*.json")) if (tmp_path / "cache").exists() else True


def test_partial_failures_are_partial_and_results_md_says_n_a(server, tmp_path):
    from espnet_lau.evaluation.results import load_run
    from espnet_lau.evaluation.semantic_report import semantic_markdown

    calls = {"n": 0}

    def flaky(payload):
        calls["n"] += 1
        return ("status", 500) if calls["n"] == 1 else protocol_script(payload)

    server.script = flaky
    result, _ = qa_run(server, tmp_path, max_retries=0)
    assert result["qa"]["status"] == "partial" and result["qa"]["accuracy"] is None
    assert "QA accuracy: n/a (1 of 4 failed), partial" in semantic_markdown(result)
    run = tmp_path / "run"
    (run / "semantic_eval").mkdir(parents=True)
    (run / "semantic_eval/semantic_eval.json").write_text(json.dumps(result))
    loaded = load_run("x", run)
    assert loaded.metrics["qa_accuracy"] is None and loaded.failures["qa_accuracy"] == "n/a (1 of 4 failed)"


def test_a_dead_endpoint_is_given_up_after_consecutive_timeouts(tmp_path):
    import socket

    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    backend = OpenAIChatBackend(f"http://127.0.0.1:{port}/v1", "m", timeout=0.5)
    client = LLMClient(backend, max_retries=1, retry_wait=0.0, max_consecutive_timeouts=2)
    from espnet_lau.evaluation.qa import QAItem
    from espnet_lau.evaluation.semantic_eval import run_semantic_eval

    hyps = {f"u{i}": "x" for i in range(10)}
    items = [QAItem(u, "Q ?", ["x"], f"{u}#0") for u in hyps]
    result = run_semantic_eval(hyps, dict(hyps), qa_items=items, llm=client, measures=["qa"])
    assert result["qa"]["status"] == "failed" and "2 LLM calls in a row" in result["qa"]["reason"]
    assert client.stats.requests == 4  # 2 calls x (1 + 1 retry), then it gave up


def test_the_api_key_comes_from_the_environment_only(server, tmp_path, monkeypatch):
    from espnet_lau.bin import semantic_eval as cli

    assert "--llm_api_key " not in cli.get_parser().format_help()
    monkeypatch.setenv("MY_LLM_KEY", "sk-secret-123")
    server.script = protocol_script
    (tmp_path / "hyp").write_text("u1 le chat dort\n")
    (tmp_path / "qa.jsonl").write_text('{"id": "u1", "question": "Où ?", "answers": ["tapis"]}\n')
    cli.main(["--hyp", str(tmp_path / "hyp"), "--ref", str(tmp_path / "hyp"), "--qa", str(tmp_path / "qa.jsonl"),
              "--llm_url", server.url, "--llm_model", "m", "--llm_api_key_env", "MY_LLM_KEY",
              "--llm_cache", str(tmp_path / "cache"), "--teacher", "none", "--measures", "qa",
              "--outdir", str(tmp_path / "out")])
    assert all(r["payload"] for r in server.chat_requests())
    written = "".join(p.read_text() for p in tmp_path.rglob("*") if p.is_file())
    assert "sk-secret-123" not in written


def test_the_secrets_of_the_llm_url_are_in_no_log_and_no_saved_file(server, tmp_path, caplog):
    """``user:password@`` and ``?key=`` of --llm_url are used, and shown nowhere: not in
    semantic_eval.json, not in the logs (urllib3's DEBUG request lines included), not in
    the error of an endpoint that does not answer."""
    import base64
    import socket

    server.script = protocol_script
    (tmp_path / "hyp").write_text("u1 le chat dort sur le tapis\n", encoding="utf-8")
    (tmp_path / "qa.jsonl").write_text('{"id": "u1", "question": "Où dort le chat ?", "answers": ["tapis"]}\n')
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    live_port = server.httpd.server_address[1]
    with caplog.at_level("DEBUG"):
        for name, port in (("live", live_port), ("dead", dead_port)):
            semantic_eval_cli.main([
                "--hyp", str(tmp_path / "hyp"), "--ref", str(tmp_path / "hyp"), "--qa", str(tmp_path / "qa.jsonl"),
                "--llm_url", f"http://user:sekret@127.0.0.1:{port}/v1?key=abc", "--llm_model", "m",
                "--llm_timeout", "2", "--llm_retry_wait", "0", "--teacher", "none", "--measures", "qa",
                "--llm_cache", str(tmp_path / name / "cache"), "--outdir", str(tmp_path / name), "--log_level", "DEBUG"])
    # the URL is used as given: its query and its credentials
    assert {(r["path"], r["authorization"]) for r in server.requests} == {
        ("/v1/chat/completions?key=abc", "Basic " + base64.b64encode(b"user:sekret").decode())}
    live = json.loads((tmp_path / "live/semantic_eval.json").read_text(encoding="utf-8"))
    assert live["llm"]["url"] == f"http://127.0.0.1:{live_port}/v1/chat/completions"
    assert live["qa"]["status"] == "ok"
    dead = json.loads((tmp_path / "dead/semantic_eval.json").read_text(encoding="utf-8"))
    assert dead["qa"]["status"] == "failed"
    assert "Max retries exceeded" in caplog.text  # requests' error, which quotes the URL's path
    assert any((tmp_path / "live/cache").rglob("*.json"))
    written = caplog.text + "".join(p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.json*"))
    assert "sekret" not in written and "key=abc" not in written


@pytest.mark.parametrize("url, shown, secrets", [
    ("http://user:sekret@127.0.0.1:8080/v1?key=abc", "http://127.0.0.1:8080/v1", ["sekret", "key=abc"]),
    ("https://:tok@[::1]:443/v1/#frag", "https://[::1]:443/v1/", ["tok", "frag"]),
    ("https://huggingface.co", "https://huggingface.co", []),
])
def test_redact_url_drops_userinfo_query_and_fragment(url, shown, secrets):
    from espnet_lau.utils.redaction import redact_secrets, redact_url

    assert redact_url(url) == shown
    text = redact_secrets(f"error at {url}: url {url.partition('/v1')[2]}", url)
    assert not [s for s in secrets if s in text] and text.count("***") >= len(secrets)
