"""Job titles as the coder reads them: the noise of job ads cut away, then character n-grams.

Chinese titles have no spaces and their words are short, so the index reads overlapping
character 1- and 2-grams (数控车工 → 数 控 车 工 数控 控车 车工) rather than trusting a
word segmenter; on the tuning titles, adding 3-grams made the ranking worse, not better.
"""

import re

# Bracketed asides: places, pay, perks (（杭州市）, 【急】, (初级)).
BRACKETS = re.compile(r"[（(【\[<《〔][^）)】\]>》〕]*[）)】\]>》〕]?")
# Words of the ad, not of the job: hiring calls, pay, perks, contract terms; and numbers.
NOISE = re.compile(
    r"急聘|高薪|诚聘|直招|招聘(?!专员|主管|经理|助理|顾问|总监|师|官|岗|hr)|招募|急招|热招|聘请|诚招|包吃住|包食宿|包住|五险一金|五险|"
    r"双休|单休|月薪|底薪|年薪|保底|高提成|提成|无责|可实习|应届生?|接受小白|小白|转正|长期|"
    r"短期|日结|周结|兼职|全职|带薪|社保|"
    r"\d+(?:\.\d+)?[kKwW万千元]?(?:以上|起|左右)?"
)
# Separators between the parts of a title (销售经理/主管, 文员+周六日双休).
SEPARATORS = re.compile(r"[/／、|｜+＋,，;；:：\-—_·\s~～!！?？*#&@.。'\"“”]+")
MARKER = re.compile(r"(L/S|L|S)$")  # the 2022 edition's marks of green and digital occupations
NGRAMS = (1, 2)


def parts(text: str) -> list[str]:
    """The pieces of a catalogue text (a name, an alias), lower-cased."""
    return [p for p in SEPARATORS.split(MARKER.sub("", text).lower()) if p]


def normalise(title: str) -> list[str]:
    """The pieces of a job title that name the job; the raw pieces if nothing is left."""
    lowered = title.lower()
    cleaned = NOISE.sub(" ", BRACKETS.sub(" ", lowered))
    return [p for p in SEPARATORS.split(cleaned) if p] or parts(title)


def grams(pieces: list[str], sizes: tuple[int, ...] = NGRAMS) -> list[str]:
    """The character n-grams of every piece (none spans two pieces)."""
    return [p[i : i + n] for p in pieces for n in sizes for i in range(len(p) - n + 1)]


def shared_words(pieces: list[str], target: str, shortest: int = 2) -> list[str]:
    """The longest runs of the title's pieces (of `shortest` characters or more) that occur
    in `target`, in the title's order: what a reason quotes as matched."""
    found: list[str] = []
    for piece in pieces:
        i = 0
        while i < len(piece):
            j = next(
                (j for j in range(len(piece), i + shortest - 1, -1) if piece[i:j] in target), None
            )
            if j is None:
                i += 1
                continue
            if piece[i:j] not in found:
                found.append(piece[i:j])
            i = j
    return found
