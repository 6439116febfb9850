"""core.accounts: the password policy and user-name look-alikes, alone (no app, no database)."""
import pytest

from search_coord.core import accounts


@pytest.mark.parametrize("password, problem", [
    ("short-pw", "at least 10 characters"),
    ("x" * 201, "at most 200"),
    ("aaaaabbbbb", "different characters"),
    ("1234567890", "most common"),
    ("qwertyuiop", "most common"),
    ("Password2026!", "most common"),       # a common word with digits and punctuation around it
    ("  WOAINI1314 ", "most common"),       # case and edges do not hide it
    ("my-disp-secret", "user name"),        # contains the user name
    ("MY-DISP-SECRET", "user name"),
    ("ｍｙ－ｄｉｓｐ－ｓｅｃｒｅｔ", "user name"),  # fullwidth is the same after NFKC
    (12345678901, "text"),
    ("\ud800-lone-surrogate", "text"),
])
def test_refused_passwords(password, problem):
    assert problem in accounts.password_problem(password, "disp")


@pytest.mark.parametrize("password", ["tundra-lantern-42", "correct horse battery", " padded pass phrase ",
                                      "长城很长很长的密码啊"])
def test_accepted_passwords(password):
    assert accounts.password_problem(password, "disp") is None


def test_length_is_counted_as_sent_nothing_stripped():
    assert accounts.password_problem("   lamp-9x", "disp") is None          # 10 with the spaces
    assert "at least 10" in accounts.password_problem("lamp-9x", "disp")


def test_the_list_is_shipped_and_sizeable():
    common = accounts.common_passwords()
    assert len(common) > 500 and "password" in common and "123456" in common


def test_user_names_normalised_and_compared_case_folded():
    assert accounts.normalize_username(" ｄｉｓｐ ") == "disp"
    assert accounts.username_key("DISP") == accounts.username_key("disp") == accounts.username_key("ｄｉｓｐ")
    assert accounts.username_key("Straße") == accounts.username_key("STRASSE")


@pytest.mark.parametrize("name", ["disp", "DISP", "ｄｉｓｐ", "ԁisp", "ԁіѕр", "Disp"])
def test_look_alikes_of_an_existing_name_are_found(name):
    assert accounts.lookalike_of(name, ["off1", "disp"]) == "disp"


@pytest.mark.parametrize("name", ["disp2", "dispatch", "张三", "d1sp"])
def test_different_names_are_not_look_alikes(name):
    assert accounts.lookalike_of(name, ["off1", "disp"]) is None


def test_mixed_script_look_alike_is_deceptive_on_its_own():
    assert accounts.username_is_deceptive("ԁisp")          # Cyrillic d among Latin letters
    assert not accounts.username_is_deceptive("disp")
    assert not accounts.username_is_deceptive("张三")


@pytest.mark.parametrize("name", [
    "dıspatch",          # U+0131 dotless i (Latin, single script)
    "dispɑtch",          # U+0251 Latin alpha
    "dispatcħ",          # U+0127 h with stroke
    "dïspatch",          # a diacritic
    "dispatcĥ",
    "ḍispatch",
    "dispatc\u200dh",    # an invisible joiner
    "ԁіѕраtсh",          # all Cyrillic but t, h
    "DISPATCH",
    "ｄｉｓｐａｔｃｈ",
])
def test_single_script_look_alikes_share_the_skeleton(name):
    assert accounts.lookalike_of(name, ["off1", "dispatch"]) == "dispatch"


def test_the_skeleton_follows_the_unicode_confusables_table():
    assert accounts.lookalike_of("rnary", ["mary"]) == "mary"          # "rn" looks like "m"
    assert accounts.lookalike_of("Ian", ["lan"]) == "lan"              # capital I looks like small l
    assert accounts.lookalike_of("ian", ["Ian"]) == "Ian"              # the same name in another case
    assert accounts.lookalike_of("0liver", ["Oliver"]) == "Oliver"     # zero and capital O
    assert accounts.lookalike_of("张三", ["张二", "dispatch"]) is None
    assert accounts.lookalike_of("dispatcher", ["dispatch"]) is None
