"""The sandbox's fax accounts and the password check behind its WS-Security header."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"

RECEPTIONIST_USERNAME = "receptionist"
RECEPTIONIST_PASSWORD = "front-desk-2026"


@dataclass(frozen=True, slots=True)
class Account:
    """One sandbox account; its faxes and saved documents are invisible to other accounts."""

    username: str
    password: str = field(repr=False)


DEFAULT_ACCOUNTS: tuple[Account, ...] = (
    Account(DEMO_USERNAME, DEMO_PASSWORD),
    Account(RECEPTIONIST_USERNAME, RECEPTIONIST_PASSWORD),
)


def _same(a: str, b: str) -> bool:
    # Imported here: hmac loads OpenSSL (about 7 ms), and the app imports this module
    # for the demo account's name before its window first paints.
    import hmac

    # compare_digest only takes ASCII str; bytes lets non-ASCII passwords through safely.
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class AccountStore:
    """Checks a user name and password against the known accounts in constant time."""

    def __init__(self, accounts: Iterable[Account] = DEFAULT_ACCOUNTS) -> None:
        self._accounts = tuple(accounts)
        if len({a.username for a in self._accounts}) != len(self._accounts):
            raise ValueError("two sandbox accounts share a user name")

    @property
    def usernames(self) -> list[str]:
        return [a.username for a in self._accounts]

    def authenticate(self, username: str, password: str) -> Account | None:
        """The matching account, or None when the user name or password is wrong.

        Every account is compared in full whatever the input, so the time taken
        says nothing about which part was wrong or how much of it matched.
        """
        found: Account | None = None
        for account in self._accounts:
            name_ok = _same(account.username, username)
            password_ok = _same(account.password, password)
            if name_ok & password_ok:
                found = account
        return found
