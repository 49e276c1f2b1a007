"""The call-back form: a name or title, a phone number or an e-mail address, and consent.

What an elderly citizen types on a phone or a counter tablet: full-width digits and the spaces,
hyphens and brackets people write in numbers are all taken (folded with NFKC, then the
separators dropped), and each refusal says what to fix, in the page's language.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from webapp.platform.web.webforms import StrictForm

#: a Taiwan number as typed without separators: 0 and 8-10 digits (landline with area code,
#: mobile), or +886 / 886 and 8-9 digits; an extension after #
PHONE = re.compile(r"(?:0[0-9]{8,10}|\+?886[0-9]{8,9})(?:#[0-9]{1,5})?")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+")


def folded(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def phone_number(text: str | None) -> str | None:
    """The number as it will be dialled (digits, a leading +, an extension), or None."""
    kept = re.sub(r"[\s\-()（）.]", "", folded(text)).replace("分機", "#").replace("ext", "#")
    return kept if PHONE.fullmatch(kept) else None


class ContactForm(StrictForm):
    name = StringField(_l("怎麼稱呼您（例如：王先生、陳小姐）"), validators=[
        InputRequired(message=_l("請留下怎麼稱呼您。")), Length(max=40)])
    phone = StringField(_l("電話"), render_kw={"inputmode": "tel", "autocomplete": "off"})
    email = StringField(_l("電子郵件"), render_kw={"inputmode": "email", "autocomplete": "off"})
    consent = BooleanField(_l("我同意上述說明，請專人與我聯絡"), validators=[
        InputRequired(message=_l("請勾選同意，我們才能與您聯絡。"))])
    submit = SubmitField(_l("送出聯絡請求"))

    def validate_name(self, field) -> None:
        """Checked as it will be stored: blank space is no name, and NFKC can lengthen a name
        (one compatibility character becomes up to 18) past the column."""
        name = folded(field.data)
        if not name:
            raise ValidationError(_l("請留下怎麼稱呼您。"))
        if len(name) > 40:
            raise ValidationError(_l("稱呼請在 40 個字以內。"))

    def validate_consent(self, field) -> None:
        if field.data is not True:   # a posted "false" is a value, but not a yes
            raise ValidationError(_l("請勾選同意，我們才能與您聯絡。"))

    def validate_phone(self, field) -> None:
        if folded(field.data) and phone_number(field.data) is None:
            raise ValidationError(_l("電話號碼看起來不完整，請含區碼，例如 02-2345-6789 或 0912-345-678。"))

    def validate_email(self, field) -> None:
        text = folded(field.data)
        if text and (len(text) > 254 or EMAIL.fullmatch(text) is None):
            raise ValidationError(_l("電子郵件地址看起來不完整，例如 name@example.com。"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not folded(self.phone.data) and not folded(self.email.data) and not self.phone.errors:
            self.phone.errors = [_l("請留下電話或電子郵件其中一項，我們才能與您聯絡。")]
            return False
        return valid

    def details(self) -> dict:
        """What is stored: the name as typed (trimmed), the number as dialled, the address."""
        return {"name": folded(self.name.data), "phone": phone_number(self.phone.data),
                "email": folded(self.email.data) or None}
