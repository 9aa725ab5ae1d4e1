"""``cfinfra``: the command line of conda-forge-infra.

Sub-commands live next to the domain they serve; this module only wires them together. Heavy imports
(Pulumi, provider SDKs) happen inside the commands so that ``cfinfra --help`` stays instant.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="cfinfra",
    help="conda-forge's infrastructure as code: validate, plan, diff, rotate, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
