"""Sentence structures the grammar reads beyond "ADJ NOUN REL ADJ NOUN": relation-first
sentences, pronouns, conjoined relations, direction runs, vague counts, split groups.

Each case states the Request the prompt means; the default planner's plan must satisfy it.
"""
import pytest

from turbogen.errors import PlanError
from turbogen.plan.default import DefaultPlanner, request_facts
from turbogen.plan.facts import fact_failures


@pytest.fixture(scope="module")
def planner():
    return DefaultPlanner()


def star_circle(rel):
    return [{"a": {"shape": "star"}, "relation": rel, "b": {"shape": "circle"}}]


CASES = [
    # relation first, subject last
    ("Above the circle is a star.", {"relations": star_circle("above")}),
    ("Left of the circle sits a star", {"relations": star_circle("left of")}),
    # pronouns point back at the object not being described
    ("a circle with a star above it", {"relations": star_circle("above")}),
    ("a circle and, below it, a star", {"relations": star_circle("below")}),
    ("a circle with a star to its right", {"relations": star_circle("right of")}),
    ("Draw a circle. Put a star to its left.", {"relations": star_circle("left of")}),
    # one subject, two relations
    ("a star above and to the left of a circle",
     {"relations": star_circle("above") + star_circle("left of")}),
    ("a star to the lower right of a circle",
     {"relations": star_circle("below") + star_circle("right of")}),
    ("a star left of a circle and above a square",
     {"relations": star_circle("left of")
      + [{"a": {"shape": "star"}, "relation": "above", "b": {"shape": "square"}}]}),
    ("a star directly above a circle", {"relations": star_circle("above")}),
    ("a star west of a circle", {"relations": star_circle("left of")}),
    # "that" as a pronoun, the subject after a possessive relation, order phrases, "both"
    ("A circle, and below that a star.", {"relations": star_circle("below")}),
    ("a circle, and to its right a star", {"relations": star_circle("right of")}),
    ("From left to right: a star, a circle, a square.",
     {"relations": star_circle("left of")
      + [{"a": {"shape": "circle"}, "relation": "left of", "b": {"shape": "square"}}]}),
    ("two circles next to each other, with a star above both of them",
     {"relations": star_circle("above")}),
    ("a star higher up than a circle", {"relations": star_circle("above")}),
    ("a circle and above the circle a star", {"relations": star_circle("above")}),
    ("the left side has a star and the right side has a circle",
     {"places": [{"what": {"shape": "star"}, "place": "left"},
                 {"what": {"shape": "circle"}, "place": "right"}]}),
    # places from runs of direction words
    ("a star in the upper right-hand corner",
     {"places": [{"what": {"shape": "star"}, "place": "top right"}]}),
    ("a star near the left edge of the picture",
     {"places": [{"what": {"shape": "star"}, "place": "left"}]}),
    ("a top-left star", {"places": [{"what": {"shape": "star"}, "place": "top left"}]}),
    ("In the bottom right corner, a star",
     {"places": [{"what": {"shape": "star"}, "place": "bottom right"}]}),
    ("a star centered", {"places": [{"what": {"shape": "star"}, "place": "center"}]}),
    ("a square on the left side of the canvas",
     {"places": [{"what": {"shape": "square"}, "place": "left"}]}),
    # orderings said as arrangements, before or after the objects; comparatives without "than"
    ("Three shapes in a vertical stack: a star, a circle and a square.",
     {"relations": star_circle("above")
      + [{"a": {"shape": "circle"}, "relation": "above", "b": {"shape": "square"}}]}),
    ("a star and a circle, one above the other", {"relations": star_circle("above")}),
    ("There's a circle and a star, and the star is the one further left.",
     {"relations": star_circle("left of")}),
    ("a star above a circle, no, below a circle", {"relations": star_circle("below")}),
    ("a circle, below which there is a star", {"relations": star_circle("below")}),
    ("a circle and a star, the star being on the circle's right",
     {"relations": star_circle("right of")}),
    ("# layout: star.x < circle.x", {"relations": star_circle("left of")}),
    ("a star at the top, sorry, at the bottom",
     {"places": [{"what": {"shape": "star"}, "place": "bottom"}]}),
    ("Top-left corner holds a star and the bottom-right corner a circle.",
     {"places": [{"what": {"shape": "star"}, "place": "top left"},
                 {"what": {"shape": "circle"}, "place": "bottom right"}]}),
]


@pytest.mark.parametrize("prompt, typo, word", [
    ("a green cirlce", "cirlce", "circle"), ("Gray backround, a pink star", "backround", "background"),
    ("a yelow star", "yelow", "yellow"), ("a traingle", "traingle", "triangle"),
])
def test_typos_of_known_words_are_read_and_noted(planner, prompt, typo, word):
    request = planner.read(prompt)
    assert f"read '{typo}' as '{word}'" in planner.last_notes
    assert request.groups


def test_real_words_are_not_corrected():
    from turbogen.plan.spelling import corrections
    assert corrections(["round", "tile", "teal", "gren"]) == {}    # gren: green or grey?


@pytest.mark.parametrize("prompt", [
    "A triangle that is not green, next to a blue circle.",
    "a circle and a triangle; the triangle shouldn't be green",
    "a blue circle and a triangle, any colour but green",
])
def test_negation_scoped_to_one_of_several_objects(planner, prompt):
    assert planner.read(prompt).exclude == [{"shape": "triangle", "color": "green"}]


def test_fronted_places_after_a_comma_go_to_the_next_object(planner):
    request = planner.read("on the left a cyan square, on the right an orange square")
    assert [g.places for g in request.groups] == [["left"], ["right"]]


def test_no_small_things_still_leaves_sizes_to_draw(planner):
    for seed in range(4):
        plan = planner.plan("no small things: a square and a diamond", seed)
        assert all(o.size != "small" for o in plan.objects)


def test_around_puts_one_object_on_each_side(planner):
    request = planner.read("a big circle with four little stars around it")
    assert sorted(rel for _, rel, _ in request.relations) == sorted(
        ["left of", "right of", "above", "below"])
    plan = planner.plan("a big circle with four little stars around it", seed=3)
    circle = next(o for o in plan.objects if o.shape == "circle")
    stars = [o for o in plan.objects if o.shape == "star"]
    cx, cy = (circle.box[0] + circle.box[2]) / 2, (circle.box[1] + circle.box[3]) / 2
    sides = {("left" if (o.box[0] + o.box[2]) / 2 < cx else "right",
              "up" if (o.box[1] + o.box[3]) / 2 < cy else "down") for o in stars}
    assert len(stars) == 4 and len(sides) >= 3


@pytest.mark.parametrize("prompt, expected", CASES)
def test_structure_is_read(planner, prompt, expected):
    facts = request_facts(planner.read(prompt))
    for key, value in expected.items():
        for item in value:
            assert item in facts[key], (prompt, facts)
    for seed in range(2):
        assert fact_failures(planner.plan(prompt, seed), facts) == []


@pytest.mark.parametrize("prompt, objects", [
    ("two circles: one red and one blue",
     [{"shape": "circle", "color": "blue", "count": 1},
      {"shape": "circle", "color": "red", "count": 1}]),
    ("an azure star and a crimson one",
     [{"shape": "star", "color": "blue", "count": 1}, {"shape": "star", "color": "red", "count": 1}]),
    ("a red and a blue circle",
     [{"shape": "circle", "color": "red", "count": 1},
      {"shape": "circle", "color": "blue", "count": 1}]),
    ("two red and three blue squares",
     [{"shape": "square", "color": "red", "count": 2},
      {"shape": "square", "color": "blue", "count": 3}]),
    ("the star is red and the circle is blue",
     [{"shape": "star", "color": "red", "count": 1},
      {"shape": "circle", "color": "blue", "count": 1}]),
    ("at least two squares", [{"shape": "square", "count": [2, 4]}]),
    ("no more than three stars", [{"shape": "star", "count": [1, 3]}]),
    ("four or five circles", [{"shape": "circle", "count": [4, 5]}]),
    ("between two and four stars", [{"shape": "star", "count": [2, 4]}]),
    ("3-4 squares", [{"shape": "square", "count": [3, 4]}]),
    ("Draw one (1) red square.", [{"shape": "square", "color": "red", "count": 1}]),
    ("a single, solid, purple triangle", [{"shape": "triangle", "color": "purple", "count": 1}]),
    ("A star. Make it orange.", [{"shape": "star", "color": "orange", "count": 1}]),
    ("several blue squares", [{"shape": "square", "color": "blue", "count": [3, 5]}]),
    ("a few stars", [{"shape": "star", "count": [2, 3]}]),
    ("a star of medium size", [{"shape": "star", "size": "medium", "count": 1}]),
    ("Three squares: a red one, a blue one and a green one",
     [{"shape": "square", "color": c, "count": 1} for c in ("red", "blue", "green")]),
    ("Exactly three shapes, all of them circles", [{"shape": "circle", "count": 3}]),
    ("A big star and a tiny star, both blue",
     [{"shape": "star", "color": "blue", "size": "large", "count": 1},
      {"shape": "star", "color": "blue", "size": "small", "count": 1}]),
    ("Just a square. Purple.", [{"shape": "square", "color": "purple", "count": 1}]),
    ("a pink diamond and a blue circle; those are the only shapes",
     [{"shape": "diamond", "color": "pink", "count": 1},
      {"shape": "circle", "color": "blue", "count": 1}]),
    ("a half-dozen teeny dots", [{"shape": "circle", "size": "small", "count": 6}]),
    ("Draw some circles, four of them.", [{"shape": "circle", "count": 4}]),
    ("A red star and a blue square, two of each",
     [{"shape": "star", "color": "red", "count": 2}, {"shape": "square", "color": "blue", "count": 2}]),
    ("Five shapes in total: all diamonds", [{"shape": "diamond", "count": 5}]),
    ("Two small shapes: a circle and a star",
     [{"shape": "circle", "size": "small", "count": 1}, {"shape": "star", "size": "small", "count": 1}]),
    ("quantity 2, shape square, colour red", [{"shape": "square", "color": "red", "count": 2}]),
    ("a circle of average size", [{"shape": "circle", "size": "medium", "count": 1}]),
    ("a sole pink star", [{"shape": "star", "color": "pink", "count": 1}]),
    # lists of colours or sizes give one object each; "one" after adjectives is a noun
    ("four diamonds, one of each of these colours: red, orange, yellow, green",
     [{"shape": "diamond", "color": c, "count": 1} for c in ("red", "orange", "yellow", "green")]),
    ("Three circles in three sizes - small, medium and large - all yellow",
     [{"shape": "circle", "color": "yellow", "size": s, "count": 1}
      for s in ("small", "medium", "large")]),
    ("a star and a green one", [{"shape": "star", "count": 1},
                                {"shape": "star", "color": "green", "count": 1}]),
    ("just one shape - a round, green one", [{"shape": "circle", "color": "green", "count": 1}]),
    ("Something round and orange", [{"shape": "circle", "color": "orange", "count": 1}]),
    ("A blue thing shaped like a diamond", [{"shape": "diamond", "color": "blue", "count": 1}]),
    ("circle, blue, small, one of it",
     [{"shape": "circle", "color": "blue", "size": "small", "count": 1}]),
    ("A yellow diamond one size down from medium",
     [{"shape": "diamond", "color": "yellow", "size": "small", "count": 1}]),
    ("a star larger than medium", [{"shape": "star", "size": "large", "count": 1}]),
    ("{shape: diamond, color: red}", [{"shape": "diamond", "color": "red", "count": 1}]),
    ("six circles, half of them red and half blue",
     [{"shape": "circle", "color": "red", "count": 3}, {"shape": "circle", "color": "blue", "count": 3}]),
    ("Make it four: two red triangles, two purple squares.",
     [{"shape": "triangle", "color": "red", "count": 2},
      {"shape": "square", "color": "purple", "count": 2}]),
    ("make one star green and the other star purple",
     [{"shape": "star", "color": "green", "count": 1}, {"shape": "star", "color": "purple", "count": 1}]),
    ("Please, one circle purple and one diamond yellow.",
     [{"shape": "circle", "color": "purple", "count": 1},
      {"shape": "diamond", "color": "yellow", "count": 1}]),
    ("three objects, each one a blue diamond", [{"shape": "diamond", "color": "blue", "count": 3}]),
    ("white background, nothing on it but a purple triangle",
     [{"shape": "triangle", "color": "purple", "count": 1}]),
    ("a round spot in crimson", [{"shape": "circle", "color": "red", "count": 1}]),
    ("the shape of a star, coloured pink", [{"shape": "star", "color": "pink", "count": 1}]),
    ("Size: large. Shape: circle. Colour: yellow.",
     [{"shape": "circle", "color": "yellow", "size": "large", "count": 1}]),
    ("a pea-sized dot", [{"shape": "circle", "size": "small", "count": 1}]),
    ("a blue brick", [{"shape": "square", "color": "blue", "count": 1}]),   # brick: a colour too
    ("a star in salmon", [{"shape": "star", "color": "red", "count": 1}]),
    ("twin stars", [{"shape": "star", "count": 2}]),
    # second thoughts replace what they name
    ("a green, no wait, make it purple, circle", [{"shape": "circle", "color": "purple", "count": 1}]),
    ("a blue square and a red star, sorry, I meant a red diamond",
     [{"shape": "square", "color": "blue", "count": 1},
      {"shape": "diamond", "color": "red", "count": 1}]),
    ("four red squares, actually make it three", [{"shape": "square", "color": "red", "count": 3}]),
    ("a small, no, actually a medium red diamond",
     [{"shape": "diamond", "color": "red", "size": "medium", "count": 1}]),
    ("a green circle and a red star... actually drop the star",
     [{"shape": "circle", "color": "green", "count": 1}]),
    # numbered items, code-like settings, apposition, counts said alone
    ("1) pink square 2) green triangle 3) yellow circle",
     [{"shape": "square", "color": "pink", "count": 1},
      {"shape": "triangle", "color": "green", "count": 1},
      {"shape": "circle", "color": "yellow", "count": 1}]),
    ("objects = [circle(color='cyan'), square(color='purple')]",
     [{"shape": "circle", "color": "cyan", "count": 1},
      {"shape": "square", "color": "purple", "count": 1}]),
    ("n_circles = 3  # all orange", [{"shape": "circle", "color": "orange", "count": 3}]),
    ("One shape, a red square, against a grey backdrop.",
     [{"shape": "square", "color": "red", "count": 1}]),
    ("two shapes, a star and a circle", [{"shape": "star", "count": 1}, {"shape": "circle", "count": 1}]),
    ("How many? Three. Of what? Pink triangles.", [{"shape": "triangle", "color": "pink", "count": 3}]),
    ("sprite row, all tinted blue: triangle, circle, star",
     [{"shape": s, "color": "blue", "count": 1} for s in ("triangle", "circle", "star")]),
    ("Square is up, circle is down. Square green, circle orange.",
     [{"shape": "square", "color": "green", "count": 1},
      {"shape": "circle", "color": "orange", "count": 1}]),
    ("I would like two (2) green squares.", [{"shape": "square", "color": "green", "count": 2}]),
    ("a cobalt tile and a blush-pink lozenge",
     [{"shape": "square", "color": "blue", "count": 1}, {"shape": "diamond", "color": "pink", "count": 1}]),
])
def test_counts_and_groups(planner, prompt, objects):
    facts = request_facts(planner.read(prompt))
    assert sorted(map(str, facts["objects"])) == sorted(map(str, objects))


@pytest.mark.parametrize("prompt, exclude", [
    ("Draw a circle but don't draw any stars.", [{"shape": "star"}]),
    ("a star without triangles or diamonds", [{"shape": "triangle"}, {"shape": "diamond"}]),
    ("a square, neither of them red", [{"color": "red"}]),
    ("an image without anything red, just a circle", [{"color": "red"}]),
    ("a circle and nothing else", []),
    ("two circles of any colour except red", [{"color": "red"}]),
    ("a star, minus the triangles", [{"shape": "triangle"}]),
    ("a green circle; exclude: squares", [{"shape": "square"}]),
    ("Make a blue circle but keep red out of it.", [{"color": "red"}]),
    ("A triangle that is not green", [{"color": "green"}]),   # one object: the broader way
    ("Please draw a star, avoiding red and blue.", [{"color": "red"}, {"color": "blue"}]),
    ("Shapes: 4. Colour: anything but blue.", [{"color": "blue"}]),
    ("Triangles are banned here. Draw a cyan star.", [{"shape": "triangle"}]),
    ("circles = 2; exclude: color == 'yellow'", [{"color": "yellow"}]),
])
def test_negations(planner, prompt, exclude):
    facts = request_facts(planner.read(prompt))
    assert facts["exclude"] == exclude
    assert len(facts["objects"]) == 1


@pytest.mark.parametrize("prompt, words", [
    ("a circle both above and below a square", "contradict"),
    ("a star in the top bottom corner", "both"),
    ("Above the circle.", "says where"),
    ("a star between two circles", "between"),
    ("a circle with a star above itself", "itself"),
    ("a star in every colour", "one object per color"),
    ("the outline of a square", "cannot draw"),
    ("a star smaller than large", "both"),
    ("a star in the top left corner and in the bottom right corner", "both at the"),
])
def test_structural_rejects(planner, prompt, words):
    with pytest.raises(PlanError, match=words):
        planner.plan(prompt)


@pytest.mark.parametrize("word, colour", [
    ("aubergine", "purple"), ("navy", "blue"), ("maroon", "red"), ("emerald", "green"),
])
def test_colour_names_by_hue_and_lightness(word, colour):
    from turbogen.plan.word_matcher import colour_of_name
    assert colour_of_name(word) == colour


def test_words_that_only_look_plural_keep_their_s(planner):
    assert planner.read("an enormous star").groups[0].size == "large"


@pytest.mark.parametrize("prompt, background", [
    ("a star on a dark background", "black"), ("a star on a charcoal backdrop", "black"),
    ("a circle, white bg", "white"), ("a star against jet-black", "black"),
])
def test_background_words(planner, prompt, background):
    assert planner.read(prompt).background == background
