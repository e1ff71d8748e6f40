"""The kinds of notification, whether each is e-mailed by default, and their words in English
and Bengali (title and body, with `{placeholders}` filled from the notification's context).

A person's preferences (`NotificationPreference`) override the defaults per kind; a kind
without a row uses `DEFAULTS`.
"""

from __future__ import annotations

import enum
from typing import Any


class NotificationType(enum.StrEnum):
    REGISTRATION_RECEIVED = "registration_received"
    REGISTRATION_WAITLISTED = "registration_waitlisted"
    REGISTRATION_CONFIRMED = "registration_confirmed"
    REGISTRATION_CANCELLED = "registration_cancelled"
    REGISTRATION_REJECTED = "registration_rejected"
    WAITLIST_PROMOTED = "waitlist_promoted"
    PAYMENT_VERIFIED = "payment_verified"
    PAYMENT_REJECTED = "payment_rejected"
    PAYMENT_REFUNDED = "payment_refunded"
    CHECKIN_OPENING = "checkin_opening"
    MATCH_READY = "match_ready"
    MATCH_STARTING = "match_starting"
    RESULT_SUBMITTED = "result_submitted"
    DISPUTE_OPENED = "dispute_opened"
    DISPUTE_RESOLVED = "dispute_resolved"
    SCHEDULE_PROPOSED = "schedule_proposed"
    SCHEDULE_ACCEPTED = "schedule_accepted"
    SCHEDULE_DECLINED = "schedule_declined"
    TEAM_INVITE = "team_invite"
    TEAM_MEMBER_JOINED = "team_member_joined"
    TEAM_MEMBER_LEFT = "team_member_left"
    TOURNAMENT_CANCELLED = "tournament_cancelled"
    TOURNAMENT_COMPLETED = "tournament_completed"
    PAYOUT_PAID = "payout_paid"


T = NotificationType
LANGUAGES = ("en", "bn")

# (in_app, email) when the person has not chosen.
DEFAULTS: dict[NotificationType, tuple[bool, bool]] = {
    kind: (True, False) for kind in NotificationType
} | {
    T.REGISTRATION_CONFIRMED: (True, True),
    T.REGISTRATION_REJECTED: (True, True),
    T.WAITLIST_PROMOTED: (True, True),
    T.PAYMENT_REJECTED: (True, True),
    T.CHECKIN_OPENING: (True, True),
    T.MATCH_READY: (True, True),
    T.MATCH_STARTING: (True, True),
    T.RESULT_SUBMITTED: (True, True),
    T.DISPUTE_RESOLVED: (True, True),
    T.TEAM_INVITE: (True, True),
    T.TOURNAMENT_CANCELLED: (True, True),
    T.PAYOUT_PAID: (True, True),
}

# kind → language → (title, body)
MESSAGES: dict[NotificationType, dict[str, tuple[str, str]]] = {
    T.REGISTRATION_RECEIVED: {
        "en": (
            "Registration received",
            "Your registration for {tournament} is in: it is confirmed once payment or the "
            "organizer's approval is done.",
        ),
        "bn": (
            "নিবন্ধন গ্রহণ করা হয়েছে",
            "{tournament}-এ আপনার নিবন্ধন জমা হয়েছে: পেমেন্ট বা আয়োজকের অনুমোদনের পরে তা নিশ্চিত হবে।",
        ),
    },
    T.REGISTRATION_WAITLISTED: {
        "en": ("On the waitlist", "{tournament} is full: you are on its waitlist."),
        "bn": ("অপেক্ষমাণ তালিকায়", "{tournament} পূর্ণ: আপনি অপেক্ষমাণ তালিকায় আছেন।"),
    },
    T.REGISTRATION_CONFIRMED: {
        "en": ("Registration confirmed", "Your registration for {tournament} is confirmed."),
        "bn": ("নিবন্ধন নিশ্চিত", "{tournament}-এ আপনার নিবন্ধন নিশ্চিত হয়েছে।"),
    },
    T.REGISTRATION_CANCELLED: {
        "en": ("Registration cancelled", "Your registration for {tournament} was cancelled."),
        "bn": ("নিবন্ধন বাতিল", "{tournament}-এ আপনার নিবন্ধন বাতিল করা হয়েছে।"),
    },
    T.REGISTRATION_REJECTED: {
        "en": (
            "Registration declined",
            "The organizer of {tournament} declined your registration.",
        ),
        "bn": ("নিবন্ধন প্রত্যাখ্যাত", "{tournament}-এর আয়োজক আপনার নিবন্ধন প্রত্যাখ্যান করেছেন।"),
    },
    T.WAITLIST_PROMOTED: {
        "en": (
            "A place opened up",
            "A place opened up in {tournament}: your registration moved off the waitlist.",
        ),
        "bn": (
            "জায়গা খালি হয়েছে",
            "{tournament}-এ জায়গা খালি হয়েছে: আপনার নিবন্ধন অপেক্ষমাণ তালিকা থেকে উঠে এসেছে।",
        ),
    },
    T.PAYMENT_VERIFIED: {
        "en": ("Payment verified", "Your entry fee for {tournament} was verified."),
        "bn": ("পেমেন্ট যাচাই হয়েছে", "{tournament}-এর জন্য আপনার এন্ট্রি ফি যাচাই করা হয়েছে।"),
    },
    T.PAYMENT_REJECTED: {
        "en": (
            "Payment not accepted",
            "Your entry fee payment for {tournament} was not "
            "accepted: check the details and submit it again.",
        ),
        "bn": (
            "পেমেন্ট গৃহীত হয়নি",
            "{tournament}-এর জন্য আপনার এন্ট্রি ফি পেমেন্ট গৃহীত হয়নি: তথ্য যাচাই করে আবার জমা দিন।",
        ),
    },
    T.PAYMENT_REFUNDED: {
        "en": ("Entry fee refunded", "Your entry fee for {tournament} was refunded."),
        "bn": ("এন্ট্রি ফি ফেরত", "{tournament}-এর জন্য আপনার এন্ট্রি ফি ফেরত দেওয়া হয়েছে।"),
    },
    T.CHECKIN_OPENING: {
        "en": ("Check-in opens soon", "Check-in for {tournament} opens in {minutes} minutes."),
        "bn": ("চেক-ইন শীঘ্রই শুরু", "{tournament}-এর চেক-ইন {minutes} মিনিটের মধ্যে শুরু হবে।"),
    },
    T.MATCH_READY: {
        "en": ("Your match is ready", "Your match in {tournament} is ready to play."),
        "bn": ("আপনার ম্যাচ প্রস্তুত", "{tournament}-এ আপনার ম্যাচ খেলার জন্য প্রস্তুত।"),
    },
    T.MATCH_STARTING: {
        "en": ("Match starting soon", "Your match in {tournament} starts in {minutes} minutes."),
        "bn": ("ম্যাচ শীঘ্রই শুরু", "{tournament}-এ আপনার ম্যাচ {minutes} মিনিটের মধ্যে শুরু হবে।"),
    },
    T.RESULT_SUBMITTED: {
        "en": (
            "Result submitted",
            "Your opponent submitted a result for your match in "
            "{tournament}: confirm or dispute it.",
        ),
        "bn": (
            "ফলাফল জমা হয়েছে",
            "{tournament}-এ আপনার ম্যাচের ফলাফল প্রতিপক্ষ জমা দিয়েছে: নিশ্চিত করুন অথবা আপত্তি জানান।",
        ),
    },
    T.DISPUTE_OPENED: {
        "en": (
            "Result disputed",
            "A result in {tournament} was disputed and waits for your decision.",
        ),
        "bn": (
            "ফলাফলে আপত্তি",
            "{tournament}-এর একটি ফলাফলে আপত্তি উঠেছে এবং আপনার সিদ্ধান্তের অপেক্ষায় আছে।",
        ),
    },
    T.SCHEDULE_PROPOSED: {
        "en": (
            "Match time proposed",
            "Your opponent in {tournament} proposed a time for your match: accept or decline it.",
        ),
        "bn": (
            "ম্যাচের সময় প্রস্তাব",
            "{tournament}-এ আপনার প্রতিপক্ষ ম্যাচের একটি সময় প্রস্তাব করেছে: গ্রহণ বা প্রত্যাখ্যান করুন।",
        ),
    },
    T.SCHEDULE_ACCEPTED: {
        "en": (
            "Match time agreed",
            "The time proposed for your match in {tournament} was accepted.",
        ),
        "bn": ("ম্যাচের সময় নির্ধারিত", "{tournament}-এ আপনার ম্যাচের প্রস্তাবিত সময় গৃহীত হয়েছে।"),
    },
    T.SCHEDULE_DECLINED: {
        "en": (
            "Match time declined",
            "The time proposed for your match in {tournament} was declined.",
        ),
        "bn": ("ম্যাচের সময় প্রত্যাখ্যাত", "{tournament}-এ আপনার ম্যাচের প্রস্তাবিত সময় প্রত্যাখ্যান করা হয়েছে।"),
    },
    T.DISPUTE_RESOLVED: {
        "en": ("Dispute resolved", "The dispute on your match in {tournament} was resolved."),
        "bn": ("আপত্তির নিষ্পত্তি", "{tournament}-এ আপনার ম্যাচের আপত্তির নিষ্পত্তি হয়েছে।"),
    },
    T.TEAM_INVITE: {
        "en": ("Team invite", "You are invited to join {team}."),
        "bn": ("দলে আমন্ত্রণ", "আপনাকে {team} দলে যোগ দিতে আমন্ত্রণ জানানো হয়েছে।"),
    },
    T.TEAM_MEMBER_JOINED: {
        "en": ("New team member", "{username} joined {team}."),
        "bn": ("নতুন সদস্য", "{username} {team} দলে যোগ দিয়েছেন।"),
    },
    T.TEAM_MEMBER_LEFT: {
        "en": ("Team member left", "{username} is no longer on {team}."),
        "bn": ("সদস্য চলে গেছেন", "{username} আর {team} দলে নেই।"),
    },
    T.TOURNAMENT_CANCELLED: {
        "en": ("Tournament cancelled", "{tournament} was cancelled."),
        "bn": ("টুর্নামেন্ট বাতিল", "{tournament} বাতিল করা হয়েছে।"),
    },
    T.TOURNAMENT_COMPLETED: {
        "en": ("Tournament finished", "{tournament} is over: the final standings are out."),
        "bn": ("টুর্নামেন্ট শেষ", "{tournament} শেষ হয়েছে: চূড়ান্ত ফলাফল প্রকাশিত হয়েছে।"),
    },
    T.PAYOUT_PAID: {
        "en": ("Prize paid", "Your prize from {tournament} has been paid."),
        "bn": ("পুরস্কার প্রদান", "{tournament} থেকে আপনার পুরস্কার প্রদান করা হয়েছে।"),
    },
}
# The same notice when the amount is known (`prize` in its context).
PRIZE_MESSAGES: dict[str, tuple[str, str]] = {
    "en": ("You won {prize}", "You won {prize} in {tournament}; it has been paid."),
    "bn": ("আপনি {prize} জিতেছেন", "{tournament}-এ আপনি {prize} জিতেছেন; তা প্রদান করা হয়েছে।"),
}


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def words(kind: NotificationType, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """The title and body of `kind` in `language` (English when not translated)."""
    by_language = MESSAGES[kind]
    if kind is T.PAYOUT_PAID and context.get("prize"):
        by_language = PRIZE_MESSAGES
    title, body = by_language.get(language) or by_language["en"]
    values = _Blank(context)
    return title.format_map(values), body.format_map(values)
