"""Benchmark `cfinfra plan`: whole-process wall time against bare SDK registration, as a ratio.

Both sides are measured as whole processes, in the same run, alternating, so interpreter start-up
and imports count on both sides:

- **plan**: ``cfinfra plan --stack prod --json FILE`` (the command admins and CI run: load and
  validate the data, resolve placeholder secrets, run the real program under the mock engine,
  mask, summarise, write the JSON).
- **bare**: a script that imports exactly the Pulumi provider SDK modules the plan ends up
  importing (the list is read from a plan run), then registers the *same* resources (type, name,
  inputs, parent, protect/retain/import options, read back from the plan JSON) as plain
  ``CustomResource``/``ComponentResource``/``ProviderResource`` under the SDK's stock
  ``MockMonitor`` with echoing mocks. It is the floor: the SDK's own cost of those registrations.

The target is a ratio of at most 1.3x (issue 15). Figures only; nothing is asserted.

Where the plan's extra time goes (CPU, measured 2026-11-29 with ``time.process_time`` around each
step of one ``cfinfra plan --stack prod``; the bare side, under the same settings, is ~0.85 s):

- the credential scan of clear-text inputs (``infra.config.cleartext``): ~150 ms, of which
  detect-secrets' own import ~55 ms (it imports ``requests``), compiling its plugins' regexes
  ~45 ms, scanning the ~430 strings ~50 ms;
- pydantic ~60 ms, the data models ~45 ms (+ ~30 ms building their validators on first use),
  reading and validating the files and the rules ~40 ms;
- the 1Password SDK's reference validator ~45 ms (the SDK's package imports its pydantic types);
- typer and rich ~50 ms; the summary and the JSON ~30 ms;
- the SDK's per-resource stack capture (see ``run_program``): ~110 ms against the bare side's
  ~30 ms, which registers plain ``CustomResource`` objects (no ``__init__`` of their own), for
  which the SDK skips that capture, and which sets no typed inputs.

Both sides run under the same interpreter settings, those of ``cfinfra`` (``infra.cli.main``):
the cyclic garbage collector off, and every object frozen before the exit so that the
interpreter's last full collection skips them. Measured on prod, the collector cost a plain script
~0.3 s and the exit's collection ~0.5 s: leaving them on one side only (as this benchmark did until
2026-11-29, when the bare side kept both and the ratio read 1.37-1.43x) measures the settings, not
the plan's own work beyond registration.

    uv run python benchmarks/bench_plan.py               # 5 rounds each
    uv run python benchmarks/bench_plan.py --rounds 9 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.3

# Runs the plan in-process once and prints the provider SDK modules it imported.
PROBE = """
import json, sys
from pathlib import Path
from infra.plan.engine import plan_stack
plan_stack(Path(sys.argv[1]), sys.argv[2])
mods = sorted(m for m in sys.modules if m.startswith(("pulumi_", "pulumiverse_")))
print(json.dumps(mods))
"""

BARE = """
import gc, importlib, json, sys

gc.disable()  # the interpreter settings of `cfinfra` (infra.cli.main), on both sides

import pulumi
from pulumi.runtime import mocks

for module in json.loads(open(sys.argv[2]).read()):
    importlib.import_module(module)


class Echo(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args):
        return {}, []


def value(v):
    if v == "[secret]":
        return pulumi.Output.secret("x")
    if isinstance(v, list):
        return [value(x) for x in v]
    if isinstance(v, dict):
        return {k: value(x) for k, x in v.items()}
    return v


def program():
    doc = json.loads(open(sys.argv[1]).read())
    pending = {f"{r['type']}::{r['name']}": r for r in doc["resources"]}
    made = {}

    def make(key):
        if key in made:
            return made[key]
        r = pending[key]
        parent = make(r["parent"]) if r["parent"] in pending else None
        opts = pulumi.ResourceOptions(
            parent=parent,
            protect=r["protect"],
            retain_on_delete=r["retain_on_delete"] or None,
            import_=r["import_id"],
        )
        props = {k: value(v) for k, v in r["inputs"].items()}
        kind = r["type"]
        if kind.startswith("pulumi:providers:"):
            res = pulumi.ProviderResource(kind.split(":")[2], r["name"], props, opts)
        elif kind.startswith("cfinfra:"):
            res = pulumi.ComponentResource(kind, r["name"], None, opts)
        else:
            res = pulumi.CustomResource(kind, r["name"], props, opts)
        made[key] = res
        return res

    for key in pending:
        make(key)


pulumi.runtime.set_mocks(Echo(), project="conda-forge-infra", stack="bench", preview=False)
mocks.test(program)()
gc.freeze()
"""


# Both sides run as Python normally does, caching compiled modules: an environment that sets
# PYTHONDONTWRITEBYTECODE (some CI images, sandboxes) would otherwise re-compile the provider SDKs
# from source in every process, which is the same cost on both sides and hides the difference.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        cmd, check=True, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()

    python = sys.executable
    cfinfra = str(Path(python).parent / "cfinfra")
    with tempfile.TemporaryDirectory() as tmp:
        plan_json = Path(tmp, "plan.json")
        modules = Path(tmp, "modules.json")
        bare = Path(tmp, "bare.py")
        bare.write_text(BARE, encoding="utf-8")
        probe = subprocess.run(
            [python, "-c", PROBE, str(ROOT), args.stack],
            check=True,
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
        )
        modules.write_text(probe.stdout.strip().splitlines()[-1], encoding="utf-8")
        plan_cmd = [cfinfra, "plan", "--stack", args.stack, "--json", str(plan_json)]
        bare_cmd = [python, str(bare), str(plan_json), str(modules)]
        timed(plan_cmd)  # warm-up (page cache, .pyc) and the plan JSON the bare side replays
        timed(bare_cmd)
        plan_t, bare_t = [], []
        for _ in range(args.rounds):
            plan_t.append(timed(plan_cmd))
            bare_t.append(timed(bare_cmd))
        resources = len(json.loads(plan_json.read_text(encoding="utf-8"))["resources"])
        n_modules = len(json.loads(modules.read_text(encoding="utf-8")))

    plan_s, bare_s = statistics.median(plan_t), statistics.median(bare_t)
    figures = {
        "stack": args.stack,
        "resources": resources,
        "provider_modules": n_modules,
        "rounds": args.rounds,
        "plan_median_s": round(plan_s, 3),
        "plan_best_s": round(min(plan_t), 3),
        "bare_median_s": round(bare_s, 3),
        "bare_best_s": round(min(bare_t), 3),
        "ratio": round(plan_s / bare_s, 3),
        "target": TARGET,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"stack {args.stack}: {resources} resources, {n_modules} provider SDK modules, "
        f"median of {args.rounds} whole-process runs\n"
        f"  cfinfra plan --json  {plan_s:6.2f} s  (best {min(plan_t):.2f} s)\n"
        f"  bare registration    {bare_s:6.2f} s  (best {min(bare_t):.2f} s)\n"
        f"  ratio                {plan_s / bare_s:6.2f}x  (target <= {TARGET:.2f}x)"
    )


if __name__ == "__main__":
    main()
