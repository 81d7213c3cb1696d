import rules

from cqpt_portal.accounts.rules import is_administrator, is_funding_officer

rules.add_perm("funding.view_dashboard", is_funding_officer | is_administrator)
