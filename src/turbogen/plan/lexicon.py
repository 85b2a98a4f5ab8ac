"""The words of Shapes World: what the caption templates write and the grammar reads directly.

Anything outside these tables reaches the MiniLM matcher (plan/word_matcher.py), which maps it by
meaning or rejects it. The first word of each list is the canonical one.
"""
COLOR_WORDS = {
    "red": ["red", "crimson", "scarlet", "vermilion", "vermillion", "cherry"],
    "orange": ["orange", "tangerine"],
    "yellow": ["yellow", "lemon", "golden"],
    "green": ["green", "grass-green"],
    "cyan": ["cyan", "aqua", "turquoise"],
    "blue": ["blue", "royal blue", "ultramarine", "blu"],
    "purple": ["purple", "violet"],
    "pink": ["pink", "rose"],
}
BACKGROUND_WORDS = {
    "white": ["white", "snow white", "off white", "paper white"],
    "gray": ["gray", "grey", "neutral gray", "neutral grey", "mid gray", "mid grey", "ash gray",
             "ash grey", "silver gray", "silver grey", "slate gray", "slate grey"],
    "black": ["black", "coal black", "pitch dark", "inky black"],
}
SHAPE_WORDS = {   # singular, plural
    "circle": [("circle", "circles"), ("disc", "discs"), ("disk", "disks"), ("orb", "orbs"),
               ("round shape", "round shapes"), ("round", "rounds"), ("circular", "circulars"),
               ("dot", "dots"), ("ball", "balls"), ("coin", "coins"), ("plate", "plates"),
               ("button", "buttons"), ("bubble", "bubbles"), ("circ", "circs"),
               ("blob", "blobs")],
    "square": [("square", "squares"), ("box", "boxes"), ("block", "blocks"), ("tile", "tiles"),
               ("cube", "cubes"), ("brick", "bricks"), ("sq", "sqs"), ("sqr", "sqrs")],
    "triangle": [("triangle", "triangles"), ("triangular", "triangulars"), ("pyramid", "pyramids"),
                 ("wedge", "wedges"), ("tri", "tris"), ("three sided shape", "three sided shapes"),
                 ("three cornered shape", "three cornered shapes"),
                 ("three sided figure", "three sided figures")],
    # a square turned 45 degrees is how the renderer draws a diamond
    "diamond": [("diamond", "diamonds"), ("rhombus", "rhombuses"), ("rhombi", "rhombi"),
                ("gem", "gems"), ("jewel", "jewels"), ("kite", "kites"),
                ("lozenge", "lozenges"), ("square standing on its corner", "squares standing on "
                 "their corners"), ("square on its corner", "squares on their corners"),
                ("square tilted 45 degrees", "squares tilted 45 degrees"),
                ("square rotated 45 degrees", "squares rotated 45 degrees"),
                ("square turned 45 degrees", "squares turned 45 degrees"),
                ("square turned on its corner", "squares turned on their corners"),
                ("square turned up on its corner", "squares turned up on their corners"),
                ("square turned forty five degrees", "squares turned forty five degrees"),
                ("squares turned forty five degrees", "squares turned forty five degrees")],
    "star": [("star", "stars"), ("asterisk", "asterisks"), ("pentagram", "pentagrams"),
             ("starburst", "starbursts")],
}
GENERIC_NOUNS = [("shape", "shapes"), ("object", "objects"), ("thing", "things"),
                 ("item", "items"), ("one", "ones"), ("anything", "anything"),
                 ("something", "something"), ("figure", "figures")]
# Generic nouns whose adjectives follow them: "something round and orange".
POSTNOMINAL_NOUNS = ["something", "anything"]
# Plural attribute nouns: "in three sizes", "one of each of these colours: red, blue".
ATTRIBUTE_PLURALS = ["colours", "colors", "sizes", "shades", "hues", "tones",
                     "different colours", "different colors", "different sizes"]
SIZE_WORDS = {
    "small": ["small", "little", "tiny", "extra small", "teeny", "teeny tiny", "itty bitty",
              "wee", "minuscule", "miniature", "mini", "teensy", "smallest", "the smallest size",
              "smol", "pea sized", "bite sized", "pocket sized", "coin sized", "button sized",
              "thumbnail sized", "dot sized", "itty", "petite", "sm", "xs"],
    "medium": ["medium", "medium-sized", "mid-sized", "mid size", "midsize", "midsized",
               "average sized", "medium size", "mid sized", "average size", "average",
               "regular size", "regular sized", "regular", "normal size", "normal sized",
               "moderate size", "moderately sized", "moderate sized", "moderate", "modest",
               "middle size", "middle sized", "med", "not big not small", "not small not big",
               "not large not small", "not small not large", "neither big nor small",
               "neither small nor big", "neither large nor small", "neither small nor large",
               "not small, not large", "not large, not small", "not big, not small",
               "not small, not big"],
    "large": ["large", "big", "huge", "extra large", "extra big", "jumbo", "oversized",
              "giant", "gigantic", "enormous", "massive", "whopping", "whopping great", "biggest",
              "largest", "the biggest size", "the largest size", "largest size there is",
              "the largest size there is", "biggest size there is", "king sized", "king size",
              "giant sized", "jumbo sized", "supersized", "super sized", "hefty", "chunky", "lg", "lrg", "xl"],
}
COUNT_WORDS = {   # phrase -> count; "a pair of" style phrases keep their "of"
    "a": 1, "an": 1, "one": 1, "single": 1, "a single": 1,
    "two": 2, "a pair of": 2, "pair of": 2, "a couple of": 2, "couple of": 2,
    "three": 3, "a trio of": 3, "trio of": 3,
    "four": 4, "five": 5, "six": 6, "half a dozen": 6, "a half dozen": 6, "half dozen": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a dozen": 12,
    "dozen": 12, "fifteen": 15, "twenty": 20, "fifty": 50, "a hundred": 100, "hundred": 100,
    # vague counts become ranges the layout draws from (the facts check the range)
    "twin": 2, "a brace of": 2, "brace of": 2, "a duo of": 2, "duo of": 2,
    "a few": (2, 3), "few": (2, 3), "several": (3, 5), "a handful of": (3, 5),
    "a bunch of": (3, 5), "a number of": (3, 5), "many": (4, 6), "lots of": (4, 6),
    "a lot of": (4, 6),
}
# Bounds on a count: "at least two stars", "no more than 3 circles".
COUNT_BOUNDS = {
    "min": ["at least", "no fewer than", "no less than", "not less than", "not fewer than",
            "a minimum of", "minimum of", "or more"],
    "max": ["at most", "no more than", "not more than", "up to", "a maximum of", "maximum of"],
}
COUNT_DIGIT_MAX = 99   # digits are read as counts up to this; over MAX_OBJECTS is an error

RELATION_WORDS = {
    "left of": ["to the left of", "left of", "on the left of", "on the left side of"],
    "right of": ["to the right of", "right of", "on the right of", "on the right side of"],
    "above": ["above", "over", "on top of", "higher than", "atop"],
    "below": ["below", "beneath", "under", "lower than"],
}
PLACE_WORDS = {
    "top left": ["in the top left corner", "in the top left", "at the top left", "top left",
                 "in the upper left corner", "in the upper left", "upper left"],
    "top right": ["in the top right corner", "in the top right", "at the top right", "top right",
                  "in the upper right corner", "in the upper right", "upper right"],
    "bottom left": ["in the bottom left corner", "in the bottom left", "at the bottom left",
                    "bottom left", "in the lower left corner", "in the lower left", "lower left"],
    "bottom right": ["in the bottom right corner", "in the bottom right", "at the bottom right",
                     "bottom right", "in the lower right corner", "in the lower right",
                     "lower right"],
    "left": ["on the left", "on the left side", "at the left", "on the left-hand side",
             "in the left half", "in the left part"],
    "right": ["on the right", "on the right side", "at the right", "on the right-hand side",
              "in the right half", "in the right part"],
    "top": ["at the top", "near the top", "along the top", "in the upper half", "in the top half",
            "in the top part"],
    "bottom": ["at the bottom", "near the bottom", "along the bottom", "in the lower half",
               "in the bottom half", "in the bottom part"],
    "center": ["in the center", "in the centre", "in the middle", "at the center",
               "at the centre", "in the heart of", "at the heart of"],
}
# Single direction words; a run of them ("up in the top left", "upper right-hand corner",
# "a top-left star") makes one place. Compass points count too.
DIRECTION_WORDS = {
    ("top",): ["top", "upper", "uppermost", "topmost", "north", "up", "high", "up top",
               "high up", "higher", "higher up"],
    ("bottom",): ["bottom", "lower", "lowermost", "bottommost", "south", "down", "low",
                  "down low", "lower down"],
    ("left",): ["left", "leftmost", "west", "left hand"],
    ("right",): ["right", "rightmost", "east", "right hand"],
    ("center",): ["center", "centre", "middle", "central", "centered", "centred", "centrally"],
    ("top", "left"): ["northwest", "north west"],
    ("top", "right"): ["northeast", "north east"],
    ("bottom", "left"): ["southwest", "south west"],
    ("bottom", "right"): ["southeast", "south east"],
}
# Nouns that only shape a place phrase ("the left edge", "the upper region"): no content.
PLACE_NOUNS = ["corner", "corners", "edge", "edges", "half", "part", "region", "area",
               "quadrant", "portion", "section", "border", "margin", "end", "zone", "space",
               "most", "hand", "toward", "towards", "along", "near", "close", "into", "within", "inside of"]

NEGATION_WORDS = ["no", "without", "nothing", "not any", "none", "never", "not", "zero",
                  "don t", "do not", "doesn t", "does not", "shouldn t", "should not",
                  "mustn t", "must not", "isn t", "aren t", "neither", "neither of them", "none of them", "leave out", "omit", "exclude",
                  "avoid", "avoiding", "avoids", "any colour but", "any color but", "any colour except",
                  "any color except", "any colour other than", "any color other than", "dont", "isnt", "arent", "doesnt",
                  "hate", "i hate", "dislike", "anything except", "omitting", "leaving out", "free of", "minus", "skip", "excluding", "except", "except for",
                  "other than", "apart from", "anything but", "everything but", "bar",
                  "barring", "save for", "lacking", "with no", "no sign of"]
# "it" and "them" point back at an object: "a square with a star above it".
PRONOUNS = ["it", "them"]
# Two relations in one phrase: "a star to the lower right of a circle".
COMPOUND_RELATIONS = {
    ("above", "left of"): ["to the upper left of", "up and to the left of", "above left of"],
    ("above", "right of"): ["to the upper right of", "up and to the right of", "above right of"],
    ("below", "left of"): ["to the lower left of", "down and to the left of", "below left of"],
    ("below", "right of"): ["to the lower right of", "down and to the right of",
                            "below right of"],
}
# Relations whose object is a pronoun, written before the subject ends: "a star to its left".
POSSESSIVE_RELATIONS = {
    "left of": ["to its left", "on its left", "to their left", "on their left"],
    "right of": ["to its right", "on its right", "to their right", "on their right"],
    "above": ["on top of it", "on top of them"],
    "below": ["underneath it", "underneath them"],
}
# Words that strengthen a colour without changing its hue: "jet-black", "deep blue".
COLOUR_MODIFIERS = ["jet", "pitch", "deep", "bright", "vivid", "pure", "rich", "brilliant",
                    "strong", "intense", "vibrant", "bold", "true", "dark", "light", "pale",
                    "soft", "pastel", "neon", "neutral", "snow", "clean", "plain", "blank"]
BACKGROUND_NOUNS = ["background", "backdrop", "canvas", "bg", "ground", "backgrounds", "field",
                    "page", "sheet",
                    "paper", "surface", "void", "behind everything", "behind it all"]
# Words that carry no scene content in these prompts; dropped before parsing.
FILLER_WORDS = [
    "the", "with", "of", "on", "in", "at", "is", "are", "there", "here", "its", "their",
    "picture", "image", "scene", "photo", "drawing", "render", "draw", "show", "showing",
    "shows", "make", "create", "generate", "me", "please", "some", "has", "have", "having",
    "placed", "sitting", "located", "positioned", "lying", "set", "that", "which", "be",
    "against", "plus", "also", "colored", "coloured", "sized", "just",
    "exactly", "only", "but", "to", "side", "by", "any", "a", "an", "s", "t", "of", "one",
    "plain", "solid", "flat", "simple", "basic", "hovering", "floating", "resting", "standing", "perched", "sits", "sit",
    "five pointed", "next to", "beside", "alongside", "together", "who", "whose",
    # requests and politeness: "could you draw", "I need", "paint me", "use a white background"
    "could", "can", "would", "will", "you", "i", "we", "need", "want", "like", "paint", "sketch",
    "use", "put", "place", "add", "give", "let", "see", "display", "depict", "include",
    "including", "containing", "contains", "featuring", "should", "must", "my", "your",
    "very", "really", "illustrate", "illustration", "produce", "render", "depicting", "appear",
    "appears", "visible", "lone",
    # contractions split at the apostrophe: "I'd", "I'll", "I'm", "they're", "we've"
    "d", "ll", "m", "re", "ve",
    # "each other" in "beside each other"; "and nothing else": the plan holds only what is named
    "each other", "one another", "nothing else",
    # restating the count adds nothing: "just the one", "one of each", "on its own"
    "just the one", "one of each", "one each", "on its own", "by itself", "all by itself",
    "the only thing", "the only shape", "the only object", "the only one", "only that one shape",
    "that one shape", "in total", "a total of", "total", "altogether", "all told",
    "no other shapes", "no other objects",
    "no other things", "no others", "nothing more", "no more", "and that s all", "that s it",
    # arrangements that add no constraint beyond the objects themselves
    "in a row", "in a line", "in a column", "side by side", "in a group", "arranged",
    # adverbs that soften or stress a relation without changing it: "directly above"
    "directly", "slightly", "immediately", "straight", "diagonally", "somewhat", "far", "way",
    "well", "squarely", "neatly", "very", "right next",
    # verbs of being somewhere: "a star occupies the top right"
    "sole", "quantity", "amount", "obj", "my kid", "kid", "kids", "child", "wants", "those",
    "these", "different", "a different one", "somewhere in between", "in between",
    "instead of white", "instead of black", "instead of gray", "instead of grey",
    "rather than white", "rather than black", "rather than gray", "rather than grey",
    "first", "second", "third", "fourth", "fifth", "sixth", "finally", "lastly", "next",
    "other", "the other", "remaining", "the remaining", "wanted", "needed", "required", "may",
    "might", "instead", "in front", "across", "hugging", "against", "whatsoever", "thats all",
    "that is all", "thats it",
    "hold", "holds", "holding", "host", "hosts", "feature", "features",
    "drawn", "painted", "shown", "rendered", "sketched", "displayed", "position",
    "nestled", "tucked", "sat", "behind it", "behind them", "of any kind", "of any colour",
    "of any color", "any colour", "any color", "any kind",
    "occupies", "occupy", "occupying", "fills", "fill", "lies", "lie", "rests", "rest", "goes",
    "go", "stands", "stand", "located", "situated", "found", "kept",
    # attribute nouns: "the colour pink", "a star of medium size"
    "color", "colour", "size", "shade", "hue", "tone",
    # collective nouns: "a group of four squares" is four squares, "a set of stars" some stars
    "a group of", "a set of", "a collection of", "a row of", "a line of", "a column of",
    "a cluster of", "a series of", "group of", "set of", "a stack of", "stack of", "a pile of",
    # comparatives around a direction: "further left than", "more to the right than"
    "further", "farther", "more", "than", "from",
    # more ways of asking: "could I get", "how about", "I'd love", "for me", "nothing but"
    "get", "got", "how about", "what about", "love", "for me", "for", "us", "lets",
    "nothing but", "none but", "then", "where", "somewhere", "shaped", "anything else",
    "everything else", "up to you", "your choice", "you choose",
    # sameness adds nothing: objects of one group already share colour and size
    "identical", "equal", "equally", "same size", "the same size", "matching", "similar",
    "anywhere", "at all", "make sure", "ensure", "sure", "keep", "keeps",
    # leaving the choice to the generator: "anything you like, five objects"
    "anything you like", "anything you want", "whatever you like", "whatever you want",
    "anything goes", "any you like", "as you like", "of your choice", "of your choosing",
    # contractions typed without the apostrophe, thanks, connectives
    "thats", "whats", "theres", "heres", "many thanks", "thanks in advance", "thanks",
    "thank you", "cheers", "so kind as to", "be so kind", "kindly", "how many", "of what",
    "cuz", "because", "since", "provided that", "provided", "as long as", "so long as",
    "goes", "layout", "row", "drop", "remove", "delete", "forget", "get rid of",
    # what the picture is for names no object: "warning sign", "sprite row", "spawn marker"
    "warning sign", "sign", "emblem", "icon", "icons", "sprite", "sprites", "marker", "logo",
    "spawn", "pickup", "dark mode", "light mode", "tinted", "own", "its own colour",
    "its own color", "their own colour", "their own color", "nothing inside it",
    "nothing inside", "to colour match", "to color match", "colour match",
    "color match", "worksheet", "flag", "flags", "enemy", "enemies", "player", "pls", "plz",
    "is fine", "fine", "ok", "okay", "with five points", "five points", "five point",
    "teacher here",
]
# Words that spread what follows over every object of the sentence: "a large and a small
# triangle, both green"; "two shapes, both triangles".
DISTRIBUTIVE_WORDS = ["both", "all", "each", "both of them", "all of them", "each of them",
                      "each one", "every one", "each one of them",
                      "every one of them", "all of which are", "both of which are"]
# Reading the objects in order along an axis: "from left to right: a, b, c" puts a left of b.
ORDER_WORDS = {
    "left of": ["from left to right", "left to right", "going left to right"],
    "right of": ["from right to left", "right to left", "going right to left"],
    "above": ["from top to bottom", "top to bottom", "going top to bottom", "going down"],
    "below": ["from bottom to top", "bottom to top", "going bottom to top", "going up"],
}
# Arrangements that read the same way: "in a vertical stack: a, b, c" puts a above b above c;
# said after the objects ("a circle and a star, one above the other") they order those.
ORDER_WORDS["above"] += ["in a vertical stack", "vertical stack", "stacked vertically",
                         "vertically stacked", "in a vertical column", "vertical column",
                         "in a vertical line", "vertical line", "stacked on top of each other",
                         "one above the other", "one on top of the other", "one over the other"]
ORDER_WORDS["left of"] += ["in a horizontal row", "horizontal row", "in a horizontal line",
                           "horizontal line", "one beside the other", "one next to the other"]
# Objects spread around another: four stars around a circle go left, right, above and below.
AROUND_WORDS = ["around", "all around", "surrounding", "encircling", "circling",
                "on all sides of", "on every side of", "on each side of", "ringing"]
AROUND_SIDES = ("left of", "right of", "above", "below")
# "keep red out of it", "leave the stars out": a negation split around what it excludes.
KEEP_OUT_VERBS = ["keep", "leave"]
# One object per colour or shape of the world: more than a scene holds.
EVERY_WORDS = {
    "color": ["every colour", "every color", "each colour", "each color", "all colours",
              "all colors", "all the colours", "all the colors", "every possible colour",
              "every possible color", "all eight colours", "all eight colors"],
    "shape": ["every shape", "each shape", "all shapes", "all the shapes", "every kind of shape",
              "each kind of shape", "all five shapes", "every possible shape"],
}
# Looks the flat renderer cannot draw, said in more than one word or as a noun.
UNDRAWABLE_LOOKS = ["three dimensional", "shadow", "shadows", "drop shadow", "gradient",
                    "outline", "outlines", "outlined", "no fill", "unfilled", "not filled",
                    "hollow", "wireframe", "line drawing", "just the outline", "only the outline"]
CONJUNCTIONS = ["or", "nor"]
AND_WORDS = ["and", "as well as", "while", "whilst"]
# Nouns that name the picture itself: "on the left side of the image" is a place, not a relation.
CANVAS_NOUNS = ["image", "picture", "canvas", "scene", "frame", "photo", "drawing", "screen"]
# Second thoughts: "a green, no wait, purple circle"; what follows replaces what it names.
CORRECTION_WORDS = ["no wait", "wait", "sorry", "i meant", "i mean", "actually", "scratch that",
                    "correction", "hmm", "oops", "or rather", "make that", "on second thought",
                    "on second thoughts"]
# Words after a thing that forbid it: "triangles are banned".
POSTFIX_NEGATIONS = ["banned", "forbidden", "not allowed", "prohibited", "off limits",
                     "not permitted", "disallowed", "ruled out", "are out", "is out"]
SELF_WORDS = ["itself", "themselves", "himself", "herself"]
