"""Cost guard rails: a monthly budget that e-mails core long before a runaway bill.

The GPU pool is the only thing here that can cost real money, and a leaked cirun key is how a bad
actor would run it up: an alert at half the limit leaves time to revoke the key.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.config.aws import Budget

ACTUAL_ALERT_PERCENTS = (50, 80, 100)
FORECAST_ALERT_PERCENTS = (100,)


def _notification(kind: str, percent: int, emails: list[str]) -> aws.budgets.BudgetNotificationArgs:
    return aws.budgets.BudgetNotificationArgs(
        comparison_operator="GREATER_THAN",
        notification_type=kind,
        threshold=percent,
        threshold_type="PERCENTAGE",
        subscriber_email_addresses=sorted(emails),
    )


class CostGuard(pulumi.ComponentResource):
    """The monthly cost budget and its alerts."""

    def __init__(self, name: str, config: Budget, opts: pulumi.ResourceOptions | None = None):
        super().__init__("cfinfra:aws:CostGuard", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        notifications = [
            *(_notification("ACTUAL", p, config.alert_emails) for p in ACTUAL_ALERT_PERCENTS),
            *(_notification("FORECASTED", p, config.alert_emails) for p in FORECAST_ALERT_PERCENTS),
        ]
        self.budget = aws.budgets.Budget(
            f"{name}-monthly",
            name=config.name,
            budget_type="COST",
            limit_amount=str(config.monthly_limit_usd),
            limit_unit="USD",
            time_unit="MONTHLY",
            notifications=notifications,
            opts=child,
        )
        self.register_outputs({"budget": self.budget.name})
