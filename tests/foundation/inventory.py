"""conda-forge's real inventory, as the tests' oracle.

Source: ../shared/context/conda-forge-inventory.md.
"""

AR, AM, WS = "admin-requests", "admin-migrations", "conda-forge-webservices"
MINIFORGE = ["miniforge"]

# OP_SERVICE_ACCOUNT_TOKEN, an org secret selected for `infrastructure` in the YAML projects, is
# deliberately no org secret any more: it is a secret of the `production` environment (issue 12).
ORG_SECRETS: dict[str, list[str] | None] = {
    "AZURE_TOKEN": [AR, AM],
    "CF_ADMIN_GITHUB_TOKEN": [AR, AM, WS],
    "CF_BOT_DH_PASSWORD": [WS, "docker-images", "conda-forge-feedstock-ops", "miniforge-images"],
    "CF_CURATOR_APP_ID": [AR, AM, "by-the-numbers", "core-notes", WS, "conda-forge-bot"],
    "CF_CURATOR_PRIVATE_KEY": [AR, AM, "by-the-numbers", "core-notes", WS, "conda-forge-bot"],
    "CF_DAEMON_QUAY_PASSWORD": [WS, "docker-images", "conda-forge-bot", "miniforge-images"],
    "CF_DAEMON_TRAVIS_TOKEN": [AM],
    "CF_LINTER_TRAVIS_TOKEN": [AM],
    "CF_WEBSERVICES_TOKEN": [AM, WS, "staged-recipes"],
    "CIRUN_API_KEY": [AR],
    "CONDA_FORGE_QUAY_API_KEY": [WS, "docker-images", "miniforge-images"],
    "HEROKU_API_KEY": ["core-notes", WS],
    "HEROKU_EMAIL": [WS],
    "HEROKU_ONLY_STAGING_BINSTAR_TOKEN": [WS],
    "MACOS_CERTIFICATE_APPLICATION_BASE64": MINIFORGE,
    "MACOS_CERTIFICATE_APPLICATION_PASSWORD": MINIFORGE,
    "MACOS_CERTIFICATE_INSTALLER_BASE64": MINIFORGE,
    "MACOS_CERTIFICATE_INSTALLER_PASSWORD": MINIFORGE,
    "MACOS_NOTARIZATION_AUTHKEY_BASE64": MINIFORGE,
    "MACOS_NOTARIZATION_ISSUER_ID": MINIFORGE,
    "MACOS_NOTARIZATION_KEY_ID": MINIFORGE,
    "POST_STAGING_BINSTAR_TOKEN": [WS],
    "PROD_BINSTAR_TOKEN": [WS, AR],
    "READ_ORG_ADMIN_TOKEN": ["governance"],
    "STAGING_BINSTAR_TOKEN": None,  # visibility all
    "WINDOWS_CI_AZURE_CLIENT_ID": [".cirun"],
    "WINDOWS_CI_AZURE_SUBSCRIPTION_ID": [".cirun"],
    "WINDOWS_CI_AZURE_TENANT_ID": [".cirun"],
    **{
        f"WINDOWS_SIGNING_{s}": MINIFORGE
        for s in (
            "ACCOUNT_NAME",
            "AZURE_CLIENT_ID",
            "AZURE_CLIENT_SECRET_ID",
            "AZURE_CLIENT_SECRET_VALUE",
            "AZURE_SUBSCRIPTION_ID",
            "AZURE_TENANT_ID",
            "ENDPOINT",
            "PROFILE_NAME",
        )
    },
}

ORG_WEBHOOK_URLS = {
    "https://conda-forge.herokuapp.com/autotickbot/payload": ["pull_request", "push"],
    "https://conda-forge.herokuapp.com/conda-linting/org-hook": ["merge_group", "pull_request"],
    "https://conda-forge.herokuapp.com/conda-forge-feedstocks/org-hook": ["push"],
    "https://conda-forge.herokuapp.com/conda-forge-teams/org-hook": ["push"],
    "https://conda-forge.herokuapp.com/conda-forge-command/org-hook": [
        "issue_comment",
        "issues",
        "pull_request",
    ],
    "https://conda-forge.herokuapp.com/status-monitor/payload": [
        "check_run",
        "check_suite",
        "pull_request",
        "status",
    ],
}

HEROKU_SENSITIVE_VARS = {
    "AUTOTICK_BOT_GH_TOKEN",
    "CF_WEBSERVICES_FEEDSTOCK_PRIVATE_KEY",
    "CF_WEBSERVICES_PRIVATE_KEY",
    "CF_WEBSERVICES_TOKEN",
    "GH_TOKEN",
    "PROD_BINSTAR_TOKEN",
    "STAGING_BINSTAR_TOKEN",
    "POST_STAGING_BINSTAR_TOKEN",
}
