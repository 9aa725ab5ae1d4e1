"""GitHub logins compare ignoring case; an unknown one is told the known login it resembles."""

from __future__ import annotations

from infra.config.logins import KnownLogins, login_key, same_login


def test_two_spellings_that_differ_only_in_case_are_one_login() -> None:
    assert same_login("BastianZim", "bastianzim")
    assert login_key("BastianZim") == login_key("BASTIANZIM")
    assert not same_login("bastianzim", "bastian-zim")


def test_any_spelling_of_a_known_login_gives_the_first_spelling_listed() -> None:
    known = KnownLogins(["BastianZim", "beckermr", "bastianzim"])
    assert known.canonical("bastianzim") == "BastianZim"
    assert known.canonical("BECKERMR") == "beckermr"
    assert known.canonical("bastian") is None
    assert "BASTIANZIM" in known
    assert "bastian" not in known
    assert list(known) == ["BastianZim", "beckermr"]
    assert len(known) == 2


def test_an_unknown_login_is_told_the_nearest_known_one_and_only_when_close() -> None:
    known = KnownLogins(["beckermr", "jakirkham", "BastianZim"])
    assert known.did_you_mean("beckemr") == "beckermr"
    assert known.did_you_mean("bastianzin") == "BastianZim"
    assert known.hint("jakirkam") == " (did you mean `jakirkham`?)"
    assert known.did_you_mean("somebody-else") is None
    assert known.hint("somebody-else") == ""


def test_a_known_login_in_another_case_needs_no_suggestion() -> None:
    known = KnownLogins(["beckermr"])
    assert known.did_you_mean("BeckerMR") is None
    assert known.hint("BeckerMR") == ""
