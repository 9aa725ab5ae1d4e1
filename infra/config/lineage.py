"""Where a delivered secret ends up, and who can read it there.

``reach(target, config, writers)`` is the single place that turns a target's settings into an
audience. The leak guard, the plan summary, the pull-request diff and the generated inventory all
ask it, so they can never disagree about who can read what. A repository's audience is the wider of
its declared one and the audience of who can write it (``infra.config.write_access``): a secret is
readable by whoever can push a workflow to any repository it is delivered to.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.config.audience import Audience
from infra.config.manifest import (
    AzureProjectIdTarget,
    AzureVariableTarget,
    GitHubEnvironmentSecretTarget,
    GitHubOrgSecretTarget,
    GitHubWebhookSecretTarget,
    HerokuConfigVarTarget,
    ProviderCredentialTarget,
    Target,
    Visibility,
)
from infra.config.stack import StackConfig
from infra.config.write_access import WriteModel


@dataclass(frozen=True)
class Reach:
    """The audience a target exposes its value to, and the reason in words."""

    audience: Audience
    why: str


def _declared_audiences(config: StackConfig) -> dict[str, Audience]:
    """Declared audience by case-folded repository name. GitHub resolves `Staged-Recipes` to
    `staged-recipes`: so does the audience. Two spellings declared with different audiences
    (refused by validation) count as the wider one."""
    declared: dict[str, Audience] = {}
    for n, r in config.github.repositories.items():
        seen = declared.get(n.casefold())
        if seen is None or r.audience.wider_than(seen):
            declared[n.casefold()] = r.audience
    return declared


def repository_audience(
    name: str, config: StackConfig, writers: WriteModel
) -> tuple[Audience, str]:
    """Who can run code in repository ``name``: the wider of its declared audience and the
    audience of everyone who can write it. Undeclared counts as `public`."""
    declared = _declared_audiences(config).get(name.casefold())
    if declared is None:
        return Audience.PUBLIC, f"`{name}` is not a declared repository"
    return writers.repository_audience(name, declared)


def reach(target: Target, config: StackConfig, writers: WriteModel) -> Reach:
    """The audience of ``target`` under ``config``, ``writers`` saying who can write each
    repository.

    Unknown references count as the widest audience.
    """
    match target:
        case GitHubOrgSecretTarget(visibility=Visibility.SELECTED, repositories=repos):
            widest = Audience.CORE
            culprits: list[str] = []
            reasons: list[str] = []
            for name in repos:
                aud, why = repository_audience(name, config, writers)
                if aud.wider_than(widest):
                    widest, culprits, reasons = aud, [name], [why]
                elif aud is widest:
                    culprits.append(name)
                    reasons.append(why)
            because = [w for w in reasons if not w.endswith(f"({widest})")]
            text = f"readable by workflows of {', '.join(culprits)} ({widest})"
            return Reach(widest, text + (f": {'; '.join(because)}" if because else ""))
        case GitHubOrgSecretTarget(visibility=vis):
            return Reach(
                Audience.FEEDSTOCKS,
                f"visibility `{vis}` lets every {'private ' if vis is Visibility.PRIVATE else ''}"
                "repository in the org read it, every feedstock included",
            )
        case AzureVariableTarget(project=project, group=group):
            proj = config.azure.projects.get(project)
            vg = next(
                (
                    g
                    for g in config.azure.variable_groups
                    if (g.project, g.name) == (project, group)
                ),
                None,
            )
            proj_aud = proj.audience if proj else Audience.PUBLIC
            if vg is not None and not vg.allow_access:
                return Reach(
                    Audience.CORE, "the group only serves pipelines an admin authorised one by one"
                )
            return Reach(
                proj_aud,
                f"`allow_access` lets every pipeline in project {project} read it, "
                f"and {project}'s audience is `{proj_aud}`",
            )
        case AzureProjectIdTarget():
            return Reach(Audience.CORE, "used only by this program to address the project")
        case HerokuConfigVarTarget(app=app):
            heroku_app = config.heroku.apps.get(app)
            aud = heroku_app.audience if heroku_app else Audience.PUBLIC
            return Reach(aud, f"readable by the operators of Heroku app {app} ({aud})")
        case GitHubEnvironmentSecretTarget(environment=name):
            env = config.github.environments.get(name)
            if env is None:
                return Reach(Audience.PUBLIC, f"environment `{name}` is not declared")
            repo_aud, repo_why = repository_audience(env.repository, config, writers)
            aud, why = env.audience(
                repo_aud, repo_why, [r for r in env.reviewers if not writers.team_is_core_only(r)]
            )
            return Reach(aud, f"environment {name} of {env.repository}: {why}")
        case GitHubWebhookSecretTarget():
            return Reach(
                Audience.CORE, "readable by org owners and the webservices receiving the hook"
            )
        case ProviderCredentialTarget(provider=provider):
            return Reach(
                Audience.CORE,
                f"used only by this program's {provider} provider; kept encrypted in the stack's "
                "state, which only core can read",
            )
    raise AssertionError(f"unhandled target {target!r}")  # pragma: no cover
