"""parse_untrusted: one hardened parser per thread, and every hostile shape refused on every use of it."""

from __future__ import annotations

import threading

import pytest

from scoregate.adapters.xmlsafe import parse_untrusted
from scoregate.core.errors import InvalidInput

HOSTILE = {
    "billion-laughs": b'<!DOCTYPE l [<!ENTITY a "aa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>',
    "external-entity": b'<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><x>&x;</x>',
    "external-dtd": b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd"><x/>',
    "parameter-entity": b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p"> %p;]><x/>',
    "too-deep": b"<a>" * 300 + b"</a>" * 300,
    "truncated": b"<a><b>",
    "empty": b"",
}


def _refusal(data: bytes) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_untrusted(data)
    return caught.value.violations[0].message


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_documents_are_refused_and_the_parser_stays_usable(name: str) -> None:
    message = _refusal(HOSTILE[name])
    expected = "DOCTYPE declarations are not accepted" if "DOCTYPE" in HOSTILE[name].decode() else "not well-formed XML"
    assert expected in message
    # The same (reused) parser reads the next document whole, comments dropped, entities untouched.
    root = parse_untrusted(b"<a><!-- c --><b>1 &amp; 2</b></a>")
    assert [child.text for child in root] == ["1 & 2"]


def test_each_thread_parses_with_its_own_parser() -> None:
    results: list[str] = []

    def work(n: int) -> None:
        for i in range(200):
            if i % 7 == 0:
                results.append(_refusal(HOSTILE["external-entity"])[:7])
            else:
                results.append(parse_untrusted(f"<a><b>{n}-{i}</b></a>".encode())[0].text)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(
        "DOCTYPE" if i % 7 == 0 else f"{n}-{i}" for n in range(4) for i in range(200)
    )


def test_the_size_limit_comes_before_parsing() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_untrusted(b"<!DOCTYPE x [<!ENTITY e 'e'>]><a>&e;</a>", max_bytes=10)
    assert "exceeds the limit of 10" in caught.value.violations[0].message
