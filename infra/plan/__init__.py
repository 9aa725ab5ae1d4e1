"""The offline plan: the real program, run in-process through the Pulumi SDK's mock engine."""
