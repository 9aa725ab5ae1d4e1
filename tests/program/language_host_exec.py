"""Stands in for Pulumi's ``pulumi-language-python-exec`` in the language-host test.

It does what the real one does (pulumi/pulumi ``sdk/python/cmd/pulumi-language-python-exec``): read
the stack configuration the language host put in ``PULUMI_CONFIG`` / ``PULUMI_CONFIG_SECRET_KEYS``
into the runtime, configure the runtime with the monitor and engine addresses (gRPC) and the project
root, change to the program's directory (``main: infra/`` makes it ``infra/``), and run
``runpy.run_path(".", run_name="__main__")`` inside the root stack. A ``RunError`` is logged to the
engine and the process exits 1, as in a real run.

The one addition: with ``--fake-1password SEED.json``, ``onepassword.Client.authenticate`` hands out
the in-memory client of ``tests/fakes/onepassword.py`` (the SDK's surface, no network) instead of
opening a session with 1Password's servers. Nothing of ``infra`` is imported before the program
runs.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import logging
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any

FAKE = Path(__file__).resolve().parent.parent / "fakes" / "onepassword.py"


def _install_fake_1password(seed_file: str) -> None:
    import onepassword

    spec = importlib.util.spec_from_file_location("cfinfra_fake_onepassword", FAKE)
    assert spec is not None
    assert spec.loader is not None
    fake = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = fake
    spec.loader.exec_module(fake)
    seed = json.loads(Path(seed_file).read_text(encoding="utf-8"))

    async def authenticate(
        cls: Any, auth: str, integration_name: str, integration_version: str
    ) -> Any:
        if not auth:  # the SDK refuses an empty token locally, before any network call
            raise Exception("invalid user input: the service account token is empty")
        return fake.FakeClient(seed)

    onepassword.Client.authenticate = classmethod(authenticate)  # type: ignore[method-assign,assignment]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", required=True)
    ap.add_argument("--stack", required=True)
    ap.add_argument("--organization", default=None)
    ap.add_argument("--root_directory", required=True)
    ap.add_argument("--pwd", required=True)
    ap.add_argument("--monitor", required=True)
    ap.add_argument("--engine", required=True)
    ap.add_argument("--dry_run", default="true")
    ap.add_argument("--parallel", default="4")
    ap.add_argument("--fake-1password", dest="fake_1password", default=None)
    ap.add_argument("PROGRAM")
    args = ap.parse_args()

    import pulumi
    import pulumi.runtime

    if args.fake_1password:
        _install_fake_1password(args.fake_1password)

    pulumi.runtime.set_all_config(
        pulumi.runtime.get_config_env(), pulumi.runtime.get_config_secret_keys_env()
    )
    pulumi.runtime.configure(
        pulumi.runtime.Settings(
            monitor=args.monitor,
            engine=args.engine,
            project=args.project,
            stack=args.stack,
            parallel=int(args.parallel),
            dry_run=args.dry_run == "true",
            organization=args.organization,
            root_directory=args.root_directory,
        )
    )
    sys.argv = [args.PROGRAM]
    os.chdir(args.pwd)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    successful = False
    try:
        coro = pulumi.runtime.run_in_stack(
            lambda: runpy.run_path(args.PROGRAM, run_name="__main__")
        )
        loop.run_until_complete(coro)
        successful = True
    except pulumi.RunError as exc:
        pulumi.log.error(str(exc))
    except Exception:
        pulumi.log.error(traceback.format_exc())
    finally:
        loop.close()
        sys.stdout.flush()
        sys.stderr.flush()
    return 0 if successful else 1


if __name__ == "__main__":
    sys.exit(main())
