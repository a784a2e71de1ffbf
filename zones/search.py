"""Finding a unit the way staff type it: by code, by name without diacritics, and by
"name, parent name" (or "name parent name") when a name repeats across districts.

>>> import pandas as pd
>>> units = pd.DataFrame({"name": ["Tỉnh Kiên Giang", "Thành phố Rạch Giá", "Huyện Châu Thành",
...                                "Phường Vĩnh Lạc", "Xã Vĩnh Hòa Hiệp"],
...                       "level": ["province", "district", "district", "commune", "commune"],
...                       "parent_code": [None, "91", "91", "899", "902"]},
...                      index=["91", "899", "902", "30745", "30900"])
>>> finder = Finder(units)
>>> finder.find("vinh lac")
['30745']
>>> finder.find("30745"), finder.find("899")[:1]
(['30745'], ['899'])
>>> finder.find("vinh, chau thanh"), finder.find("vinh rach gia")
(['30900'], ['30745'])
"""

from __future__ import annotations

import pandas as pd

from geodata.names import fold

LEVEL_RANK = {"province": 0, "district": 1, "commune": 2, "hamlet": 3}


def _key(text: str) -> str:
    """A query part folded like the names ("xa" alone stays "xa", not "")."""
    return fold(text) or fold(text, drop_prefix=False)


class Finder:
    """The search over one set of units (built once per data version)."""

    def __init__(self, units: pd.DataFrame) -> None:
        self.codes = [str(c) for c in units.index]
        self.name = {str(c): fold(n) for c, n in units["name"].items()}
        self.level = {str(c): lv for c, lv in units["level"].items()}
        parent = {str(c): (str(p) if isinstance(p, str) and p else None)
                  for c, p in units["parent_code"].items()}
        # the folded names of every ancestor, joined: "rach gia kien giang"
        self.above: dict[str, str] = {}
        for code in self.codes:
            names, seen, p = [], {code}, parent.get(code)
            while p and p not in seen and p in self.name:
                names.append(self.name[p])
                seen.add(p)
                p = parent.get(p)
            self.above[code] = " ".join(names)

    def _rank(self, code: str, query: str, key: str) -> tuple:
        name = self.name[code]
        by_code = 0 if code == query else 1 if code.startswith(query) else 2
        by_name = 0 if name == key else 1 if name.startswith(key) else 2
        return by_code, by_name, LEVEL_RANK.get(self.level[code], 9), name, code

    def find(self, query: str, limit: int = 20) -> list[str]:
        """Codes of the units matching ``query`` (the provinces when it is empty), best
        first: the code itself, codes
        starting with it, then names (exact, starting with, containing), provinces
        before districts before communes. "name, parent" narrows by an ancestor; without
        a comma, a query no name contains is tried as "name parent" at each space."""
        text = (query or "").strip()
        if not text:  # where to start: the top of the tree
            return [c for c in self.codes if self.level[c] == "province"][:limit]
        if "," in text:
            head, _, rest = text.partition(",")
            splits = [(_key(head), _key(rest))]
        else:
            key = _key(text)
            hits = [c for c in self.codes if c.startswith(text) or (key and key in self.name[c])]
            if hits:
                return sorted(hits, key=lambda c: self._rank(c, text, key))[:limit]
            words = text.split()  # "Vĩnh Hòa Huyện Châu Thành": the parent's prefix too
            splits = [(_key(" ".join(words[:i])), _key(" ".join(words[i:])))
                      for i in range(1, len(words))]
        for name_key, parent_key in splits:
            if not name_key:
                continue
            hits = [c for c in self.codes if name_key in self.name[c]
                    and (not parent_key or parent_key in self.above[c])]
            if hits:
                return sorted(hits, key=lambda c: self._rank(c, text, name_key))[:limit]
        return []
