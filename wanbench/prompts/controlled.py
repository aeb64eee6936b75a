"""The seeded generator behind the controlled sub-suite (wanbench/data/suites/controlled.jsonl).

Where systematic variation is the point (counts of objects, spatial relations, camera moves), one
sentence frame per section is filled from curated vocabularies, in English and Chinese from the same
slots, so the metadata is exact by construction and only the varied slot differs between prompts.
Generation is seeded and ordered: ``wanbench prompts build`` reproduces the checked-in file byte for
byte. The main suite (wanbench/data/suites/wanbench.jsonl, v2) is hand-written instead (wanbench/prompts/sources.py);
``build_prompts`` still makes the v1 generated suite (all 14 sections) for comparison.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import product
from pathlib import Path

from wanbench.prompts.suite import Prompt, prompt_from_dict
from wanbench.resources import suites_dir

SEED = 2025
PROMPTS_DIR = suites_dir()  # the shipped suites (rich.jsonl is read from here)


@dataclass(frozen=True)
class Word:
    en: str
    zh: str
    key: str = ""  # the metadata value (a short English name); defaults to ``en`` without articles

    @property
    def name(self) -> str:
        if self.key:
            return self.key
        for article in ("a ", "an ", "the "):
            if self.en.startswith(article):
                return self.en[len(article) :]
        return self.en


def words(*pairs: tuple[str, str] | tuple[str, str, str]) -> tuple[Word, ...]:
    return tuple(Word(*p) for p in pairs)


HUMANS = words(
    ("a woman", "一位女士"),
    ("a man", "一个男人"),
    ("a child", "一个孩子"),
    ("an old man", "一位老人"),
    ("a young girl", "一个小女孩"),
    ("a chef", "一位厨师"),
    ("a dancer", "一位舞者"),
    ("a firefighter", "一名消防员"),
    ("a surfer", "一位冲浪者"),
    ("a boy", "一个男孩"),
    ("an astronaut", "一名宇航员"),
    ("a musician", "一位音乐家"),
)
ANIMALS = words(
    ("a dog", "一只狗"),
    ("a cat", "一只猫"),
    ("a horse", "一匹马"),
    ("a rabbit", "一只兔子"),
    ("a tiger", "一只老虎"),
    ("an elephant", "一头大象"),
    ("a fox", "一只狐狸"),
    ("a panda", "一只熊猫"),
    ("a dolphin", "一只海豚"),
    ("a deer", "一只鹿"),
    ("an eagle", "一只鹰"),
    ("a penguin", "一只企鹅"),
)
OBJECTS = words(
    ("a ball", "一个球"),
    ("an apple", "一个苹果"),
    ("a cup", "一个杯子"),
    ("a book", "一本书"),
    ("a chair", "一把椅子"),
    ("a car", "一辆汽车"),
    ("a balloon", "一个气球"),
    ("a lamp", "一盏灯"),
    ("an umbrella", "一把雨伞"),
    ("a bottle", "一个瓶子"),
    ("a box", "一个盒子"),
    ("a clock", "一个时钟"),
    ("a vase", "一个花瓶"),
    ("a bicycle", "一辆自行车"),
)
# Counted nouns: (singular, plural, Chinese noun, Chinese measure word)
COUNTABLE = (
    ("ball", "balls", "球", "个"),
    ("apple", "apples", "苹果", "个"),
    ("cup", "cups", "杯子", "个"),
    ("book", "books", "书", "本"),
    ("chair", "chairs", "椅子", "把"),
    ("car", "cars", "汽车", "辆"),
    ("balloon", "balloons", "气球", "个"),
    ("cat", "cats", "猫", "只"),
    ("dog", "dogs", "狗", "只"),
    ("bird", "birds", "鸟", "只"),
    ("box", "boxes", "盒子", "个"),
    ("bottle", "bottles", "瓶子", "个"),
)
COLORS = words(
    ("red", "红色的"),
    ("blue", "蓝色的"),
    ("green", "绿色的"),
    ("yellow", "黄色的"),
    ("white", "白色的"),
    ("black", "黑色的"),
    ("orange", "橙色的"),
    ("purple", "紫色的"),
)
NUMBERS = {
    1: ("one", "一"),
    2: ("two", "两"),
    3: ("three", "三"),
    4: ("four", "四"),
    5: ("five", "五"),
    6: ("six", "六"),
}
SCENES = words(
    ("on a sunny beach", "在阳光明媚的海滩上", "beach"),
    ("in a snowy forest", "在白雪覆盖的森林里", "snowy forest"),
    ("on a busy city street", "在繁忙的城市街道上", "city street"),
    ("in a quiet kitchen", "在安静的厨房里", "kitchen"),
    ("in a desert at sunset", "在日落时分的沙漠中", "desert"),
    ("by a mountain lake", "在山间湖泊旁", "mountain lake"),
    ("in a grassy field", "在一片草地上", "grass field"),
    ("in a cozy living room", "在温馨的客厅里", "living room"),
    ("in a bamboo forest", "在竹林中", "bamboo forest"),
    ("on a wooden pier", "在木制码头上", "pier"),
    ("in a flower garden", "在花园里", "garden"),
)
VISTAS = words(
    ("a mountain valley at dawn", "黎明时分的山谷", "mountain"),
    ("a coastal city skyline", "海滨城市的天际线", "city"),
    ("a dense green forest", "茂密的绿色森林", "forest"),
    ("a wide sandy beach", "宽阔的沙滩", "beach"),
    ("snow-covered mountains", "白雪覆盖的群山", "snow"),
    ("a river winding through fields", "蜿蜒穿过田野的河流", "field"),
    ("an old town square", "古镇广场", "city"),
    ("a lavender field", "薰衣草田", "field"),
    ("a desert canyon", "沙漠峡谷", "desert"),
    ("a harbor full of boats", "停满船只的港口", "sea"),
)
HUMAN_ACTIONS = words(
    ("walking", "散步", "walking"),
    ("running", "奔跑", "running"),
    ("dancing", "跳舞", "dancing"),
    ("jumping", "跳跃", "jumping"),
    ("waving", "挥手", "waving"),
    ("swimming", "游泳", "swimming"),
    ("playing the guitar", "弹吉他", "playing guitar"),
    ("riding a bicycle", "骑自行车", "riding a bicycle"),
    ("cooking", "做饭", "cooking"),
    ("reading a book", "看书", "reading"),
)
ANIMAL_ACTIONS = words(
    ("running", "奔跑", "running"),
    ("jumping", "跳跃", "jumping"),
    ("swimming", "游泳", "swimming"),
    ("eating", "进食", "eating"),
    ("rolling over", "打滚", "rolling"),
    ("walking", "行走", "walking"),
)
OBJECT_ACTIONS = words(
    ("rolling", "滚动", "rolling"),
    ("spinning", "旋转", "spinning"),
    ("falling", "坠落", "falling"),
    ("bouncing", "弹跳", "bouncing"),
    ("floating", "漂浮", "floating"),
)
SUBJECTS_AND_ACTIONS = {
    "human": (HUMANS, HUMAN_ACTIONS),
    "animal": (ANIMALS, ANIMAL_ACTIONS),
    "object": (OBJECTS, OBJECT_ACTIONS),
}
STYLES = words(
    ("watercolor painting", "水彩画", "watercolor"),
    ("oil painting", "油画", "oil painting"),
    ("pencil sketch", "铅笔素描", "pencil sketch"),
    ("anime", "动漫", "anime"),
    ("pixel art", "像素艺术", "pixel art"),
    ("ukiyo-e", "浮世绘", "ukiyo-e"),
    ("cyberpunk", "赛博朋克", "cyberpunk"),
    ("black and white film", "黑白电影", "black and white"),
    ("claymation", "黏土动画", "claymation"),
    ("Van Gogh", "梵高", "van gogh"),
    ("comic book", "漫画", "comic book"),
    ("Chinese ink painting", "水墨画", "ink painting"),
)
RELATIONS = {
    "left_of": ("to the left of", "在{b}的左边"),
    "right_of": ("to the right of", "在{b}的右边"),
    "above": ("above", "在{b}的上方"),
    "below": ("below", "在{b}的下方"),
}
CAMERAS = {  # style -> motions, each with (English template, Chinese template) over a vista
    "panning": {
        "pan_left": ("The camera pans left across {v}.", "镜头向左摇，扫过{v}。"),
        "pan_right": ("The camera pans right across {v}.", "镜头向右摇，扫过{v}。"),
    },
    "lifting": {
        "lift_up": ("The camera rises slowly, lifting above {v}.", "镜头缓缓上升，升到{v}上方。"),
        "lift_down": ("The camera descends slowly toward {v}.", "镜头缓缓下降，靠近{v}。"),
    },
    "zooming": {
        "zoom_in": ("The camera zooms in on {v}.", "镜头推近{v}。"),
        "zoom_out": ("The camera zooms out to reveal {v}.", "镜头拉远，展现{v}。"),
    },
    "aerial": {"aerial": ("An aerial top-down shot flying over {v}.", "航拍俯视镜头飞越{v}。")},
    "tracking": {"tracking": ("A tracking shot following {s} as it moves through {v}.", "跟拍镜头跟随{s}穿行于{v}。")},
}
PHYSICS = words(
    ("{o} falls off a table and hits the floor", "{o}从桌子上掉落，砸在地板上"),
    ("{o} slides down a steep wooden ramp", "{o}沿着陡峭的木制斜坡滑下"),
    ("{o} drops into a pool of water with a splash", "{o}掉进水池，溅起水花"),
    ("{o} rolls across a table and bumps into a wall", "{o}滚过桌面，撞上墙壁"),
    ("{o} is tossed into the air and lands on the grass", "{o}被抛向空中，落在草地上"),
)
COMPLEX_MOTION = words(
    ("{s} spins quickly in a fast dance move", "{s}快速旋转，跳出一个快速的舞蹈动作", "spinning"),
    ("{s} jumps over a low fence", "{s}跳过一道低矮的栅栏", "jumping"),
    ("{s} runs up a flight of stairs", "{s}跑上一段楼梯", "running"),
    ("{s} turns around and walks back", "{s}转身往回走", "turning"),
    ("{s} does a cartwheel on the lawn", "{s}在草坪上侧手翻", "spinning"),
)
LIGHT = words(
    ("in soft morning light", "在柔和的晨光中"),
    ("at golden hour", "在黄金时刻"),
    ("under an overcast sky", "在阴天下"),
    ("lit by warm lamplight", "在温暖的灯光下"),
    ("at dusk", "在黄昏时分"),
    ("on a misty morning", "在一个有雾的早晨"),
)


@dataclass(frozen=True)
class Draft:
    """A prompt before it gets its id: both texts and the metadata fields."""

    text: str
    text_zh: str
    dimensions: tuple[str, ...]
    meta: dict

    def to_prompt(self, prompt_id: str) -> Prompt:
        return prompt_from_dict(
            {
                "id": prompt_id,
                "text": self.text,
                "text_zh": self.text_zh,
                "dimensions": list(self.dimensions),
                **self.meta,
            }
        )


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def subject_meta(word: Word, kind: str) -> dict:
    return {"subject": {"name": word.name, "kind": kind}, "has_human": kind == "human"}


def large_motion(rng: random.Random) -> Iterator[Draft]:
    movers = [(w, "human") for w in HUMANS] + [(w, "animal") for w in ANIMALS]
    verbs = words(
        ("sprints across", "飞奔穿过", "running"),
        ("races through", "疾驰穿过", "racing"),
        ("leaps wildly through", "狂野地跃过", "jumping"),
    )
    for (who, kind), verb, scene in _product(rng, movers, verbs, SCENES):
        yield Draft(
            f"{cap(who.en)} {verb.en} the scene {scene.en}, moving fast.",
            f"{who.zh}{scene.zh}{verb.zh}整个画面，速度很快。",
            ("large_motion",),
            subject_meta(who, kind) | {"action": verb.name, "motion": "large", "scene": scene.name},
        )


def human_artifacts(rng: random.Random) -> Iterator[Draft]:
    for who, act, scene in _product(rng, HUMANS, HUMAN_ACTIONS, SCENES):
        yield Draft(
            f"A full-body shot of {who.en} {act.en} {scene.en}, hands and face clearly visible.",
            f"{who.zh}{scene.zh}{act.zh}的全身镜头，手部和面部清晰可见。",
            ("human_artifacts",),
            subject_meta(who, "human") | {"action": act.name, "scene": scene.name},
        )


def pixel_stability(rng: random.Random) -> Iterator[Draft]:
    for obj, scene, light in _product(rng, OBJECTS, SCENES, LIGHT):
        yield Draft(
            f"A still shot of {obj.en} {scene.en} {light.en}; the camera does not move.",
            f"{light.zh}，{scene.zh}的{obj.zh}，固定镜头，画面静止。",
            ("pixel_stability",),
            {"camera": "static", "objects": [{"name": obj.name, "count": 1}], "motion": "still", "scene": scene.name},
        )


def id_consistency(rng: random.Random, kind: str) -> Iterator[Draft]:
    pool, acts = SUBJECTS_AND_ACTIONS[kind]
    for who, act, scene in _product(rng, pool, acts, SCENES):
        yield Draft(
            f"{cap(who.en)} keeps {act.en} {scene.en} as the camera follows it closely.",
            f"{who.zh}{scene.zh}持续{act.zh}，镜头紧紧跟随。",
            ("id_consistency",),
            subject_meta(who, kind) | {"action": act.name, "scene": scene.name},
        )


def physical_plausibility(rng: random.Random) -> Iterator[Draft]:
    for event, obj in _product(rng, PHYSICS, OBJECTS):
        yield Draft(
            cap(event.en.format(o=obj.en)) + ".",
            event.zh.format(o=obj.zh) + "。",
            ("physical_plausibility",),
            subject_meta(obj, "object"),
        )


def smoothness(rng: random.Random) -> Iterator[Draft]:
    for move, who in _product(rng, COMPLEX_MOTION, HUMANS + ANIMALS):
        kind = "human" if who in HUMANS else "animal"
        yield Draft(
            cap(move.en.format(s=who.en)) + " in one continuous take.",
            move.zh.format(s=who.zh) + "，一镜到底。",
            ("smoothness",),
            subject_meta(who, kind) | {"action": move.name, "motion": "large"},
        )


def image_quality(rng: random.Random) -> Iterator[Draft]:
    for obj, scene, light in _product(rng, OBJECTS, SCENES, LIGHT):
        yield Draft(
            f"A detailed close-up of {obj.en} {scene.en} {light.en}, sharp focus, rich texture.",
            f"{light.zh}，{scene.zh}的{obj.zh}的细节特写，对焦清晰，纹理丰富。",
            ("image_quality",),
            {"objects": [{"name": obj.name, "count": 1}], "scene": scene.name},
        )


def scene_quality(rng: random.Random) -> Iterator[Draft]:
    for vista, light in _product(rng, VISTAS, LIGHT):
        yield Draft(
            f"A wide establishing view of {vista.en} {light.en}.",
            f"{light.zh}，{vista.zh}的全景。",
            ("scene_quality",),
            {"scene": vista.name},
        )


def stylization(rng: random.Random) -> Iterator[Draft]:
    subjects = [(w, "human") for w in HUMANS] + [(w, "animal") for w in ANIMALS] + [(w, "object") for w in OBJECTS]
    for style, (who, kind), scene in _product(rng, STYLES, subjects, SCENES):
        yield Draft(
            f"{cap(who.en)} {scene.en}, in the style of {style.en}.",
            f"{scene.zh}的{who.zh}，{style.zh}风格。",
            ("stylization",),
            subject_meta(who, kind) | {"style": style.name, "scene": scene.name},
        )


def _counted(noun: tuple[str, str, str, str], count: int, color: Word) -> tuple[str, str, str]:
    singular, plural, zh, measure = noun
    en = f"{NUMBERS[count][0]} {color.en} {singular if count == 1 else plural}"
    return en, f"{NUMBERS[count][1]}{measure}{color.zh}{zh}", f"{color.en} {singular}"


def single_object(rng: random.Random) -> Iterator[Draft]:
    for noun, color, scene in _product(rng, COUNTABLE, COLORS, SCENES):
        en, zh, name = _counted(noun, 1, color)
        yield Draft(
            f"{cap(en.replace('one ', 'a ', 1))} {scene.en}.",
            f"{scene.zh}有{zh}。",
            ("single_object",),
            {"objects": [{"name": name, "count": 1}], "scene": scene.name},
        )


@dataclass(frozen=True)
class Countable:
    """A noun to count, with its Chinese measure word; only made things take a colour word."""

    en: str
    plural: str
    zh: str
    measure: str
    colorable: bool = False

    def counted(self, count: int, color: Word | None) -> tuple[str, str, str]:
        """(English, Chinese, metadata name) for ``count`` of it, e.g. ("three red cups", "三个红色的杯子")."""
        tint = color if self.colorable and color else None
        noun = self.en if count == 1 else self.plural
        en = f"{NUMBERS[count][0]} {tint.en + ' ' if tint else ''}{noun}"
        zh = f"{NUMBERS[count][1]}{self.measure}{tint.zh if tint else ''}{self.zh}"
        return en, zh, f"{tint.en + ' ' if tint else ''}{self.en}"


@dataclass(frozen=True)
class Setting:
    """A place and the things that plausibly stand there together (no purple cats on a table)."""

    en: str
    zh: str
    scene: str
    things: tuple[Countable, ...]


C = Countable
SETTINGS = (
    Setting(
        "on a kitchen counter",
        "厨房台面上",
        "kitchen",
        (
            C("apple", "apples", "苹果", "个"),
            C("lemon", "lemons", "柠檬", "个"),
            C("egg", "eggs", "鸡蛋", "个"),
            C("cup", "cups", "杯子", "个", True),
            C("bowl", "bowls", "碗", "个", True),
            C("bottle", "bottles", "瓶子", "个", True),
        ),
    ),
    Setting(
        "on a café table",
        "咖啡馆的桌子上",
        "cafe",
        (
            C("cup", "cups", "杯子", "个", True),
            C("plate", "plates", "盘子", "个", True),
            C("croissant", "croissants", "牛角包", "个"),
            C("spoon", "spoons", "勺子", "把"),
        ),
    ),
    Setting(
        "on a wooden bookshelf",
        "木书架上",
        "room",
        (
            C("book", "books", "书", "本", True),
            C("candle", "candles", "蜡烛", "根", True),
            C("vase", "vases", "花瓶", "个", True),
            C("clock", "clocks", "小座钟", "个"),
        ),
    ),
    Setting(
        "on a park lawn",
        "公园的草坪上",
        "grass",
        (
            C("dog", "dogs", "狗", "只"),
            C("ball", "balls", "球", "个", True),
            C("bicycle", "bicycles", "自行车", "辆", True),
            C("kite", "kites", "风筝", "只", True),
        ),
    ),
    Setting(
        "on a sandy beach",
        "沙滩上",
        "beach",
        (
            C("beach umbrella", "beach umbrellas", "遮阳伞", "把", True),
            C("ball", "balls", "球", "个", True),
            C("bucket", "buckets", "小桶", "个", True),
            C("surfboard", "surfboards", "冲浪板", "块", True),
        ),
    ),
    Setting(
        "on a quiet city street",
        "安静的城市街道上",
        "street",
        (
            C("car", "cars", "汽车", "辆", True),
            C("bicycle", "bicycles", "自行车", "辆", True),
            C("bus", "buses", "公交车", "辆", True),
            C("scooter", "scooters", "电动滑板车", "辆", True),
        ),
    ),
    Setting(
        "in a farmyard",
        "农家院子里",
        "field",
        (
            C("horse", "horses", "马", "匹"),
            C("sheep", "sheep", "羊", "只"),
            C("chicken", "chickens", "鸡", "只"),
            C("cow", "cows", "牛", "头"),
        ),
    ),
    Setting(
        "on a living room rug",
        "客厅的地毯上",
        "room",
        (
            C("cat", "cats", "猫", "只"),
            C("ball", "balls", "球", "个", True),
            C("cushion", "cushions", "靠垫", "个", True),
            C("cardboard box", "cardboard boxes", "纸箱", "个"),
        ),
    ),
    Setting(
        "on a party table",
        "派对的桌子上",
        "room",
        (
            C("balloon", "balloons", "气球", "个", True),
            C("cupcake", "cupcakes", "纸杯蛋糕", "个"),
            C("gift box", "gift boxes", "礼物盒", "个", True),
        ),
    ),
    Setting(
        "on a calm pond",
        "平静的池塘上",
        "water",
        (
            C("duck", "ducks", "鸭子", "只"),
            C("swan", "swans", "天鹅", "只"),
            C("rowboat", "rowboats", "小船", "条", True),
        ),
    ),
)
COUNT_COLORS = COLORS[:5]  # red, blue, green, yellow, white
COUNT_TOTALS = (1, 2, 3, 4, 5, 6)


def _splits(total: int) -> list[tuple[int, ...]]:
    return [(total,)] if total == 1 else [(a, total - a) for a in range(1, total)]


def _count_drafts(rng: random.Random, total: int) -> Iterator[Draft]:
    """Every prompt with ``total`` things in one setting: one thing alone, or two kinds split a + b."""
    combos = _product(
        rng,
        [(place, kinds) for place in SETTINGS for kinds in (_pairs(place.things) if total > 1 else place.things)],
        _splits(total),
        list(product(COUNT_COLORS, COUNT_COLORS)),
    )
    for (place, kinds), split, colors in combos:
        kinds = kinds if isinstance(kinds, tuple) else (kinds,)
        parts = [thing.counted(n, color) for thing, n, color in zip(kinds, split, colors)]
        if total == 1:
            en, zh, name = parts[0]
            yield Draft(
                f"{cap(en.replace('one ', 'a ', 1))} {place.en}.",
                f"{place.zh}有{zh}。",
                ("single_object",),
                {"objects": [{"name": name, "count": 1}], "scene": place.scene},
            )
            continue
        yield Draft(
            f"{cap(parts[0][0])} and {parts[1][0]} {place.en}.",
            f"{place.zh}有{parts[0][1]}和{parts[1][1]}。",
            ("multiple_object",),
            {"objects": [{"name": p[2], "count": n} for p, n in zip(parts, split)], "scene": place.scene},
        )


def count_sweep(rng: random.Random, per_total: int = 10) -> Iterator[Draft]:
    """Totals 1 to 6, ``per_total`` prompts each, interleaved (1, 2, ..., 6, 1, 2, ...) so that any
    first N prompts cover the sweep evenly; things only where they plausibly stand together."""
    columns = []
    for total in COUNT_TOTALS:
        seen: set[str] = set()
        column = []
        for draft in _count_drafts(rng, total):
            if draft.text not in seen:
                seen.add(draft.text)
                column.append(draft)
            if len(column) == per_total:
                break
        columns.append(column)
    for row in zip(*columns):
        yield from row


def spatial_position(rng: random.Random) -> Iterator[Draft]:
    for (a, b), (ca, cb), relation in _product(rng, _pairs(COUNTABLE), _pairs(COLORS), list(RELATIONS)):
        _, zha, namea = _counted(a, 1, ca)
        _, zhb, nameb = _counted(b, 1, cb)
        rel_en, rel_zh = RELATIONS[relation]
        yield Draft(
            f"A {namea} {rel_en} a {nameb}.",
            f"{zha}{rel_zh.format(b=zhb)}。",
            ("spatial_position",),
            {
                "objects": [{"name": namea, "count": 1}, {"name": nameb, "count": 1}],
                "spatial": {"subject": namea, "relation": relation, "object": nameb},
            },
        )


def camera_control(rng: random.Random, style: str) -> Iterator[Draft]:
    motions = CAMERAS[style]
    movers = [(w, "human") for w in HUMANS] + [(w, "animal") for w in ANIMALS]
    if style == "tracking":
        for (who, kind), vista in _product(rng, movers, VISTAS):
            en, zh = motions["tracking"]
            yield Draft(
                en.format(s=who.en, v=vista.en),
                zh.format(s=who.zh, v=vista.zh),
                ("camera_control",),
                subject_meta(who, kind) | {"camera": "tracking", "action": "walking", "scene": vista.name},
            )
        return
    for motion, vista, light in _product(rng, list(motions), VISTAS, LIGHT):
        en, zh = motions[motion]
        yield Draft(
            en.format(v=f"{vista.en} {light.en}"),
            light.zh + "，" + zh.format(v=vista.zh),
            ("camera_control",),
            {"camera": motion, "scene": vista.name},
        )


def action_following(rng: random.Random, kind: str) -> Iterator[Draft]:
    pool, acts = SUBJECTS_AND_ACTIONS[kind]
    for who, act, scene in _product(rng, pool, acts, SCENES):
        yield Draft(
            f"{cap(who.en)} is {act.en} {scene.en}.",
            f"{who.zh}{scene.zh}{act.zh}。",
            ("action_following",),
            subject_meta(who, kind) | {"action": act.name, "scene": scene.name},
        )


def _pairs(items) -> list[tuple]:
    return [(a, b) for a in items for b in items if a != b]


def _product(rng: random.Random, *pools) -> list[tuple]:
    """Every combination of the pools, in a seeded shuffled order (so the first N are varied)."""
    combos: list[tuple] = [()]
    for pool in pools:
        combos = [c + (item,) for c in combos for item in pool]
    rng.shuffle(combos)
    return combos


# (id prefix, generator, how many) in the suite's order; camera control has 28 per style (140).
PLAN: list[tuple[str, Callable[[random.Random], Iterator[Draft]], int]] = [
    ("motion", large_motion, 80),
    ("artifacts", human_artifacts, 70),
    ("stability", pixel_stability, 60),
    ("id-human", lambda r: id_consistency(r, "human"), 30),
    ("id-animal", lambda r: id_consistency(r, "animal"), 30),
    ("id-object", lambda r: id_consistency(r, "object"), 30),
    ("physics", physical_plausibility, 65),
    ("smooth", smoothness, 60),
    ("quality", image_quality, 75),
    ("scene", scene_quality, 60),
    ("style", stylization, 72),
    ("single", single_object, 60),
    ("count", count_sweep, 60),
    ("spatial", spatial_position, 60),
    *[(f"camera-{style}", (lambda s: lambda r: camera_control(r, s))(style), 28) for style in CAMERAS],
    ("action-human", lambda r: action_following(r, "human"), 30),
    ("action-animal", lambda r: action_following(r, "animal"), 30),
    ("action-object", lambda r: action_following(r, "object"), 30),
]


def build_prompts(seed: int = SEED, rich: Path | None = PROMPTS_DIR / "rich.jsonl") -> list[Prompt]:
    prompts: list[Prompt] = []
    seen: set[str] = set()
    for prefix, generate, count in PLAN:
        rng = random.Random(f"{seed}:{prefix}")  # one stream per section: editing one leaves the others
        made = 0
        for draft in generate(rng):
            if draft.text in seen:
                continue
            seen.add(draft.text)
            made += 1
            prompts.append(draft.to_prompt(f"{prefix}-{made:03d}"))
            if made == count:
                break
        if made < count:
            raise ValueError(f"section {prefix}: vocabularies give only {made} distinct prompts, {count} wanted")
    if rich is not None and rich.is_file():
        for line in rich.read_text(encoding="utf-8").splitlines():
            if line.strip():
                prompts.append(prompt_from_dict(json.loads(line)))
    return prompts


CONTROLLED_VERSION = "2.0"
CONTROLLED_SECTIONS = ("count", "spatial", *(f"camera-{style}" for style in CAMERAS))


def build_controlled(seed: int = SEED) -> list[Prompt]:
    """The counts, relations and camera-move sections of ``PLAN``, nothing hand-written."""
    return [p for p in build_prompts(seed, rich=None) if p.id.rsplit("-", 1)[0] in CONTROLLED_SECTIONS]


def controlled_jsonl(seed: int = SEED) -> str:
    header = json.dumps({"suite": "controlled", "version": CONTROLLED_VERSION})
    return header + "\n" + to_jsonl(build_controlled(seed))


def to_jsonl(prompts: list[Prompt]) -> str:
    return "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in prompts)


def write_suite(path: Path, seed: int = SEED) -> Path:
    path.write_text(to_jsonl(build_prompts(seed)), encoding="utf-8")
    return path
