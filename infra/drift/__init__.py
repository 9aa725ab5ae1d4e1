"""Drift detection: turn ``pulumi preview --refresh --expect-no-changes --json`` into a report.

``report`` is pure (parse JSON text, render Markdown) so it is tested on fixture files without the
Pulumi CLI; ``cli`` is the thin ``cfinfra drift-report`` command around it.
"""
