"""CI runners: cirun configuration, the GPU hosts, large-runner groups and per-feedstock access."""
