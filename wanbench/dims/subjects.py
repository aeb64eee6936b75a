"""Which detector class a prompt's subject is, so ID Consistency crops the asked subject and nothing else.

A human subject is COCO's ``person``. An animal or object subject is matched by name: a COCO class
name inside it (longest first, so "teddy bear" wins over "bear"), else its head noun (the last word,
singular) or a common synonym of a COCO class. A subject with no COCO class (a lion, a lamp) has no
crop class: its clip is compared on whole frames, and the method says so.
"""

from __future__ import annotations

import re

from wanbench.prompts.suite import Subject

COCO_CLASSES = (
    "person",
    "bicycle",
    "car",
    "motorcycle",
    "airplane",
    "bus",
    "train",
    "truck",
    "boat",
    "traffic light",
    "fire hydrant",
    "stop sign",
    "parking meter",
    "bench",
    "bird",
    "cat",
    "dog",
    "horse",
    "sheep",
    "cow",
    "elephant",
    "bear",
    "zebra",
    "giraffe",
    "backpack",
    "umbrella",
    "handbag",
    "tie",
    "suitcase",
    "frisbee",
    "skis",
    "snowboard",
    "sports ball",
    "kite",
    "baseball bat",
    "baseball glove",
    "skateboard",
    "surfboard",
    "tennis racket",
    "bottle",
    "wine glass",
    "cup",
    "fork",
    "knife",
    "spoon",
    "bowl",
    "banana",
    "apple",
    "sandwich",
    "orange",
    "broccoli",
    "carrot",
    "hot dog",
    "pizza",
    "donut",
    "cake",
    "chair",
    "couch",
    "potted plant",
    "bed",
    "dining table",
    "toilet",
    "tv",
    "laptop",
    "mouse",
    "remote",
    "keyboard",
    "cell phone",
    "microwave",
    "oven",
    "toaster",
    "sink",
    "refrigerator",
    "book",
    "clock",
    "vase",
    "scissors",
    "teddy bear",
    "hair drier",
    "toothbrush",
)

# head nouns that name a COCO class under another word
SYNONYMS = {
    "man": "person",
    "woman": "person",
    "boy": "person",
    "girl": "person",
    "child": "person",
    "kid": "person",
    "people": "person",
    "dancer": "person",
    "player": "person",
    "runner": "person",
    "chef": "person",
    "puppy": "dog",
    "corgi": "dog",
    "retriever": "dog",
    "kitten": "cat",
    "pony": "horse",
    "stallion": "horse",
    "foal": "horse",
    "lamb": "sheep",
    "calf": "cow",
    "bull": "cow",
    "cattle": "cow",
    "parrot": "bird",
    "eagle": "bird",
    "pigeon": "bird",
    "duck": "bird",
    "swan": "bird",
    "owl": "bird",
    "seagull": "bird",
    "sedan": "car",
    "taxi": "car",
    "jeep": "car",
    "automobile": "car",
    "bike": "bicycle",
    "motorbike": "motorcycle",
    "scooter": "motorcycle",
    "plane": "airplane",
    "jet": "airplane",
    "aeroplane": "airplane",
    "airliner": "airplane",
    "ship": "boat",
    "sailboat": "boat",
    "yacht": "boat",
    "canoe": "boat",
    "kayak": "boat",
    "lorry": "truck",
    "phone": "cell phone",
    "smartphone": "cell phone",
    "sofa": "couch",
    "table": "dining table",
    "ball": "sports ball",
    "football": "sports ball",
    "basketball": "sports ball",
    "soccer": "sports ball",
    "plant": "potted plant",
    "television": "tv",
    "fridge": "refrigerator",
    "doughnut": "donut",
    "racket": "tennis racket",
    "mug": "cup",
    "teacup": "cup",
}


def _forms(word: str) -> list[str]:
    """The word and its plausible singulars (the first known one is used)."""
    forms = [word]
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        forms.append(word[:-1])
    return forms


KNOWN = frozenset(w for cls in COCO_CLASSES for w in cls.split()) | frozenset(SYNONYMS)


def _singular(word: str) -> str:
    return next((f for f in _forms(word) if f in KNOWN), word)


def coco_class(subject: Subject | None) -> str | None:
    """The COCO class of the asked subject, or None when it has none (or no subject is asked)."""
    if subject is None:
        return None
    if subject.kind == "human":
        return "person"
    name = " ".join(_singular(w) for w in re.findall(r"[a-z]+", subject.name.lower()))
    padded = f" {name} "
    for cls in sorted(COCO_CLASSES, key=len, reverse=True):
        if f" {cls} " in padded:
            return cls
    words = name.split()
    for word in reversed(words):  # head noun first
        if word in SYNONYMS:
            return SYNONYMS[word]
    return None
