"""What a certificate says, in English and Bengali: the lines both renderers draw.

Pure: a `Facts` (who, which tournament, which place, which date, which code) and a language
give a `Wording`. Names are shortened to 50 characters and tournament names to 60 with an
ellipsis before layout; the renderers shorten further when a line is still too wide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LANGUAGES = ("en", "bn")
NAME_CHARS = 50
TOURNAMENT_CHARS = 60
ELLIPSIS = "…"

_BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
_BENGALI_MONTHS = (
    "জানুয়ারি",
    "ফেব্রুয়ারি",
    "মার্চ",
    "এপ্রিল",
    "মে",
    "জুন",
    "জুলাই",
    "আগস্ট",
    "সেপ্টেম্বর",
    "অক্টোবর",
    "নভেম্বর",
    "ডিসেম্বর",
)
_BENGALI_ORDINALS = {1: "১ম", 2: "২য়", 3: "৩য়", 4: "৪র্থ", 6: "৬ষ্ঠ"}

_EN = {
    "achievement": "Certificate of Achievement",
    "participation": "Certificate of Participation",
    "awarded_to": "This certificate is awarded to",
    "for_achievement": "for their achievement in",
    "for_participation": "for participating in",
    "team": "of team {team}",
    "game": "Game: {game}",
    "date": "Date: {date}",
    "verify": "Verify: {code}",
    "winner": "Champion — 1st place",
    "runner_up": "Runner-up — 2nd place",
    "third_place": "Third place",
    "placed": "Finished {place}",
    "participant": "Participant",
}
_BN = {
    "achievement": "কৃতিত্বের সনদপত্র",
    "participation": "অংশগ্রহণের সনদপত্র",
    "awarded_to": "এই সনদপত্র প্রদান করা হলো",
    "for_achievement": "নিম্নোক্ত টুর্নামেন্টে কৃতিত্বের জন্য",
    "for_participation": "নিম্নোক্ত টুর্নামেন্টে অংশগ্রহণের জন্য",
    "team": "দল: {team}",
    "game": "গেম: {game}",
    "date": "তারিখ: {date}",
    "verify": "যাচাই: {code}",
    "winner": "চ্যাম্পিয়ন — ১ম স্থান",
    "runner_up": "রানার-আপ — ২য় স্থান",
    "third_place": "৩য় স্থান",
    "placed": "{place} স্থান",
    "participant": "অংশগ্রহণকারী",
}


@dataclass(frozen=True)
class Facts:
    participant_name: str
    team_name: str | None
    tournament_name: str
    game: str
    certificate_type: str  # winner, runner_up, third_place, participant
    placement: int | None
    issued_on: date
    code: str
    verify_url: str


@dataclass(frozen=True)
class Wording:
    language: str
    title: str
    awarded_to: str
    name: str
    team: str | None
    phrase: str
    tournament: str
    placement: str
    game: str
    date: str
    code: str


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def english_ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def bengali_ordinal(n: int) -> str:
    if n in _BENGALI_ORDINALS:
        return _BENGALI_ORDINALS[n]
    digits = str(n).translate(_BENGALI_DIGITS)
    return f"{digits}ম" if n <= 10 else f"{digits}তম"


def format_date(value: date, language: str) -> str:
    if language == "bn":
        day, year = str(value.day).translate(_BENGALI_DIGITS), str(value.year)
        return f"{day} {_BENGALI_MONTHS[value.month - 1]} {year.translate(_BENGALI_DIGITS)}"
    return f"{value.day} {value:%B %Y}"


def placement_line(certificate_type: str, placement: int | None, language: str) -> str:
    words = _BN if language == "bn" else _EN
    if certificate_type != "participant":
        return words[certificate_type]
    if placement is None:
        return words["participant"]
    ordinal = bengali_ordinal if language == "bn" else english_ordinal
    return words["placed"].format(place=ordinal(placement))


def wording(facts: Facts, language: str) -> Wording:
    words = _BN if language == "bn" else _EN
    achieved = facts.certificate_type != "participant"
    team = shorten(facts.team_name, NAME_CHARS) if facts.team_name else None
    return Wording(
        language=language,
        title=words["achievement" if achieved else "participation"],
        awarded_to=words["awarded_to"],
        name=shorten(facts.participant_name, NAME_CHARS),
        team=words["team"].format(team=team) if team else None,
        phrase=words["for_achievement" if achieved else "for_participation"],
        tournament=shorten(facts.tournament_name, TOURNAMENT_CHARS),
        placement=placement_line(facts.certificate_type, facts.placement, language),
        game=words["game"].format(game=shorten(facts.game, 40)),
        date=words["date"].format(date=format_date(facts.issued_on, language)),
        code=words["verify"].format(code=facts.code),
    )
