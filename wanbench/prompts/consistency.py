"""What a machine can check between a prompt's metadata and its two texts (``wanbench prompts stats``).

Each check catches a class of mistake that becomes a wrong score: a count not written in a text, a
count of pairs taken for a count of things, a camera move or relation the text does not name (or
names the other way), a Chinese camera word for another move (平移 is a truck, a pan is 摇), a
subject or object the text never shows (the judge is asked about the metadata's noun), a Human
Artifacts prompt with nobody in it.
"""

from __future__ import annotations

import re

from wanbench.prompts.suite import Prompt

WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
CJK = re.compile(r"[\u4e00-\u9fff]")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


EN_NUMBERS = {
    1: ("one", "a", "an", "single", "lone"),
    2: ("two", "pair", "both", "couple"),
    3: ("three",),
    4: ("four",),
    5: ("five",),
    6: ("six",),
    7: ("seven",),
    8: ("eight",),
    9: ("nine",),
    10: ("ten",),
    11: ("eleven",),
    12: ("twelve",),
    20: ("twenty",),
}
ZH_NUMBERS = {
    1: ("一",),
    2: ("两", "二", "双", "对"),
    3: ("三",),
    4: ("四",),
    5: ("五",),
    6: ("六",),
    7: ("七",),
    8: ("八",),
    9: ("九",),
    10: ("十",),
    11: ("十一",),
    12: ("十二",),
    20: ("二十",),
}
# What a camera motion or relation must be called in each language (any one of the words).
CAMERA_WORDS = {
    "pan_left": (("left", "leftward"), ("左",)),
    "pan_right": (("right",), ("右",)),
    "lift_up": (("up", "upward", "rise", "rises", "rising", "ascends", "lifting", "lifts", "cranes"), ("升", "上")),
    "lift_down": (
        ("down", "downward", "descends", "descending", "lowers", "lowering", "sinks", "drops"),
        ("降", "下", "沉"),
    ),
    "zoom_in": (("zoom", "zooms", "zooming", "push-in"), ("推", "拉近", "放大")),
    "zoom_out": (("zoom", "zooms", "zooming", "pulls"), ("拉远", "拉开", "后拉", "往外拉", "缩小")),
    "aerial": (("aerial", "drone", "bird's-eye", "overhead", "flyover"), ("航拍", "俯瞰", "鸟瞰", "俯拍", "无人机")),
    "tracking": (("tracking", "tracks", "follows", "following", "follow", "chase-cam", "alongside"), ("跟",)),
    "static": (
        ("static", "still", "locked", "locked-off", "tripod", "fixed", "not", "stays"),
        ("固定", "静止", "不动"),
    ),
}
# The Chinese word for the kind of move: a pan turns the camera (摇, 扫, 转); a lift moves it up or
# down (升, 降); 平移 and 横移 move it sideways (a truck), which is not a pan.
ZH_MOVE_WORDS = {
    "pan_left": ("摇", "扫", "转"),
    "pan_right": ("摇", "扫", "转"),
    "lift_up": ("升", "上移"),
    "lift_down": ("降", "下移", "沉"),
}
ZH_WRONG_MOVE_WORDS = {
    "pan_left": ("平移", "横移", "移过", "右摇", "右扫", "右转"),
    "pan_right": ("平移", "横移", "移过", "左摇", "左扫", "左转"),
    "lift_up": ("上摇", "下降", "往下降", "向下移"),
    "lift_down": ("下摇", "上升", "升起", "向上移"),
    "zoom_in": ("拉远", "拉开", "后拉", "缩小"),
    "zoom_out": ("推近", "推向", "拉近", "放大"),
}
EN_WRONG_MOVE = {
    "pan_left": re.compile(r"\bpan(?:s|ning|ned)?\s+(?:to\s+the\s+)?right"),
    "pan_right": re.compile(r"\bpan(?:s|ning|ned)?\s+(?:to\s+the\s+)?left"),
    "zoom_in": re.compile(r"\bzoom(?:s|ing|ed)?\s+out\b|\bpulls?\s+back\b"),
    "zoom_out": re.compile(r"\bzoom(?:s|ing|ed)?\s+in\b|\bpush(?:es)?[\s-]in\b"),
}
RELATION_WORDS = {
    "left_of": (("left",), ("左",)),
    "right_of": (("right",), ("右",)),
    "above": (("above", "over", "top", "overhead", "high", "on"), ("上",)),
    "below": (("below", "under", "beneath", "underneath"), ("下", "底")),
    "in_front_of": (("front",), ("前",)),
    "behind": (("behind",), ("后", "背后")),
}
# Units whose count is a count of groups: "two pairs of chopsticks" is two pairs (four sticks), so
# the object must be named by its unit ("pair of chopsticks"), or the judge counts sticks.
GROUP_UNITS = ("pair", "set", "stack", "bunch", "pack", "pile", "row", "dozen", "bundle", "flock", "herd", "crowd")
UNIT_PHRASE = re.compile(r"\b(" + "|".join(GROUP_UNITS) + r")s? of ((?:[a-z'-]+ ){0,3}[a-z'-]+)")
# Declared synonyms: a metadata noun (what the judge is asked about) and the words a text may show it
# by. Only nouns that name the same thing, or a kind of it, belong here.
NOUN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "dog": ("dalmatian", "terrier", "husky", "hound", "beagle", "puppy", "retriever", "collie", "corgi"),
    "cat": ("kitten",),
    "car": ("convertible", "taxi", "sedan", "hatchback"),
    "boat": ("rowboat", "dinghy", "canoe", "kayak"),
    "sailboat": ("yacht",),
    "plane": ("jet", "airliner", "aeroplane", "airplane"),
    "building": ("block", "tower", "skyscraper"),
    "tree": ("oak", "pine", "maple", "birch", "willow", "banyan"),
    "child": ("kid", "kids"),
    "children": ("kids",),
    "grandmother": ("grandma",),
    "chef": ("cook",),
    "girl": ("daughter",),
    "boy": ("son",),
    "student": ("graduate",),
    "runner": ("jogger",),
    "hamburger": ("cheeseburger", "burger"),
    "sushi": ("nigiri",),
}
IRREGULAR_PLURALS = {
    "child": "children",
    "man": "men",
    "woman": "women",
    "person": "people",
    "mouse": "mice",
    "goose": "geese",
    "foot": "feet",
    "tooth": "teeth",
}
# A Human Artifacts prompt must show a person: one of these words, or its human subject's noun.
PERSON_WORDS = frozenset(
    """
    person people man men woman women boy boys girl girls child children kid kids baby babies toddler
    teenager teen adult family families crowd crowds audience player players dancer dancers hand hands
    finger fingers fingertips face faces wrist wrists arm arms fist fists thumb lips eyes father mother
    dad mum mom daughter son grandmother grandma grandfather grandpa grandson granddaughter couple bride
    groom friend friends guests fans commuters travellers backpackers runners cyclists sprinters drummers
    paddlers pickers troupe choir onlookers chef cook baker barber bartender surgeon teacher worker
    student gymnast seamstress rider riders athlete guard nurse doctor monk nun soldier clown
    """.split()
)
RIDERS = frozenset(("rider", "riders", "jockey", "driver", "pilot", "skier", "surfer", "cyclist"))
ROLE_SUFFIXES = ("er", "ers", "ist", "ists", "or", "ors", "ian", "ians", "ant", "ants")
NOT_PEOPLE = frozenset(
    """
    water paper over under after corner tower flower flowers river silver summer winter number letter
    butter counter border mirror floor door color colour motor tractor elevator weather feather feathers
    shoulder shoulders silver timber lantern pepper ginger copper amber other another ever never
    whisper cluster flavor colors paper-thin sister
    """.split()
)


def _has_any(haystack: str, needles: tuple[str, ...], whole_words: bool) -> bool:
    if whole_words:
        found = set(words(haystack)) | {w.rstrip("s") for w in words(haystack)}
        return any(n in found for n in needles)
    return any(n in haystack for n in needles)


def noun_forms(noun: str) -> set[str]:
    """The singular and plural spellings of one English noun (regular and the common irregular ones)."""
    forms = {noun, noun + "s", noun + "es"}
    if noun.endswith("y"):
        forms.add(noun[:-1] + "ies")
    if noun.endswith("fe"):
        forms.add(noun[:-2] + "ves")
    elif noun.endswith("f"):
        forms.add(noun[:-1] + "ves")
    for singular, plural in IRREGULAR_PLURALS.items():
        if noun in (singular, plural):
            forms |= {singular, plural}
    if noun.endswith("ies"):
        forms.add(noun[:-3] + "y")
    elif noun.endswith("es"):
        forms |= {noun[:-2], noun[:-1]}
    elif noun.endswith("s"):
        forms.add(noun[:-1])
    return forms


def head_noun(name: str) -> str:
    """The noun a metadata name is about: the word before "of" ("loaf of bread"), else the last one."""
    tokens = words(name)
    if not tokens:
        return name.lower()
    if "of" in tokens[1:]:
        return tokens[tokens.index("of", 1) - 1]
    return tokens[-1]


def names_noun(text: str, name: str) -> bool:
    """Whether the text shows the named thing: its head noun (any number, possessive or compound such
    as "rowboat" for boat), or one of the noun's declared synonyms."""
    head = head_noun(name)
    accepted = noun_forms(head)
    for synonym in NOUN_SYNONYMS.get(head, ()) + NOUN_SYNONYMS.get(name.lower(), ()):
        accepted |= noun_forms(synonym)
    for token in words(text):
        token = re.sub(r"['’]s?$", "", token)
        if token in accepted:
            return True
        compound = len(head) >= 4 and len(token) > len(head)  # "rowboat" shows a boat, "rainwater" rain
        if compound and (token.startswith(head) or any(token.endswith(form) for form in noun_forms(head))):
            return True
    return False


def _count_named(prompt: Prompt, name: str, count: int) -> list[str]:
    """A count above one must be written (as a digit or a number word) in both texts."""
    if count < 2 or count not in EN_NUMBERS:
        return []
    problems = []
    if str(count) not in prompt.text and not _has_any(prompt.text, EN_NUMBERS[count], whole_words=True):
        problems.append(f"count {count} of {name!r} is not written in the English text")
    zh = prompt.text_zh or ""
    if str(count) not in zh and not any(numeral in zh for numeral in ZH_NUMBERS[count]):
        problems.append(f"count {count} of {name!r} is not written in the Chinese text")
    return problems


def _units_counted_right(prompt: Prompt) -> list[str]:
    """ "N pairs of X" must be counted as N of "pair of X", never as N of X."""
    problems = []
    for match in UNIT_PHRASE.finditer(prompt.text.lower()):
        unit, things = match.group(1), match.group(2)
        for obj in prompt.objects:
            if unit in words(obj.name):
                continue
            if names_noun(things, obj.name):
                problems.append(
                    f"object {obj.name!r} counts {obj.count} where the text counts {unit}s "
                    f"({match.group(0)!r}); name it '{unit} of {obj.name}'"
                )
    return problems


# Counted things that appear (or change) during the clip: no frame holds the asked count for long.
COUNT_CHANGES = re.compile(
    r"\b(?:placed|added|folded|cut|dropped|cracked|dipped|stacked|laid|piled|poured|sliced|made|baked)"
    r"(?: \w+){0,4} one (?:by one|after another|after the other|at a time)\b"
)


def _count_steady(prompt: Prompt) -> list[str]:
    if not any(o.count >= 2 for o in prompt.objects):
        return []
    found = COUNT_CHANGES.search(prompt.text.lower())
    return [f"the counted objects change during the clip ({found.group(0)!r})"] if found else []


def _nouns_shown(prompt: Prompt) -> list[str]:
    named = []
    if prompt.subject:
        named.append(("subject", prompt.subject.name))
    named += [("object", o.name) for o in prompt.objects]
    if prompt.spatial:
        named += [("spatial subject", prompt.spatial.subject), ("spatial object", prompt.spatial.object)]
    return [
        f"{role} {name!r}: the English text never names it (nor a declared synonym)"
        for role, name in dict.fromkeys(named)
        if not names_noun(prompt.text, name)
    ]


def shows_a_person(prompt: Prompt) -> bool:
    tokens = {re.sub(r"['’]s?$", "", t) for t in words(prompt.text)}
    if tokens & PERSON_WORDS:
        return True
    if prompt.subject and prompt.subject.kind == "human" and names_noun(prompt.text, prompt.subject.name):
        return True
    return any(t.endswith(ROLE_SUFFIXES) and t not in NOT_PEOPLE and len(t) > 4 for t in tokens)


EVENT_STOPWORDS = frozenset(
    """
    a an the and or of on in into onto off over under with without from to at by its it is are was be
    as then while each one two three four five after before together slowly quickly across through
    against down up out back forth another other some all both his her their them
    """.split()
)


def _event_named(prompt: Prompt) -> list[str]:
    """The thing a physics event happens to (its first content words) must be in the text: the judge
    is asked about the event, so an event about balls on a clip of a feather is a wrong question."""
    assert prompt.event is not None
    content = [w for w in words(prompt.event) if w not in EVENT_STOPWORDS and len(w) > 2][:2]
    if content and not any(names_noun(prompt.text, w) for w in content):
        return [f"event {prompt.event!r}: the English text names none of {', '.join(content)}"]
    return []


STYLE_FILLER = frozenset(("style", "styled", "look", "in", "the", "of", "a", "an", "and", "with", "like"))


def _style_named(prompt: Prompt) -> list[str]:
    """Every word of a style label must be in the text: the judge asks "in the style of {style}?", so
    a label that adds a name or a technique the prompt never asked for scores the wrong thing."""
    assert prompt.style is not None
    text = {re.sub(r"['’]s?$", "", t) for t in words(prompt.text.replace("-", " "))}
    stems = {t[:5] for t in text}
    missing = [
        w
        for w in words(prompt.style.replace("-", " "))
        if w not in STYLE_FILLER and not (noun_forms(w) & text or w[:5] in stems)
    ]
    return [f"style {prompt.style!r}: the English text never says {', '.join(missing)}"] if missing else []


def _camera_words(prompt: Prompt) -> list[str]:
    assert prompt.camera is not None and prompt.text_zh is not None
    problems = []
    en, zh = CAMERA_WORDS[prompt.camera]
    if not _has_any(prompt.text, en, whole_words=True):
        problems.append(f"camera {prompt.camera}: the English text names none of {', '.join(en)}")
    if not _has_any(prompt.text_zh, zh, whole_words=False):
        problems.append(f"camera {prompt.camera}: the Chinese text names none of {''.join(zh)}")
    move = ZH_MOVE_WORDS.get(prompt.camera)
    if move and not _has_any(prompt.text_zh, move, whole_words=False):
        problems.append(f"camera {prompt.camera}: the Chinese text names the move with none of {'/'.join(move)}")
    wrong = [w for w in ZH_WRONG_MOVE_WORDS.get(prompt.camera, ()) if w in prompt.text_zh]
    if wrong:
        problems.append(f"camera {prompt.camera}: the Chinese text says {'/'.join(wrong)}, another move")
    opposite = EN_WRONG_MOVE.get(prompt.camera)
    if opposite and (found := opposite.search(prompt.text.lower())):
        problems.append(f"camera {prompt.camera}: the English text says {found.group(0)!r}, the other way")
    return problems


def consistency(prompt: Prompt) -> list[str]:
    """Every mismatch between the metadata and the two texts that a machine can see."""
    problems = []
    if not prompt.text_zh:
        return ["no Chinese text (text_zh)"]
    if not CJK.search(prompt.text_zh):
        problems.append("text_zh has no Chinese characters")
    if CJK.search(prompt.text):
        problems.append("the English text has Chinese characters")
    for obj in prompt.objects:
        problems.extend(_count_named(prompt, obj.name, obj.count))
    problems.extend(_units_counted_right(prompt))
    problems.extend(_count_steady(prompt))
    problems.extend(_nouns_shown(prompt))
    if prompt.camera and "camera_control" in prompt.dimensions:
        problems.extend(_camera_words(prompt))
    if prompt.spatial and "spatial_position" in prompt.dimensions:
        en, zh = RELATION_WORDS[prompt.spatial.relation]
        if not _has_any(prompt.text, en, whole_words=True):
            problems.append(f"relation {prompt.spatial.relation}: the English text names none of {', '.join(en)}")
        if not _has_any(prompt.text_zh, zh, whole_words=False):
            problems.append(f"relation {prompt.spatial.relation}: the Chinese text names none of {''.join(zh)}")
    if prompt.subject and prompt.subject.kind == "human" and not prompt.has_human:
        problems.append("a human subject needs has_human: true")
    if prompt.event:
        problems.extend(_event_named(prompt))
    if prompt.style and "stylization" in prompt.dimensions:
        problems.extend(_style_named(prompt))
    if prompt.subject and not prompt.has_human and set(words(prompt.subject.name)) & (PERSON_WORDS | RIDERS):
        problems.append(f"subject {prompt.subject.name!r} includes a person: it needs has_human: true")
    if "human_artifacts" in prompt.dimensions and not shows_a_person(prompt):
        problems.append("a Human Artifacts prompt whose English text shows no person, hand or face")
    return problems


def consistency_problems(prompts: list[Prompt]) -> dict[str, list[str]]:
    return {p.id: found for p in prompts if (found := consistency(p))}
