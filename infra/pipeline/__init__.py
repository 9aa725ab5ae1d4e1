"""The deploy pipeline: reviewed change sets, preview verification, the deployed-state guard."""
