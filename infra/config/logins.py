"""GitHub logins are identities, not names: `BastianZim` and `bastianzim` are one account.

The one place that says how two logins compare, which spelling of a known login is the canonical
one, and which known login an unknown one was probably meant to be. People data, runner grants and
the pull-request diff all compare logins through it.

```python
known = KnownLogins(["BastianZim", "beckermr"])
known.canonical("bastianzim")    # "BastianZim": the same account, spelled as first listed
known.canonical("bastian")       # None: not known
known.did_you_mean("beckemr")    # "beckermr"
```
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from difflib import get_close_matches


def login_key(login: str) -> str:
    """How GitHub compares logins: ignoring case (a login is ASCII letters, digits and hyphens)."""
    return login.casefold()


def same_login(a: str, b: str) -> bool:
    """Whether two spellings name one GitHub account."""
    return login_key(a) == login_key(b)


class KnownLogins:
    """A set of logins, looked up ignoring case; the first spelling given is the canonical one."""

    def __init__(self, logins: Iterable[str]) -> None:
        self._by_key: dict[str, str] = {}
        for login in logins:
            self._by_key.setdefault(login_key(login), login)

    def __contains__(self, login: object) -> bool:
        return isinstance(login, str) and login_key(login) in self._by_key

    def __iter__(self) -> Iterator[str]:
        """The canonical spellings, in the order first given."""
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def canonical(self, login: str) -> str | None:
        """The known spelling of ``login`` (any case), or None when it is not known."""
        return self._by_key.get(login_key(login))

    def did_you_mean(self, login: str) -> str | None:
        """For an unknown login, the known one it is closest to (a typo), if any is close."""
        if login in self:
            return None
        close = get_close_matches(login_key(login), list(self._by_key), n=1, cutoff=0.8)
        return self._by_key[close[0]] if close else None

    def hint(self, login: str) -> str:
        """`` (did you mean `X`?)`` for an unknown login close to a known one, else empty."""
        match = self.did_you_mean(login)
        return f" (did you mean `{match}`?)" if match else ""
