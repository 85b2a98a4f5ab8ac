"""Facts a prompt asks for, and whether a plan satisfies every one (GenEval-style, all or nothing).

A facts record, as stored in the suites (all keys optional):
  {"objects":   [{"count": 3, "shape": "star", "color": "red", "size": "small"}, ...],
   "exact_total": true,          # no objects beyond those listed (default true)
   "relations": [{"a": {"shape": "star"}, "relation": "above", "b": {"shape": "circle"}}],
   "places":    [{"what": {"shape": "circle"}, "place": "top left"}],
   "background": "black",
   "exclude":   [{"color": "blue"}]}
`count` is an int or [min, max]. Selectors are partial {shape, color, size} descriptions.
A place holds for every object its selector matches, or, with "count": N in the place record,
for at least N of them (look-alikes placed apart: "a red circle on the left and one on the
right").
"""
from __future__ import annotations

from .rules import consistency_problems, group_relation_holds, in_place
from .scene_plan import ScenePlan


def fact_failures(plan: ScenePlan, facts: dict) -> list[str]:
    """Every fact of `facts` that `plan` violates, in words; empty when the plan is right."""
    failures = list(consistency_problems(plan))
    specs = facts.get("objects", [])
    if specs and not _counts_match(plan, specs, facts.get("exact_total", True)):
        have = ", ".join(f"{o.size} {o.color} {o.shape}" for o in plan.objects) or "nothing"
        failures.append(f"objects should be {specs}; plan has {have}")
    for rel in facts.get("relations", []):
        group_a = [o for o in plan.objects if o.matches(rel["a"])]
        group_b = [o for o in plan.objects if o.matches(rel["b"])]
        if not group_relation_holds(group_a, rel["relation"], group_b):
            failures.append(f"{rel['a']} should be {rel['relation']} {rel['b']}")
    for place in facts.get("places", []):
        group = [o for o in plan.objects if o.matches(place["what"])]
        inside = sum(in_place(o, place["place"]) for o in group)
        # with "count", at least that many of the matches (look-alikes placed apart), else all
        if not group or inside < place.get("count", len(group)):
            failures.append(f"{place['what']} should be at the {place['place']}")
    if "background" in facts and plan.background != facts["background"]:
        failures.append(f"background should be {facts['background']}, is {plan.background}")
    for sel in facts.get("exclude", []):
        # a broader exclusion implies a narrower one: "no green things" covers green triangles
        if not any(all(sel.get(k) == v for k, v in dict(e).items()) for e in plan.exclude):
            failures.append(f"exclusion {sel} missing from plan.exclude")
    return failures


def _count_range(spec: dict) -> tuple[int, int]:
    count = spec.get("count", 1)
    return (count, count) if isinstance(count, int) else (count[0], count[1])


def _counts_match(plan: ScenePlan, specs: list[dict], exact_total: bool) -> bool:
    """Assign each plan object to at most one spec it matches so every spec's count is met.

    Specs may overlap ("a red thing and a circle"), so this is a small search, not a tally;
    scenes hold at most 6 objects.
    """
    selectors = [{k: v for k, v in s.items() if k != "count"} for s in specs]
    ranges = [_count_range(s) for s in specs]
    taken = [0] * len(specs)
    objects = plan.objects

    def assign(i: int) -> bool:
        if i == len(objects):
            return all(lo <= n <= hi for n, (lo, hi) in zip(taken, ranges))
        for j, sel in enumerate(selectors):
            if taken[j] < ranges[j][1] and objects[i].matches(sel):
                taken[j] += 1
                if assign(i + 1):
                    return True
                taken[j] -= 1
        return not exact_total and assign(i + 1)   # an object no spec asked for

    return assign(0)
