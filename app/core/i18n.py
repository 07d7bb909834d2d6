"""Messages people read: Chinese by default, English when `Accept-Language` prefers it.

A message is written once, in both languages, where it is raised:
`raise NotFound(t("没有这个组织。", "No such organisation."))`. It is rendered in the
request's language when the answer is built. Machine keys (`code`, `type`, enum values)
never change with the language.
"""

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

Language = Literal["zh", "en"]
DEFAULT_LANGUAGE: Language = "zh"
CONTENT_LANGUAGE: dict[Language, str] = {"zh": "zh-CN", "en": "en"}

language: ContextVar[Language] = ContextVar("language", default=DEFAULT_LANGUAGE)


@dataclass(frozen=True, slots=True)
class Text:
    """One message in Chinese and English; `str()` gives the current request's language."""

    zh: str
    en: str

    def render(self, lang: Language | None = None) -> str:
        return self.en if (lang or language.get()) == "en" else self.zh

    def __str__(self) -> str:
        return self.render()


def t(zh: str, en: str) -> Text:
    """A message in both languages (Chinese first)."""
    return Text(zh, en)


def render(message: "Text | str | None", lang: Language | None = None) -> str | None:
    """A message as text in `lang` (default: the request's); plain strings pass unchanged."""
    if isinstance(message, Text):
        return message.render(lang)
    return message


def negotiate(accept_language: str | None) -> Language:
    """The language an `Accept-Language` header prefers of ours: the highest q wins, the
    first listed breaks ties; anything we do not speak, or no header, is Chinese."""
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("zh", "en"):
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        lang: Language = "en" if primary == "en" else "zh"
        candidate = (-quality, position, lang)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best else DEFAULT_LANGUAGE
