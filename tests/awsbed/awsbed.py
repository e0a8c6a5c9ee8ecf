"""Helpers for Python tests against the local AWS test bed (tests/awsbed/bed.sh).

Run with Debian's interpreter and boto3: /usr/bin/python3 (python3-boto3 1.26).
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BED_SH = os.path.join(HERE, "bed.sh")
FAULT_PROXY = os.path.join(HERE, "fault_proxy.mjs")


def start_bed(directory):
    """Start the bed in DIRECTORY; returns once every emulator answers. Returns bed.json's dict."""
    subprocess.run([BED_SH, "start", directory], check=True, stdout=subprocess.DEVNULL)
    return load_bed(directory)


def stop_bed(directory):
    subprocess.run([BED_SH, "stop", directory], check=True)


def load_bed(directory):
    with open(os.path.join(directory, "bed.json"), encoding="utf-8") as f:
        return json.load(f)


def bed_env(directory):
    """The variables `bed.sh env DIR` exports (endpoints, credentials, region), as a dict."""
    env = {}
    with open(os.path.join(directory, "bed.env"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("export "):
                line = line[len("export "):]
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                env[k] = v.strip("'\"")
    return env


def bed_pids(bed):
    return [s["pid"] for s in bed["services"].values()]


def pid_running(pid):
    """True if PID exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            stat = f.read()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def endpoints_from_env():
    """Endpoints of a running bed from the environment (eval "$(bed.sh env DIR)")."""
    names = {"kinesis": "AWS_ENDPOINT_URL_KINESIS", "dynamodb": "AWS_ENDPOINT_URL_DYNAMODB",
             "s3": "AWS_ENDPOINT_URL_S3"}
    missing = [v for v in names.values() if not os.environ.get(v)]
    if missing:
        raise RuntimeError("not set: " + ", ".join(missing) + ' (eval "$(tests/awsbed/bed.sh env DIR)")')
    return {k: os.environ[v] for k, v in names.items()}


def client(service, endpoint, **config):
    """A boto3 client for the bed: fixed bed credentials, us-east-1, path-style S3 addressing.
    boto3 1.26 does not read AWS_ENDPOINT_URL_*, so the endpoint is passed explicitly."""
    import boto3
    from botocore.config import Config

    if service == "s3":
        config.setdefault("s3", {"addressing_style": "path"})
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="S3RVER",
        aws_secret_access_key="S3RVER",
        config=Config(**config),
    )


def wait_until(predicate, what, timeout=30.0, interval=0.01):
    """Poll PREDICATE (a state check, e.g. a describe call) until it is true."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(interval)


def wait_stream_active(kinesis, name):
    return wait_until(
        lambda: kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"] == "ACTIVE",
        f"stream {name} ACTIVE")


def wait_table_active(ddb, name):
    return wait_until(
        lambda: ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE",
        f"table {name} ACTIVE")


class FaultProxy:
    """fault_proxy.mjs in front of ENDPOINT; use as a context manager.

    proxy.url is the endpoint to give the client; set_rules/faults talk to /__faults."""

    def __init__(self, endpoint, rules=None):
        self.endpoint = endpoint
        self.rules = rules
        self.proc = None
        self.url = None

    def __enter__(self):
        cmd = ["node", FAULT_PROXY, "--target", self.endpoint, "--exit-on-stdin-eof"]
        if self.rules is not None:
            cmd += ["--rules", json.dumps(self.rules)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # blocks until the ready line (or EOF if it failed)
        if not line.startswith("ready "):
            self.proc.wait(timeout=10)
            raise RuntimeError(f"fault_proxy did not start (exit {self.proc.returncode}): {line!r}")
        self.url = json.loads(line[len("ready "):])["url"]
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdin.close()
        self.proc.stdout.close()

    def _control(self, method, body=None, query=""):
        import urllib.request

        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + "/__faults" + query, data=data, method=method,
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.load(resp)

    def set_rules(self, rules, append=False):
        return self._control("POST", {"rules": rules}, "?append=1" if append else "")

    def faults(self):
        return self._control("GET")

    def clear(self):
        return self._control("DELETE")


if __name__ == "__main__":
    sys.exit("awsbed.py is a helper module; see smoke_test.py and ceilings.py")
