"""The form an analyst corrects a comment's reading with."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.platform.i18n import locale_code
from webapp.platform.web.webforms import StrictForm
from webapp.reporting.themes import shown


class CorrectionForm(StrictForm):
    themes = SelectMultipleField(_l("主題"), widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
    tone = RadioField(_l("語氣"), validators=[InputRequired(message=_l("請選擇語氣"))])
    submit = SubmitField(_l("儲存修正"))

    def __init__(self, *args, labels: dict[str, str] | None = None, **kwargs) -> None:
        """``labels``: the themes' labels when the page has them already (one form per
        comment on a page of fifty)."""
        super().__init__(*args, **kwargs)
        self.themes.choices = list((labels or shown.theme_labels(locale_code())).items())
        self.tone.choices = list(shown.tone_labels().items())
