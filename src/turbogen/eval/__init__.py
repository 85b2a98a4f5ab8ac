"""Evaluation: planner suites and scoring (plan_suite, plan_eval); image metrics come later."""
