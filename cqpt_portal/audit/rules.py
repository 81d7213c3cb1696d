"""Permissions of the audit trail."""

import rules

from cqpt_portal.accounts.rules import is_administrator, is_auvicom

rules.add_perm("audit.view_audit_trail", is_auvicom | is_administrator)
