"""Does a plan read off an image satisfy a prompt's facts? (GenEval-style, all or nothing.)

plan/facts.fact_failures judges a planner's plan; an image's plan needs two changes. Geometry
that the planner must get right (a box within its size class's jitter, 2 px gaps) is measured
here with sub-pixel error, so it is not held against the image: boxes exactly 2 px apart read
as 1.9. And an image carries no exclusion list: "no blue things" holds when no object it shows
is blue.
"""
from __future__ import annotations

from ..plan.facts import fact_failures
from ..plan.rules import consistency_problems
from ..plan.scene_plan import ScenePlan


def image_fact_failures(plan: ScenePlan, facts: dict) -> list[str]:
    """Every fact of `facts` (plan/facts.py format) that the image read as `plan` violates."""
    geometry = set(consistency_problems(plan))
    checked = {key: value for key, value in facts.items() if key != "exclude"}
    failures = [f for f in fact_failures(plan, checked) if f not in geometry]
    for sel in facts.get("exclude", []):
        hits = [f"{o.color} {o.shape}" for o in plan.objects if o.matches(sel)]
        if hits:
            failures.append(f"exclusion {sel} is violated by {', '.join(hits)}")
    return failures
