#!/usr/bin/env python3
"""llm_server.py - a real HTTP server on 127.0.0.1 for sluice's LLM tests.

Speaks the three chat APIs sluice uses, streamed as the real ones stream:
  POST /v1/chat/completions  OpenAI-compatible: SSE "data: {...}", "data: [DONE]"
  POST /v1/messages          Anthropic Messages: SSE events, ends with message_stop
  POST /api/chat             Ollama: NDJSON lines, ends with "done": true

The model name picks the behaviour (or the X-Fault header does):
  ok        a safe rewrite of the migration named in the prompt
  same      the migration unchanged (no safer: must fail verification)
  unparsable  SQL that does not parse
  nofence   prose without a ```sql file= fence
  unsafe    a fence naming ../outside.sql
  timeout   waits 30 s before answering
  401       rejected key (the body echoes the key, which sluice must hide)
  429       429 with Retry-After: 1 on the first request of the run per API, then ok
  429always 429 with Retry-After: 1 every time
  500       server error (the body echoes the key too)
  badjson   a stream line that is not JSON
  cut       half the stream, then the connection closes without the end marker
  length    half the stream, then the API's "output limit reached" (finish_reason
            length, stop_reason max_tokens, done_reason length) and the end marker
  ignore    the ok answer with a `-- sluice:ignore all` line the model added
  huge      a 20 MB answer
  slow      the ok answer in 20 pieces a quarter second apart (5 s: keys while streaming)
  extra:PATH  the ok answer plus a file the model was not asked for, PATH
            (an applied migration, SQL outside the migrations, a linked dir)
  wrongdown a migration replacing a unique index by one on lower(col), split in
            two CONCURRENTLY; the first one's down rebuilds the old index
            without UNIQUE: it parses and names the index, so only a shadow
            database sees the uniqueness lost

Usage: llm_server.py PORTFILE LOGFILE   (binds an ephemeral port, writes it)
Each request appends one JSON line to LOGFILE: path, model, auth header seen.
"""
import http.server
import json
import re
import socketserver
import sys
import threading
import time

counts = {}
lock = threading.Lock()


def safe_rewrite(prompt):
    """The migration in the prompt with CONCURRENTLY added to its CREATE INDEX."""
    m = re.search(r"Migration (\S+):\n```sql\n(.*?)```", prompt, re.S)
    if not m:
        return "no migration in the prompt"
    path, sql = m.group(1), m.group(2)
    new = re.sub(r"CREATE INDEX (?!CONCURRENTLY)", "CREATE INDEX CONCURRENTLY ", sql)
    down = path.replace(".up.sql", ".down.sql")
    idx = re.search(r"INDEX (?:CONCURRENTLY )?(\w+)", new)
    name = idx.group(1) if idx else "x"
    return ("Here is a safer version.\n\n```sql file=%s\n%s```\n\n```sql file=%s\n"
            "DROP INDEX CONCURRENTLY IF EXISTS %s;\n```\n" % (path, new, down, name))


def wrong_down(prompt):
    """See `wrongdown` above; the ok rewrite when the migration is not that."""
    m = re.search(r"Migration (\S+):\n```sql\n(.*?)```", prompt, re.S)
    c = m and re.search(r"CREATE UNIQUE INDEX (\w+) ON (\w+) \((\w+\((\w+)\))\);", m.group(2))
    if not c:
        return safe_rewrite(prompt)
    path, (name, table, expr, col) = m.group(1), c.groups()
    nxt = re.sub(r"(\d+)_\w+\.up\.sql$",
                 lambda x: "%0*d_%s.up.sql" % (len(x.group(1)), int(x.group(1)) + 1, name), path)
    fence = "```sql file=%s\n%s\n```\n\n"
    return ("Split in two, each CONCURRENTLY.\n\n"
            + fence % (path, "DROP INDEX CONCURRENTLY IF EXISTS %s;" % name)
            + fence % (path.replace(".up.sql", ".down.sql"),
                       "CREATE INDEX CONCURRENTLY %s ON %s (%s);" % (name, table, col))
            + fence % (nxt, "CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (%s);" % (name, table, expr))
            + fence % (nxt.replace(".up.sql", ".down.sql"),
                       "DROP INDEX CONCURRENTLY IF EXISTS %s;" % name))


def answer_for(fault, prompt):
    m = re.search(r"Migration (\S+):\n```sql\n(.*?)```", prompt, re.S)
    path, sql = (m.group(1), m.group(2)) if m else ("x.sql", "")
    if fault == "same":
        return "```sql file=%s\n%s```\n" % (path, sql)
    if fault == "unparsable":
        return "```sql file=%s\nCREATE INDX oops ON;\n```\n" % path
    if fault == "nofence":
        return "I would add CONCURRENTLY to the index."
    if fault == "unsafe":
        return "```sql file=../outside.sql\nSELECT 1;\n```\n"
    if fault == "wrongdown":
        return wrong_down(prompt)
    if fault == "ignore":
        return safe_rewrite(prompt).replace("CREATE INDEX CONCURRENTLY",
                                            "-- sluice:ignore all -- the model says it is fine\nCREATE INDEX CONCURRENTLY", 1)
    if fault.startswith("extra:"):
        return safe_rewrite(prompt) + "\n```sql file=%s\nSELECT 1;\n```\n" % fault[6:]
    return safe_rewrite(prompt)


def pieces(text, n=4):
    step = max(1, len(text) // n)
    return [text[i:i + step] for i in range(0, len(text), step)]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, code, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def start_stream(self, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def emit(self, data):
        self.wfile.write(data.encode())
        self.wfile.flush()
        time.sleep(0.01)

    def frame(self, api, text=None, end=False):
        if api == "openai":
            if end:
                return "data: [DONE]\n\n"
            return "data: %s\n\n" % json.dumps({"choices": [{"index": 0, "delta": {"content": text}}]})
        if api == "anthropic":
            if end:
                return "event: message_stop\ndata: %s\n\n" % json.dumps({"type": "message_stop"})
            return "event: content_block_delta\ndata: %s\n\n" % json.dumps(
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}})
        if end:
            return json.dumps({"message": {"role": "assistant", "content": ""}, "done": True}) + "\n"
        return json.dumps({"message": {"role": "assistant", "content": text}, "done": False}) + "\n"

    def do_POST(self):
        api = {"/v1/chat/completions": "openai", "/v1/messages": "anthropic",
               "/api/chat": "ollama"}.get(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            req = json.loads(raw)
        except ValueError:
            return self.send_json(400, {"error": {"message": "request is not JSON"}})
        model = req.get("model", "")
        fault = self.headers.get("X-Fault") or model
        auth = self.headers.get("Authorization") or self.headers.get("x-api-key") or ""
        prompt = " ".join(m.get("content", "") for m in req.get("messages", []))
        with lock:
            key = (fault, api)
            counts[key] = counts.get(key, 0) + 1
            n = counts[key]
            refs = re.search(r"Application code that uses what the migration touches:\n(.*?)\n\n",
                             prompt, re.S)
            conv = re.search(r"Repository conventions:\n(.*?)\n\n", prompt, re.S)
            with open(LOG, "a") as f:
                f.write(json.dumps({"path": self.path, "api": api, "model": model,
                                    "auth": auth, "stream": req.get("stream"),
                                    "refs": refs.group(1) if refs else None,
                                    "conventions": conv.group(1) if conv else None,
                                    "prompt": prompt}) + "\n")
        if api is None:
            return self.send_json(404, {"error": {"message": "no such endpoint"}})
        if fault == "timeout":
            time.sleep(30)
            return
        if fault == "401":
            return self.send_json(401, {"error": {"message": "invalid api key %s" % auth}})
        if fault == "500":
            return self.send_json(500, {"error": {"message": "internal failure (saw %s)" % auth}})
        if fault == "429always" or (fault == "429" and n == 1):
            return self.send_json(429, {"error": {"message": "slow down"}}, {"Retry-After": "1"})
        self.start_stream("application/x-ndjson" if api == "ollama" else "text/event-stream")
        if api == "anthropic":
            self.emit("event: message_start\ndata: %s\n\n" % json.dumps(
                {"type": "message_start", "message": {"id": "m1", "role": "assistant"}}))
        if api == "openai":
            self.emit("data: %s\n\n" % json.dumps({"choices": [{"index": 0, "delta": {"role": "assistant"}}]}))
        if fault == "huge":
            chunk = self.frame(api, "-- " + "x" * 8000 + "\n")
            for _ in range(20 * 1024 * 1024 // len(chunk) + 1):
                try:
                    self.wfile.write(chunk.encode())
                except (BrokenPipeError, ConnectionResetError):
                    return
            return
        if fault == "badjson":
            self.emit(self.frame(api, "```sql file=a.sql\n"))
            self.emit("data: {not json at all\n\n" if api != "ollama" else "{not json at all\n")
            self.emit(self.frame(api, end=True))
            return
        text = answer_for(fault, prompt)
        parts = pieces(text, 20 if fault == "slow" else 4)
        if fault == "cut":
            for p in parts[:len(parts) // 2]:
                self.emit(self.frame(api, p))
            return  # connection closes: no end marker
        if fault == "length":
            for p in parts[:len(parts) // 2]:
                self.emit(self.frame(api, p))
            if api == "openai":
                self.emit("data: %s\n\n" % json.dumps(
                    {"choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]}))
            elif api == "anthropic":
                self.emit("event: message_delta\ndata: %s\n\n" % json.dumps(
                    {"type": "message_delta", "delta": {"stop_reason": "max_tokens"}}))
            else:
                self.emit(json.dumps({"message": {"role": "assistant", "content": ""},
                                      "done": True, "done_reason": "length"}) + "\n")
                return
            self.emit(self.frame(api, end=True))
            return
        for p in parts:
            try:
                self.emit(self.frame(api, p))
            except (BrokenPipeError, ConnectionResetError):
                return  # the client cancelled
            if fault == "slow":
                time.sleep(0.25)
        self.emit(self.frame(api, end=True))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    portfile, LOG = sys.argv[1], sys.argv[2]
    srv = Server(("127.0.0.1", 0), Handler)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()
