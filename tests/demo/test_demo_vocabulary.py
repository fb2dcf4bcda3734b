"""Tests of the built-in vocabulary and sentence generator."""

import numpy as np

from demo.vocabulary import ALL_WORDS, CONJUNCTIONS, SentenceGenerator


def test_vocabulary_has_a_few_hundred_plain_words():
    assert 300 <= len(ALL_WORDS) <= 1000
    assert list(ALL_WORDS) == sorted(set(ALL_WORDS))
    assert all(word.isalpha() and word.islower() for word in ALL_WORDS)


def test_sentences_are_reproducible_and_seed_dependent():
    def sentences(seed):
        generator = SentenceGenerator(np.random.default_rng(seed))
        return [generator.sentence(12) for _ in range(5)]

    assert sentences(3) == sentences(3)
    assert sentences(3) != sentences(4)


def test_sentences_reach_the_requested_length_from_the_vocabulary():
    generator = SentenceGenerator(np.random.default_rng(0))
    for min_words in (1, 5, 20, 40):
        clauses = generator.sentence(min_words)
        words = [word for clause in clauses for word in clause]
        assert min_words <= len(words) <= min_words + 20
        assert set(words) <= set(ALL_WORDS)
        assert all(clause[0] in CONJUNCTIONS for clause in clauses[1:])


def test_article_agrees_with_the_next_word():
    generator = SentenceGenerator(np.random.default_rng(1))
    words = [word for _ in range(300) for clause in generator.sentence(10) for word in clause]
    pairs = list(zip(words, words[1:]))
    assert any(first == "an" for first, _ in pairs)
    assert all(second[0] in "aeiou" for first, second in pairs if first == "an")
    assert all(second[0] not in "aeiou" for first, second in pairs if first == "a")
