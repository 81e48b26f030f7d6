#!/usr/bin/python3
# test-cli.py: `petri scan`, `cases`, `show` end to end, with bad input.
#
# Copyright 2026 The Petri authors
# SPDX-License-Identifier: GPL-2.0-or-later
import base64
import hashlib
import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

PETRI = os.path.abspath(sys.argv.pop(1))
SANITIZED = os.environ.get("PETRI_SANITIZED") == "1"


def eicar():
    # Built from pieces so that this file is not itself a test-virus file.
    return ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS" + "-TEST-FILE!$H+H*").encode()


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="petri-cli-")
        self.data = os.path.join(self.tmp, "data")
        self.input = os.fsencode(os.path.join(self.tmp, "in"))
        os.mkdir(self.input)

    def tearDown(self):
        subprocess.run(["chmod", "-R", "u+w", self.tmp])
        shutil.rmtree(self.tmp, ignore_errors=True)

    def petri(self, *args, timeout=120, **kw):
        return subprocess.run([PETRI, "--data-dir", self.data, *args], capture_output=True,
                              timeout=timeout, **kw)

    def scan_json(self, *paths, extra=(), **kw):
        r = self.petri("scan", "--json", "--no-sandbox", *extra, *paths, **kw)
        lines = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
        return r, lines

    def write(self, name, data):
        path = os.path.join(self.input, os.fsencode(name))
        with open(path, "wb") as f:
            f.write(data)
        return path

    def db(self):
        # Read-write, as any SQLite client would open it (recovers the WAL).
        return sqlite3.connect(os.path.join(self.data, "cases.db"))

    def by_name(self, lines):
        return {l["name"]: l for l in lines}

    def test_bad_input(self):
        good = self.write("good.txt", b"hello petri\n")
        empty = self.write("empty.bin", b"")
        weird = self.write(b"bad-\xff\xfe-name.bin", b"non-utf8 name\n")
        fifo = os.path.join(self.input, b"pipe")
        os.mkfifo(fifo)
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(os.path.join(self.input, b"sock"))
        loop = os.path.join(self.input, b"loop")
        os.symlink(b"loop", loop)
        sub = os.path.join(self.input, b"sub")
        os.mkdir(sub)
        os.symlink(b"..", os.path.join(sub, b"parent"))
        missing = os.path.join(self.input, b"missing")

        r, lines = self.scan_json(self.input, missing, b"/dev/null", timeout=60)
        sock.close()
        self.assertEqual(r.returncode, 2, r.stderr)
        by = self.by_name(lines)
        self.assertEqual(len(lines), 9, [l["path"] for l in lines])

        for name in ("good.txt", "empty.bin"):
            self.assertIsNotNone(by[name]["sha256"], by[name])
        self.assertEqual(by["good.txt"]["sha256"], hashlib.sha256(b"hello petri\n").hexdigest())
        self.assertEqual(by["empty.bin"]["size"], 0)

        reasons = {"pipe": "FIFO", "sock": "socket", "null": "character device",
                   "loop": "symbolic link loop", "parent": "symbolic link loop",
                   "missing": "No such file"}
        for name, reason in reasons.items():
            self.assertEqual(by[name]["verdict"], "error", by[name])
            self.assertIn(reason, by[name]["error"])
            # The error names the file.
            self.assertIn(by[name]["path"], by[name]["error"])

        # A non-UTF-8 name: shown escaped, and the exact bytes travel too.
        w = by["bad-\\xff\\xfe-name.bin"]
        self.assertEqual(base64.b64decode(w["path_bytes"]), weird)
        with self.db() as db:
            raw = [row[0] for row in db.execute("SELECT path_raw FROM sightings")]
        self.assertIn(weird, raw)
        show = json.loads(self.petri("show", "--json", w["sha256"]).stdout)
        paths = [n["path"] for c in show["cases"] for n in c["names"]]
        self.assertIn(w["path"], paths)

    def test_unreadable(self):
        target = self.write("secret", b"secret")
        os.chmod(target, 0)
        if os.geteuid() == 0:
            # root reads any file: the scan runs as nobody, who may not.
            os.chmod(self.tmp, 0o755)
            os.mkdir(self.data, 0o700)
            os.chown(self.data, 65534, 65534)
            r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                PETRI, "--data-dir", self.data, "scan", "--json", "--no-sandbox",
                                target], capture_output=True, timeout=120)
            lines = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
        else:
            r, lines = self.scan_json(target)
        self.assertEqual(r.returncode, 2, (r.stdout, r.stderr))
        self.assertEqual(lines[0]["verdict"], "error")
        self.assertIn(os.fsdecode(target), lines[0]["error"])
        self.assertIn("Permission denied", lines[0]["error"])

    def test_same_file_two_cases(self):
        a = self.write("a.bin", b"one sample, two cases\n")
        b = self.write("copy.bin", b"one sample, two cases\n")
        self.scan_json(a, extra=("--case", "First"))
        self.scan_json(a, b, extra=("--case", "Second"))
        with self.db() as db:
            self.assertEqual(db.execute("SELECT count(*) FROM samples").fetchone()[0], 1)
            self.assertEqual(db.execute("SELECT count(*) FROM case_samples").fetchone()[0], 2)
        stored = []
        for root, dirs, files in os.walk(os.path.join(self.data, "samples")):
            if ".incoming" not in root:
                stored += [os.path.join(root, f) for f in files]
        self.assertEqual(len(stored), 1)
        self.assertEqual(os.stat(stored[0]).st_mode & 0o7777, 0o400)
        cases = json.loads(self.petri("cases", "--json").stdout)
        self.assertEqual(sorted(c["name"] for c in cases), ["First", "Second"])
        text = self.petri("cases").stdout.decode()
        self.assertIn("First", text)
        sha = hashlib.sha256(b"one sample, two cases\n").hexdigest()
        show = json.loads(self.petri("show", "--json", sha[:10]).stdout)
        self.assertEqual(sorted(c["case"] for c in show["cases"]), ["First", "Second"])
        case = json.loads(self.petri("show", "--json", "--case", "Second").stdout)
        self.assertEqual(len(case["samples"]), 1)
        self.assertEqual(len(case["samples"][0]["names"]), 2)

    def test_show_errors(self):
        self.scan_json(self.write("x", b"x"))
        for arg, status in (("zz", 2), ("0000000000", 2)):
            r = self.petri("show", arg)
            self.assertEqual(r.returncode, status)
            self.assertIn(arg, r.stderr.decode())
        r = self.petri("show", "--case", "Nope")
        self.assertEqual(r.returncode, 2)
        self.assertIn("Nope", r.stderr.decode())
        r = self.petri("frobnicate")
        self.assertNotEqual(r.returncode, 0)

    def test_refuses_foreign_database(self):
        os.makedirs(self.data)
        db_path = os.path.join(self.data, "cases.db")
        with sqlite3.connect(db_path) as db:
            db.execute("CREATE TABLE invoices (id INTEGER)")
        def contents():
            with open(db_path, "rb") as f:
                return f.read()
        before = contents()
        r = self.petri("cases")
        self.assertEqual(r.returncode, 2)
        self.assertIn("not a Petri case database", r.stderr.decode())
        self.assertIn(db_path, r.stderr.decode())
        self.assertEqual(contents(), before)
        r, _ = self.scan_json(self.write("y", b"y"))
        self.assertEqual(r.returncode, 2)
        self.assertEqual(contents(), before)

    @unittest.skipIf(SANITIZED, "the sanitizers reserve more address space than the limit")
    def test_file_larger_than_memory(self):
        # A 1.5 GiB file under a 1 GiB address-space limit: it must be
        # streamed, never loaded (or mapped) whole.
        big = os.path.join(self.input, b"big.img")
        size = 1536 * 1024 * 1024
        with open(big, "wb") as f:
            f.truncate(size)
            f.seek(size // 2)
            f.write(b"needle in the middle")

        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (1024 * 1024 * 1024,) * 2)

        r, lines = self.scan_json(big, preexec_fn=limit, timeout=300)
        self.assertEqual(len(lines), 1, r.stderr)
        line = lines[0]
        h = hashlib.sha256()
        with open(big, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        self.assertEqual(line["sha256"], h.hexdigest(), line)
        self.assertEqual(line["size"], size)
        stored = os.path.join(self.data, "samples", line["sha256"][:2], line["sha256"][2:4],
                              line["sha256"])
        self.assertEqual(os.path.getsize(stored), size)
        # Every engine says it did not scan it, and why.
        for engine in line["engines"]:
            self.assertEqual(engine["result"], "error")
            self.assertIn("larger than the scan limit", engine["error"])

    def test_sigkill_midway(self):
        n = 3000
        for i in range(n):
            self.write("f%05d.txt" % i, ("file %d\n" % i).encode() * (1 + i % 7))
        p = subprocess.Popen([PETRI, "--data-dir", self.data, "scan", "--json", "--no-sandbox",
                              self.input], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        reported = []
        for line in p.stdout:
            reported.append(json.loads(line))
            if len(reported) == 200:
                p.send_signal(signal.SIGKILL)
                break
        p.wait()
        p.stdout.close()
        self.assertEqual(p.returncode, -signal.SIGKILL)
        self.assertLess(len(reported), n)
        with self.db() as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            stored = set(row[0] for row in db.execute("SELECT sha256 FROM samples"))
            results = {}
            for sha, count in db.execute("SELECT s.sha256, count(r.id) FROM samples s "
                                         "LEFT JOIN engine_results r ON r.sample_id = s.id "
                                         "GROUP BY s.id"):
                results[sha] = count
        for item in reported:
            if item["sha256"] is None:
                continue
            self.assertIn(item["sha256"], stored, item)
            self.assertEqual(results[item["sha256"]], len(item["engines"]), item)
        # The database opens again and the scan can go on.
        r, lines = self.scan_json(self.input, timeout=300)
        self.assertEqual(len(lines), n)


if __name__ == "__main__":
    unittest.main(verbosity=2)
