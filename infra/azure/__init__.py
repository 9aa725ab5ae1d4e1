"""Azure DevOps: variable groups that feed pipelines their upload tokens."""
