"""models.text: normalisation with offset maps, and UTF-16 <-> code-point offsets."""
import pytest

from models.text import NormalizedText, cp_to_utf16, normalize, normalize_with_map, utf16_to_cp


def test_full_width_digits_letters_and_ideographic_space_keep_length():
    text = "电话：１３９０５９１２３４５　ＡＢｃ＠"
    norm, mapping = normalize_with_map(text)
    assert norm == "电话:13905912345 ABc@"
    assert mapping == list(range(len(text)))


def test_ocr_confusions_fixed_only_inside_digit_runs():
    assert normalize("身份证35O1O2l98703154511") == "身份证350102198703154511"
    assert normalize("Oil and IBM, lol@qq.com, O2O") == "Oil and IBM, lol@qq.com, O2O"
    assert normalize("hello12345") == "hello12345"  # touches other letters: a word, not a number


def test_dropped_and_expanded_characters_map_back_to_original():
    text = "a\u200b1…2"  # zero-width space dropped, ellipsis expands to three dots
    nt = NormalizedText.of(text)
    assert nt.text == "a1...2"
    assert nt.index_map[:6] == (0, 2, 3, 3, 3, 4)
    assert nt.to_original(0, 2) == (0, 3)  # "a1" covers the dropped zero-width space
    assert nt.to_original(2, 5) == (3, 4)  # the three dots are the one ellipsis
    with pytest.raises(ValueError):
        nt.to_original(3, 3)


def test_span_over_full_width_id_covers_text_as_written():
    text = "身份证号：３５０１０２　１９８７０３１５　４５１１。"
    nt = NormalizedText.of(text)
    s = nt.text.index("350102")
    start, end = nt.to_original(s, s + len("350102 19870315 4511"))
    assert text[start:end] == "３５０１０２　１９８７０３１５　４５１１"


def test_utf16_offsets_outside_bmp():
    text = "𠮷林碧军𠮷，电话"
    assert cp_to_utf16(text, 0) == 0
    assert cp_to_utf16(text, 1) == 2  # 𠮷 is two UTF-16 units
    assert cp_to_utf16(text, 5) == 7
    assert cp_to_utf16(text, len(text)) == len(text.encode("utf-16-le")) // 2
    for i in range(len(text) + 1):
        assert utf16_to_cp(text, cp_to_utf16(text, i)) == i
    with pytest.raises(ValueError, match="surrogate"):
        utf16_to_cp(text, 1)
    with pytest.raises(ValueError):
        utf16_to_cp(text, 99)
    with pytest.raises(ValueError):
        cp_to_utf16(text, -1)


def test_rejects_non_text():
    with pytest.raises(TypeError):
        normalize_with_map(b"abc")  # type: ignore[arg-type]


def test_ocr_fix_before_an_id_check_character():
    damaged = "l101051949123lOO2X"  # 11010519491231002X with 1->l and 0->O, ending in X
    assert normalize(f"身份证{damaged}。") == "身份证11010519491231002X。"


def test_map_matches_the_per_character_definition_on_random_text():
    """The fast translate path gives exactly the per-character NFKC result and map."""
    import random

    from models.text import _OCR_RUN, _fix_ocr_run, _normalize_char

    rng = random.Random(0)
    alphabet = list("０１２３Ａｂ＠　…\u200b㎡，。林𠮷OolI1234567890 -—X")
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        parts, ref_map = [], []
        for i, ch in enumerate(text):
            out = _normalize_char(ch) if ord(ch) > 127 else ch
            parts.append(out)
            ref_map += [i] * len(out)
        norm, mapping = normalize_with_map(text)
        assert mapping == ref_map
        assert norm == _OCR_RUN.sub(_fix_ocr_run, "".join(parts))
