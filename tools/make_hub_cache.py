#!/usr/bin/env python3
"""Build a Hugging Face Hub cache of the demo model with huggingface_hub's own download code, offline.

huggingface_hub cannot fill a cache from local files (it writes the cache only while downloading), so this script
serves resources/demo-model on loopback the way the Hub answers (HEAD with X-Repo-Commit / ETag, LFS files as a
302 to storage with X-Linked-Etag / X-Linked-Size, /api/models/<repo>/revision/<rev>), points HF_ENDPOINT at it
and calls snapshot_download (falling back to hf_hub_download per file). It then prints the cache tree and
scan_cache_dir()'s view, and, given --jointquant, runs `jointquant eval --model <repo id>` from that cache (with
HF_HUB_OFFLINE=1) and `--model resources/demo-model` and checks both perplexities are identical.

Run on a machine with huggingface_hub (no network needed), from the repository root:
  python3 tools/make_hub_cache.py --out /tmp/jq-hf --jointquant build/bin/jointquant
"""
import argparse
import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading

REPO_ID = "jointquant/demo-model"
COMMIT = "5d2c7f0e9b8a4c3d2e1f0a9b8c7d6e5f4a3b2c1d"  # any 40-hex string: the fake Hub's only commit


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def load_files(model_dir):
    files = {}
    for name in sorted(os.listdir(model_dir)):
        with open(os.path.join(model_dir, name), "rb") as f:
            data = f.read()
        lfs = name.endswith(".safetensors")
        files[name] = {"data": data, "lfs": lfs,
                       "etag": hashlib.sha256(data).hexdigest() if lfs else git_blob_sha1(data)}
    return files


def make_handler(files, port_holder):
    class Hub(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, status, headers, body=b""):
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            path = self.path.split("?")[0]
            if path.startswith("/lfs/"):
                f = files[path.split("/")[-1]]
                data = f["data"]
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                    return self._send(206, {"Content-Range": "bytes %d-%d/%d" % (start, len(data) - 1, len(data))},
                                      data[start:])
                return self._send(200, {}, data)
            tree = "/api/models/%s/tree/" % REPO_ID
            if path.startswith(tree):
                # huggingface_hub >= 1.0 lists a snapshot through the tree API (recursive listing of the revision).
                entries = []
                for n, f in files.items():
                    e = {"type": "file", "path": n, "size": len(f["data"]),
                         "oid": git_blob_sha1(f["data"]) if not f["lfs"] else hashlib.sha1(b"pointer").hexdigest()}
                    if f["lfs"]:
                        e["lfs"] = {"oid": f["etag"], "size": len(f["data"]), "pointerSize": 134}
                    entries.append(e)
                return self._send(200, {"Content-Type": "application/json"}, json.dumps(entries).encode())
            api = "/api/models/%s/revision/" % REPO_ID
            if path.startswith(api):
                body = json.dumps({"id": REPO_ID, "modelId": REPO_ID, "sha": COMMIT, "private": False,
                                   "siblings": [{"rfilename": n} for n in files]}).encode()
                return self._send(200, {"Content-Type": "application/json"}, body)
            prefix = "/%s/resolve/" % REPO_ID
            if not path.startswith(prefix):
                return self._send(404, {"X-Error-Code": "RepoNotFound"}, b"not found")
            rev, _, name = path[len(prefix):].partition("/")
            if rev not in ("main", COMMIT) or name not in files:
                return self._send(404, {"X-Error-Code": "EntryNotFound"}, b"not found")
            f = files[name]
            if f["lfs"]:
                # Served in place rather than redirected to a CDN: newer huggingface_hub clients follow the redirect
                # and then want the Hub headers on the final response, which a real CDN answer does not repeat.
                headers = {"X-Repo-Commit": COMMIT, "X-Linked-Etag": '"%s"' % f["etag"],
                           "X-Linked-Size": str(len(f["data"])), "ETag": '"%s"' % f["etag"]}
                data = f["data"]
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                    headers["Content-Range"] = "bytes %d-%d/%d" % (start, len(data) - 1, len(data))
                    return self._send(206, headers, data[start:])
                return self._send(200, headers, data)
            return self._send(200, {"X-Repo-Commit": COMMIT, "ETag": '"%s"' % f["etag"]}, f["data"])

    return Hub


def print_tree(root):
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        for n in sorted(filenames):
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                print("  %s -> %s" % (rel, os.readlink(p)))
            else:
                print("  %s (%d bytes)" % (rel, os.path.getsize(p)))


def run_eval(jointquant, model, env, seqlen):
    out = subprocess.run([jointquant, "eval", "--model", model, "--dataset", "resources/demo-corpus/test.txt",
                          "--seqlen", str(seqlen), "--quiet"], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("jointquant eval --model %s failed:\n%s" % (model, out.stderr))
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="HF_HOME to create (the cache goes to OUT/hub)")
    ap.add_argument("--model-dir", default="resources/demo-model")
    ap.add_argument("--jointquant", help="path of the jointquant binary: also compare eval from the cache")
    ap.add_argument("--seqlen", type=int, default=512)
    args = ap.parse_args()

    files = load_files(args.model_dir)
    port_holder = [0]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(files, port_holder))
    port_holder[0] = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    # huggingface_hub reads these when imported.
    os.environ["HF_HOME"] = os.path.abspath(args.out)
    os.environ["HF_ENDPOINT"] = "http://127.0.0.1:%d" % port_holder[0]
    for v in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HUB_OFFLINE", "HF_TOKEN"):
        os.environ.pop(v, None)
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    import huggingface_hub
    from huggingface_hub import hf_hub_download, scan_cache_dir, snapshot_download

    print("huggingface_hub %s, endpoint %s" % (huggingface_hub.__version__, os.environ["HF_ENDPOINT"]))
    try:
        snap = snapshot_download(REPO_ID)
        how = "snapshot_download"
    except Exception as e:  # older/newer API answers we do not fake: fetch file by file instead
        print("snapshot_download failed (%s: %s); using hf_hub_download per file" % (type(e).__name__, e))
        for name in files:
            path = hf_hub_download(REPO_ID, name)
        snap = os.path.dirname(path)
        how = "hf_hub_download"
    server.shutdown()
    cache = os.path.join(args.out, "hub")
    print("filled by %s: %s" % (how, snap))
    print("tree of %s:" % cache)
    print_tree(cache)
    info = scan_cache_dir(cache)
    for repo in info.repos:
        print("scan_cache_dir: %s %s size=%d files=%d" % (repo.repo_type, repo.repo_id, repo.size_on_disk,
                                                         repo.nb_files))
        for rev in repo.revisions:
            print("  revision %s refs=%s size=%d files=%d path=%s" % (rev.commit_hash, sorted(rev.refs),
                                                                     rev.size_on_disk, rev.nb_files,
                                                                     rev.snapshot_path))
    # The layout our reader relies on, checked against what huggingface_hub wrote.
    repo_dir = os.path.join(cache, "models--" + REPO_ID.replace("/", "--"))
    assert open(os.path.join(repo_dir, "refs", "main")).read() == COMMIT, "refs/main"
    for name, f in files.items():
        link = os.path.join(repo_dir, "snapshots", COMMIT, name)
        assert os.path.islink(link) and os.readlink(link) == "../../blobs/" + f["etag"], link
    print("layout OK: refs/main, blobs named by sha256 / git sha1, relative snapshot symlinks")

    if args.jointquant:
        env = dict(os.environ, HF_HUB_OFFLINE="1")
        env.pop("HF_ENDPOINT", None)
        from_cache = run_eval(args.jointquant, REPO_ID, env, args.seqlen)
        from_dir = run_eval(args.jointquant, args.model_dir, env, args.seqlen)
        print("jointquant eval --model %s: ppl %.6f (%s)" % (REPO_ID, from_cache["perplexity"], from_cache["model"]))
        print("jointquant eval --model %s: ppl %.6f" % (args.model_dir, from_dir["perplexity"]))
        if from_cache["model"] != os.path.join(repo_dir, "snapshots", COMMIT):
            sys.exit("FAIL: jointquant resolved %s to %s" % (REPO_ID, from_cache["model"]))
        if from_cache["perplexity"] != from_dir["perplexity"]:
            sys.exit("FAIL: perplexities differ")
        print("OK: the cache that huggingface_hub wrote is read by jointquant, same perplexity")


if __name__ == "__main__":
    main()
