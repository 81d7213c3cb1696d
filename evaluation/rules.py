"""Permissions of the evaluators' and the CPNE's spaces."""

import rules

from cqpt_portal.accounts.rules import is_cpne, is_evaluator

rules.add_perm("evaluation.view_evaluator_dashboard", is_evaluator)
rules.add_perm("evaluation.view_cpne_dashboard", is_cpne)
