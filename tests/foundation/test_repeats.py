"""The one "listed twice" helper every duplicate check in the configuration uses."""

from infra.config.base import repeated, repeats


def test_repeats_names_each_later_copy_and_the_first() -> None:
    assert list(repeats(["a", "b", "a", "c", "a"])) == [(2, "a", 0), (4, "a", 0)]


def test_repeats_compares_by_key() -> None:
    assert list(repeats(["Org/Repo", "org/repo"], key=str.casefold)) == [(1, "org/repo", 0)]


def test_repeated_lists_each_value_once_sorted() -> None:
    assert repeated(["b", "a", "b", "a", "b", "c"]) == ["a", "b"]
    assert repeated([]) == []
