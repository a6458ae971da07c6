from django.utils import translation

from gridgov.ledger.templatetags.ledger_words import memo_words


def test_an_old_english_report_memo_reads_in_chinese():
    with translation.override("zh-hans"):
        assert memo_words("report #57") == "居民报事（第 57 号）"
        assert memo_words("Reverses #12") == "冲正第 12 笔"


def test_a_memo_someone_wrote_shows_as_written():
    assert memo_words("门口花坛修好了") == "门口花坛修好了"
    assert memo_words(None) == ""
