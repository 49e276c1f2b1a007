"""Personal data typed into comments is masked before anyone reads it: IDs, phones, e-mails,
in Chinese sentences, in full-width characters, and nothing else is touched."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.platform.masking import REPLACEMENTS, findings, mask

ID, PHONE, EMAIL = (REPLACEMENTS[k] for k in ("national_id", "phone", "email"))


@pytest.mark.parametrize("text, expected", [
    ("我的身分證是A123456789，請查明", f"我的身分證是{ID}，請查明"),
    ("身分證字號ａ２２３４５６７８９謝謝", f"身分證字號{ID}謝謝"),          # full-width
    ("證號 F 123 456 789 辦錯了", f"證號 {ID} 辦錯了"),                    # typed with spaces
    ("居留證AB12345678", f"居留證{ID}"),                                    # old resident card
    ("新式居留證A800000014", f"新式居留證{ID}"),
    ("請回電0912345678", f"請回電{PHONE}"),
    ("手機 0912-345-678 找王先生", f"手機 {PHONE} 找王先生"),
    ("電話(02)2345-6789分機123", f"電話{PHONE}"),
    ("市話02-23456789", f"市話{PHONE}"),
    ("打 +886 912 345 678", f"打 {PHONE}"),
    ("打了２３４５－６７８９都沒人接", f"打了{PHONE}都沒人接"),              # full-width local
    ("聯絡我 wang.xm@example.com.tw 謝謝", f"聯絡我 {EMAIL} 謝謝"),
    ("信箱ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", f"信箱{EMAIL}"),
    ("A123456789和0912345678", f"{ID}和{PHONE}"),
])
def test_personal_data_is_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("text", [
    "等了45分鐘，很久",
    "2024-12-01 來辦戶籍謄本",
    "113/12/01 下午三點",
    "規費 1,200 元",
    "第 3 號櫃台的小姐很親切",
    "號碼牌 A123 等很久",
    "網址 www.example.gov.tw 查不到",
    "排隊排了20241201號",
    "",
])
def test_ordinary_text_is_left_alone(text):
    assert mask(text) == text


def test_none_passes_through():
    assert mask(None) is None


def test_findings_name_the_kind_and_the_span():
    text = "ID A123456789 tel 0912345678"
    found = findings(text)
    assert [(f.kind, text[f.start:f.end]) for f in found] == [
        ("national_id", "A123456789"), ("phone", "0912345678")]


@given(st.text(alphabet="0123456789", min_size=9, max_size=9),
       st.sampled_from("ABCDEFGHJKLMNPQRSTUVXYWZIO"),
       st.text(alphabet="服務很好慢謝", max_size=8), st.text(alphabet="服務很好慢謝", max_size=8))
def test_any_id_inside_chinese_text_never_survives(digits, letter, before, after):
    masked = mask(f"{before}{letter}{digits}{after}")
    assert digits not in masked
    assert masked == f"{before}{ID}{after}"
