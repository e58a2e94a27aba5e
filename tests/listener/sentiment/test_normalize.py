from listener.sentiment.normalize import MAX_CHARS, normalize


def test_links_and_handles_take_the_training_data_spelling():
    text = "@united thanks https://t.co/abc and www.example.com/x cc @AA_bot"
    assert normalize(text) == "@user thanks http and http cc @user"


def test_email_addresses_are_not_handles():
    assert normalize("write to help@united.com") == "write to help@united.com"


def test_html_entities_and_unicode_escapes_are_decoded():
    assert normalize("fish &amp; chips &lt;3") == "fish & chips <3"
    assert normalize(r"love it \u2764 \ud83d\ude00") == "love it ❤ 😀"


def test_a_lone_surrogate_escape_becomes_a_replacement_character_not_an_error():
    assert normalize(r"broken \ud83d escape") == "broken \ufffd escape"


def test_whitespace_is_folded():
    assert normalize("  so\n\n  slow\t today  ") == "so slow today"


def test_very_long_posts_are_cut():
    assert len(normalize("word " * 20_000)) <= MAX_CHARS


def test_empty_and_emoji_only_texts_pass_through():
    assert normalize("") == ""
    assert normalize(" 😡😡 ") == "😡😡"
