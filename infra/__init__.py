"""conda-forge-infra."""
