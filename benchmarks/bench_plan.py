"""Benchmark `cfinfra plan`: whole-process wall time against bare SDK registration, as a ratio.

Both sides are measured as whole processes, in the same run, alternating, so interpreter start-up
and imports count on both sides:

- **plan**: ``cfinfra plan --stack prod --json FILE`` (the command admins and CI run: load and
  validate the data, resolve placeholder secrets, run the real program under the mock engine,
  mask, summarise, write the JSON).
- **bare**: a script that imports exactly the Pulumi provider SDK modules the plan ends up
  importing (the list is read from a plan run), then registers the *same* resources (type, name,
  inputs, parent, protect/retain/import options, read back from the plan JSON) through their own
  provider SDK classes (``pulumi_github.Repository(name, opts=..., **inputs)``), components as
  ``ComponentResource``, under the SDK's stock ``MockMonitor`` with echoing mocks: what any Python
  program declaring these resources pays to the SDK, and nothing of this project's. Before timing,
  one run records what it registered and the benchmark stops unless every resource of the plan
  was registered with the same inputs (``check_same_resources``).
- **floor** (for information): the same registrations as plain ``CustomResource`` objects. Cheaper
  than any real program: no typed inputs, and the SDK skips its per-resource source-position
  capture (``_get_stack_trace``) for classes with no ``__init__`` of their own. Until 2026-11-29
  this was the benchmark's "bare" side; it is not "registration of the same resources", which are
  typed classes.

The target is a ratio plan / bare of at most 1.3x (issue 15). Figures only; nothing is asserted.

Where the plan's extra time goes (measured 2026-11-29 around each step of one ``cfinfra plan
--stack prod``, wall time on a 2-core machine; the bare side is ~1.0 s):

- the CLI (typer) ~25 ms, pydantic ~55 ms (typer needs it too), the data models ~35 ms;
- validating the data and the rules ~45 ms; the summary ~1-2 ms and the JSON ~7-15 ms;
- rich is not imported (it cost ~20-25 ms to import and ~20 ms to draw the summary): into a file
  or a pipe the summary is written as the plain text rich would print (``infra.console``,
  ``infra.plan.summary``; compared with rich's output in ``tests/plan``); measured interleaved,
  whole-process, 20-30 rounds: 22-56 ms less by the median, 34-81 ms by the best;
- not on the critical path: reading, parsing and credential-scanning the ~100 data files (~0.2 s
  with detect-secrets' import, which brings ``requests``), done by a forked child while the
  program imports the provider SDKs (``infra.config.prefetch``; Linux with two cores or more,
  otherwise in the process itself). The 1Password SDK is not imported (~80 ms): the references
  it would check are constrained by the manifest's model (checked against the SDK in
  ``tests/config/test_onepassword_reference.py``), and no source is parsed for field docstrings
  (~15 ms: only the JSON Schemas need them).

Both sides run under the same interpreter settings, those of ``cfinfra`` (``infra.cli.main``):
the cyclic garbage collector off, and every object frozen before the exit so that the
interpreter's last full collection skips them. Measured on prod, the collector cost a plain script
~0.3 s and the exit's collection ~0.5 s: leaving them on one side only (as this benchmark did until
2026-11-29, when the bare side kept both and the ratio read 1.37-1.43x) measures the settings, not
the plan's own work beyond registration.

    uv run python benchmarks/bench_plan.py               # 9 rounds each
    uv run python benchmarks/bench_plan.py --rounds 15 --json
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

# Shared by both replay scripts: read the plan JSON, import the plan's provider SDK modules, and
# register every resource in dependency order (parents first) under the SDK's stock MockMonitor,
# with mocks that echo the inputs. ``build(record, opts, props)`` makes one resource.
REPLAY = """
import gc, importlib, inspect, json, re, sys

gc.disable()  # the interpreter settings of `cfinfra` (infra.cli.main), on both sides

import pulumi
from pulumi.runtime import mocks

for module in json.loads(open(sys.argv[2]).read()):
    importlib.import_module(module)

RECORDED = {}


class Echo(pulumi.runtime.Mocks):
    def new_resource(self, args):
        RECORDED[f"{args.typ}::{args.name}"] = dict(args.inputs)
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
        if r["type"].startswith("cfinfra:"):
            made[key] = pulumi.ComponentResource(r["type"], r["name"], None, opts)
        else:
            made[key] = build(r, opts, {k: value(v) for k, v in r["inputs"].items()})
        return made[key]

    for key in pending:
        make(key)


def main():
    pulumi.runtime.set_mocks(Echo(), project="conda-forge-infra", stack="bench", preview=False)
    mocks.test(program)()
    if len(sys.argv) > 3:  # --check: what was registered, to compare with the plan
        with open(sys.argv[3], "w") as out:
            json.dump(RECORDED, out, default=repr)
    gc.freeze()
"""

# The bare side: each resource through its own class in the provider SDK (`pulumi_github.Team`,
# `pulumi_aws.s3.BucketV2` ...), found from the type token the way the SDKs lay out their modules
# (`aws:s3/bucketVersioning:BucketVersioning` is `pulumi_aws.s3.bucket_versioning`), its inputs
# passed as that class's keyword arguments: what any Python program declaring these resources
# runs, and nothing of this project's.
BARE = (
    REPLAY
    + """
PACKAGES = {
    "aws": "pulumi_aws",
    "azuredevops": "pulumi_azuredevops",
    "github": "pulumi_github",
    "heroku": "pulumiverse_heroku",
}


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def resource_class(kind):
    if kind.startswith("pulumi:providers:"):
        return importlib.import_module(PACKAGES[kind.split(":")[2]] + ".provider").Provider
    package, module, name = kind.split(":")
    folder, file = module.split("/")
    path = [PACKAGES[package]] + ([] if folder == "index" else [folder]) + [snake(file)]
    return getattr(importlib.import_module(".".join(path)), name)


def provider_input(v):
    # The engine's protocol carries a provider's non-string settings JSON-encoded, as the plan
    # shows them: the class takes the values themselves.
    try:
        return json.loads(v) if isinstance(v, str) else v
    except ValueError:
        return v


def build(r, opts, props):
    if r["type"].startswith("pulumi:providers:"):
        props = {k: provider_input(v) for k, v in props.items()}
    cls = resource_class(r["type"])
    accepted = inspect.signature(cls._internal_init).parameters
    kwargs = {snake(k): v for k, v in props.items() if snake(k) in accepted}
    return cls(r["name"], opts=opts, **kwargs)


main()
"""
)

# The floor, for information: the same registrations as plain `CustomResource`s (no provider
# class, no typed inputs). Below what any program declaring these resources can pay: the SDK skips
# its per-resource source-position capture for classes with no `__init__` of their own.
FLOOR = (
    REPLAY
    + """
def build(r, opts, props):
    kind = r["type"]
    if kind.startswith("pulumi:providers:"):
        return pulumi.ProviderResource(kind.split(":")[2], r["name"], props, opts)
    return pulumi.CustomResource(kind, r["name"], props, opts)


main()
"""
)


def check_same_resources(plan_json: Path, recorded: Path) -> list[str]:
    """What the bare side registered that differs from the plan (empty: the same resources).

    Compared: every custom resource's type and name, its input names, and every input value the
    plan shows (a secret is `[secret]` there; a provider's plugin `version` is the SDK's own).
    """
    plan = json.loads(plan_json.read_text(encoding="utf-8"))
    got = json.loads(recorded.read_text(encoding="utf-8"))
    problems = []
    for r in plan["resources"]:
        if r["type"].startswith("cfinfra:"):
            continue
        key = f"{r['type']}::{r['name']}"
        inputs = got.get(key)
        if inputs is None:
            problems.append(f"{key}: not registered")
            continue
        if r["type"].startswith("pulumi:providers:"):
            inputs.pop("version", None)
        want = {k: v for k, v in r["inputs"].items() if k != "version"}
        if set(inputs) != set(want):
            problems.append(f"{key}: inputs {sorted(set(inputs) ^ set(want))} differ")
            continue
        for name, plan_value in want.items():
            if "[secret]" in json.dumps(plan_value):
                continue
            if json.dumps(inputs[name], sort_keys=True) != json.dumps(plan_value, sort_keys=True):
                problems.append(f"{key}: input {name} differs")
    return problems


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
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()

    python = sys.executable
    cfinfra = str(Path(python).parent / "cfinfra")
    with tempfile.TemporaryDirectory() as tmp:
        plan_json = Path(tmp, "plan.json")
        modules = Path(tmp, "modules.json")
        recorded = Path(tmp, "registered.json")
        bare, floor = Path(tmp, "bare.py"), Path(tmp, "floor.py")
        bare.write_text(BARE, encoding="utf-8")
        floor.write_text(FLOOR, encoding="utf-8")
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
        floor_cmd = [python, str(floor), str(plan_json), str(modules)]
        timed(plan_cmd)  # warm-up (page cache, .pyc) and the plan JSON the other sides replay
        timed([*bare_cmd, str(recorded)])
        timed(floor_cmd)
        problems = check_same_resources(plan_json, recorded)
        if problems:
            sys.exit(
                "the bare side does not register the plan's resources:\n  " + "\n  ".join(problems)
            )
        times: dict[str, list[float]] = {"plan": [], "bare": [], "floor": []}
        for _ in range(args.rounds):
            times["plan"].append(timed(plan_cmd))
            times["bare"].append(timed(bare_cmd))
            times["floor"].append(timed(floor_cmd))
        resources = len(json.loads(plan_json.read_text(encoding="utf-8"))["resources"])
        n_modules = len(json.loads(modules.read_text(encoding="utf-8")))

    med = {k: statistics.median(v) for k, v in times.items()}
    best = {k: min(v) for k, v in times.items()}
    figures = {
        "stack": args.stack,
        "resources": resources,
        "provider_modules": n_modules,
        "rounds": args.rounds,
        **{f"{k}_median_s": round(v, 3) for k, v in med.items()},
        **{f"{k}_best_s": round(v, 3) for k, v in best.items()},
        "ratio": round(med["plan"] / med["bare"], 3),
        "ratio_best": round(best["plan"] / best["bare"], 3),
        "ratio_to_floor": round(med["plan"] / med["floor"], 3),
        "target": TARGET,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"stack {args.stack}: {resources} resources, {n_modules} provider SDK modules, "
        f"median of {args.rounds} whole-process runs (the bare side registers the same resources: "
        "checked)\n"
        f"  cfinfra plan --json       {med['plan']:6.2f} s  (best {best['plan']:.2f} s)\n"
        f"  bare SDK registration     {med['bare']:6.2f} s  (best {best['bare']:.2f} s)\n"
        f"  floor (untyped resources) {med['floor']:6.2f} s  (best {best['floor']:.2f} s)\n"
        f"  ratio plan / bare         {figures['ratio']:6.2f}x  (target <= {TARGET:.2f}x; "
        f"best against best {figures['ratio_best']:.2f}x)\n"
        f"  ratio plan / floor        {figures['ratio_to_floor']:6.2f}x  (for information)"
    )


if __name__ == "__main__":
    main()
