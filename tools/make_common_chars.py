"""Generate dictionaries/common_chars.txt: the 4,000 Han characters that
carry most of the frequency of jieba's dictionary (the one gongbao's
tokenizer loads), most frequent first.

A page whose Han characters are mostly outside this set is not Chinese
text but a text layer mapped to the wrong code points (犐犆犛 for ICS).

Run: python3 tools/make_common_chars.py PATH/TO/jieba-rs/src/data/dict.txt > dictionaries/common_chars.txt
"""
import sys
from collections import Counter

freq = Counter()
for line in open(sys.argv[1], encoding="utf-8"):
    parts = line.split()
    if len(parts) < 2:
        continue
    word, n = parts[0], int(parts[1])
    for c in word:
        if "\u4e00" <= c <= "\u9fff":
            freq[c] += n
print("# The 4,000 most frequent Han characters of jieba's dictionary (tools/make_common_chars.py).")
# The sample county's characters stay out: no file of the library names it
# (tests/parser_rules.rs); a character missing here costs a page nothing.
chars = [c for c, _ in freq.most_common(4002) if c not in "孟盂"][:4000]
for i in range(0, len(chars), 50):
    print("".join(chars[i:i + 50]))
