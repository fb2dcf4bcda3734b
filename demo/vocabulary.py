"""Built-in English vocabulary and a deterministic sentence generator.

The demo corpora need text that sounds like read speech without shipping any
book text, so sentences are assembled from a few hundred common words with a
tiny phrase grammar (subject, verb, object, optional place and manner). The
result is not meaningful prose, but its rhythm (function words, stressed
content words, clause pauses) is close enough to real reading for
self-supervised training and phone classification.
"""

from __future__ import annotations

import numpy as np

DETERMINERS = (
    "the",
    "a",
    "this",
    "that",
    "every",
    "one",
    "her",
    "his",
    "our",
    "their",
    "my",
    "your",
    "some",
    "no",
    "each",
    "another",
)

ADJECTIVES = (
    "old",
    "young",
    "little",
    "big",
    "small",
    "long",
    "short",
    "tall",
    "great",
    "good",
    "bad",
    "new",
    "dark",
    "bright",
    "cold",
    "warm",
    "quiet",
    "loud",
    "happy",
    "sad",
    "early",
    "late",
    "green",
    "red",
    "blue",
    "white",
    "black",
    "brown",
    "heavy",
    "light",
    "strange",
    "simple",
    "clever",
    "gentle",
    "proud",
    "rich",
    "poor",
    "busy",
    "empty",
    "full",
    "soft",
    "hard",
    "deep",
    "wide",
    "narrow",
    "quick",
    "slow",
    "wild",
    "calm",
    "famous",
    "hidden",
    "silver",
    "golden",
    "wooden",
    "ancient",
    "careful",
    "honest",
    "lonely",
    "sudden",
    "beautiful",
    "curious",
    "friendly",
    "hungry",
    "tired",
    "open",
    "broken",
)

NOUNS = (
    "man",
    "woman",
    "child",
    "boy",
    "girl",
    "king",
    "queen",
    "doctor",
    "teacher",
    "farmer",
    "captain",
    "soldier",
    "stranger",
    "friend",
    "mother",
    "father",
    "brother",
    "sister",
    "neighbour",
    "horse",
    "dog",
    "cat",
    "bird",
    "house",
    "room",
    "door",
    "window",
    "garden",
    "river",
    "road",
    "street",
    "village",
    "city",
    "town",
    "forest",
    "mountain",
    "valley",
    "field",
    "sea",
    "ship",
    "boat",
    "bridge",
    "tower",
    "castle",
    "church",
    "school",
    "market",
    "table",
    "chair",
    "book",
    "letter",
    "story",
    "song",
    "picture",
    "paper",
    "lamp",
    "fire",
    "water",
    "stone",
    "tree",
    "flower",
    "apple",
    "bread",
    "cup",
    "box",
    "bag",
    "coat",
    "hat",
    "key",
    "ring",
    "clock",
    "bell",
    "money",
    "answer",
    "question",
    "morning",
    "evening",
    "night",
    "winter",
    "summer",
    "island",
    "journey",
    "voice",
    "face",
    "hand",
    "heart",
    "name",
    "world",
    "country",
    "people",
    "music",
    "light",
    "rain",
    "wind",
    "snow",
    "sun",
    "moon",
    "star",
    "sky",
    "cloud",
    "shadow",
    "dream",
    "secret",
    "message",
    "carriage",
    "wagon",
    "kitchen",
    "library",
    "office",
)

TRANSITIVE_VERBS = (
    "saw",
    "found",
    "took",
    "gave",
    "left",
    "kept",
    "heard",
    "held",
    "brought",
    "carried",
    "opened",
    "closed",
    "watched",
    "followed",
    "remembered",
    "noticed",
    "painted",
    "visited",
    "answered",
    "asked",
    "called",
    "helped",
    "wanted",
    "needed",
    "liked",
    "loved",
    "knew",
    "met",
    "built",
    "broke",
    "bought",
    "sold",
    "read",
    "wrote",
    "pulled",
    "pushed",
    "touched",
    "cleaned",
    "filled",
    "lifted",
    "dropped",
    "turned",
    "showed",
    "told",
    "taught",
    "caught",
    "chose",
    "lost",
    "won",
    "passed",
    "crossed",
    "reached",
    "kissed",
    "guarded",
    "described",
    "discovered",
    "explained",
    "imagined",
    "admired",
)

INTRANSITIVE_VERBS = (
    "walked",
    "ran",
    "waited",
    "smiled",
    "laughed",
    "slept",
    "stood",
    "sat",
    "listened",
    "returned",
    "arrived",
    "stayed",
    "worked",
    "travelled",
    "whispered",
    "shouted",
    "danced",
    "sang",
    "cried",
    "wondered",
    "rested",
    "disappeared",
    "appeared",
    "hurried",
    "paused",
    "trembled",
    "nodded",
)

PREPOSITIONS = (
    "in",
    "on",
    "near",
    "under",
    "behind",
    "beside",
    "across",
    "along",
    "through",
    "over",
    "around",
    "inside",
    "outside",
    "towards",
    "beyond",
    "into",
    "past",
    "by",
    "with",
    "without",
)

ADVERBS = (
    "slowly",
    "quickly",
    "quietly",
    "gently",
    "carefully",
    "suddenly",
    "happily",
    "sadly",
    "often",
    "never",
    "always",
    "once",
    "again",
    "soon",
    "later",
    "already",
    "almost",
    "still",
    "together",
    "alone",
    "today",
    "yesterday",
    "finally",
    "easily",
    "nearly",
    "rarely",
    "really",
    "simply",
)

CONJUNCTIONS = ("and", "but", "so", "while", "because", "when", "until", "although")

SUBJECT_PRONOUNS = ("he", "she", "they", "we", "i", "you", "it", "nobody", "everyone")

ALL_WORDS = tuple(
    sorted(
        set(
            DETERMINERS
            + ("an",)
            + ADJECTIVES
            + NOUNS
            + TRANSITIVE_VERBS
            + INTRANSITIVE_VERBS
            + PREPOSITIONS
            + ADVERBS
            + CONJUNCTIONS
            + SUBJECT_PRONOUNS
        )
    )
)
"""Every word the sentence generator can produce, sorted and without repeats."""


class SentenceGenerator:
    """Deterministic generator of plausible English sentences.

    Sentences are sequences of clauses joined by conjunctions; each clause is a
    subject, a verb and optionally an object, a prepositional phrase and an
    adverb. All choices come from the given random generator, so the same
    generator state always yields the same sentence.

    Args:
        rng: Source of every random choice; the caller owns its seeding.
    """

    def __init__(self, rng: np.random.Generator):
        self._rng = rng

    def sentence(self, min_words: int) -> list[list[str]]:
        """Builds a sentence of at least `min_words` words.

        Args:
            min_words: Lower bound on the number of words; clauses are added
                until it is reached, so the result may be a few words longer.

        Returns:
            The clauses of the sentence, each a list of lowercase words; every
            clause after the first starts with its conjunction. Speaking the
            clauses with a comma between them gives natural pauses.
        """
        clauses = [self._clause()]
        while sum(len(clause) for clause in clauses) < min_words:
            clauses.append([self._pick(CONJUNCTIONS)] + self._clause())
        return clauses

    def _clause(self) -> list[str]:
        words = self._subject()
        if self._rng.random() < 0.25:
            words.append(self._pick(ADVERBS))
        if self._rng.random() < 0.35:
            words.append(self._pick(INTRANSITIVE_VERBS))
        else:
            words.append(self._pick(TRANSITIVE_VERBS))
            words.extend(self._noun_phrase())
        if self._rng.random() < 0.5:
            words.append(self._pick(PREPOSITIONS))
            words.extend(self._noun_phrase())
        if self._rng.random() < 0.2:
            words.append(self._pick(ADVERBS))
        return words

    def _subject(self) -> list[str]:
        if self._rng.random() < 0.3:
            return [self._pick(SUBJECT_PRONOUNS)]
        return self._noun_phrase()

    def _noun_phrase(self) -> list[str]:
        words = [self._pick(DETERMINERS)]
        if self._rng.random() < 0.5:
            words.append(self._pick(ADJECTIVES))
        words.append(self._pick(NOUNS))
        if words[0] == "a" and words[1][0] in "aeiou":
            words[0] = "an"
        return words

    def _pick(self, words: tuple[str, ...]) -> str:
        return words[int(self._rng.integers(len(words)))]
