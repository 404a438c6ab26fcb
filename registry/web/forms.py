"""The pages' inputs as WTForms forms: the search's query string (no CSRF: a GET that
changes nothing) and the subscription form (CSRF through Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    FloatField,
    Form,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.fields import DateField, EmailField, MultipleFileField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from registry.services.search import ANY_PROFILE
from registry.thresholds.model import FORMS

STATUS_CHOICES = [
    SelectChoice("", "Any status"),
    SelectChoice("fail", "Fail"),
    SelectChoice("warning", "Warning"),
    SelectChoice("incomplete", "Incomplete"),
    SelectChoice("pass", "Pass"),
]
PER_PAGE_CHOICES = [SelectChoice(n, n) for n in ("10", "25", "50", "100")]
SORT_CHOICES = [
    SelectChoice("newest", "Newest test first"),
    SelectChoice("oldest", "Oldest test first"),
]
MAX_PAGE = 10_000


class SearchForm(Form):
    """``/search``: every filter optional; the profile's choices are set per request."""

    q = StringField("Vendor, lot or product", [Optional(), Length(max=200)])
    status = SelectField("Status", choices=STATUS_CHOICES, default="")
    profile = SelectField("Judged under", default="")
    analyte = StringField("Analyte (name, symbol or code)", [Optional(), Length(max=60)])
    lab = StringField("Lab", [Optional(), Length(max=500)])
    tested_after = DateField("Tested on or after", [Optional()])
    tested_before = DateField("Tested on or before", [Optional()])
    sort = SelectField("Sort", choices=SORT_CHOICES, default="newest")
    per_page = SelectField("Per page", choices=PER_PAGE_CHOICES, coerce=int, default=25)
    page = IntegerField("Page", [Optional(), NumberRange(min=1, max=MAX_PAGE)], default=1)

    def set_profiles(self, codes: list[tuple[str, str]], default: str) -> None:
        self.profile.choices = [
            SelectChoice("", f"Default ({default})"),
            SelectChoice(ANY_PROFILE, "Any profile"),
            *(SelectChoice(code, name) for code, name in codes),
        ]


class SubscribeForm(FlaskForm):
    """``/subscribe``: an email address and what to hear about (double opt-in follows)."""

    email = EmailField(
        "Email address",
        [
            DataRequired(),
            Length(max=320),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="That does not look like an email address."
            ),
        ],
    )
    scope = SelectField(
        "Tell me about",
        choices=[
            SelectChoice("everything", "Every failing batch"),
            SelectChoice("vendor", "This vendor's batches"),
            SelectChoice("product", "This product's batches"),
        ],
        default="everything",
    )
    vendor = HiddenField()
    product = HiddenField()


class LoginForm(FlaskForm):
    """``/review/login``: an uploader or admin API token, kept as a session after."""

    token = PasswordField("API token", [DataRequired(), Length(max=200)])


class LogoutForm(FlaskForm):
    """``/review/logout``: a POST with its CSRF token, so no link can sign a person out."""


QUALIFIER_CHOICES = [
    SelectChoice("=", "= (a value)"),
    SelectChoice("<", "< (below)"),
    SelectChoice(">", "> (above)"),
    SelectChoice("nd", "Not detected (ND)"),
    SelectChoice("not_detected", "Not detected / absent"),
    SelectChoice("detected", "Detected"),
]


class ResultForm(FlaskForm):
    """A result's corrected value (in ``unit``, converted to the canonical unit)."""

    value = FloatField("Value", [Optional()])
    unit = StringField("Unit", [Optional(), Length(max=30)])
    qualifier = SelectField("Qualifier", choices=QUALIFIER_CHOICES, default="=")


class AddResultForm(ResultForm):
    analyte = StringField("Analyte (name, symbol or code)", [DataRequired(), Length(max=60)])
    page = IntegerField("Page", [Optional(), NumberRange(min=1, max=10_000)])


class DatesForm(FlaskForm):
    received = DateField("Received", [Optional()])
    tested = DateField("Tested", [Optional()])
    reported = DateField("Reported", [Optional()])


class BatchForm(FlaskForm):
    """The vendor, product and lot a reviewer reads on the certificate."""

    vendor = StringField("Vendor", [DataRequired(), Length(max=300)])
    product = StringField("Product", [Optional(), Length(max=500)])
    lot = StringField("Lot", [DataRequired(), Length(max=200)])


FORM_WORDS = {
    "leaf_powder": "Leaf powder",
    "capsules": "Capsules",
    "extract": "Extract",
    "tablet": "Tablet",
    "liquid_shot": "Liquid shot",
    "other": "Other",
    "unknown": "Unknown",
}
PRODUCT_FORM_CHOICES = [SelectChoice(f, FORM_WORDS.get(f, f)) for f in FORMS]


class ProductForm(FlaskForm):
    """The product's form and intake as its label says (rules read them)."""

    form = SelectField("Form", choices=PRODUCT_FORM_CHOICES, default="unknown")
    serving_g = FloatField("Serving (g)", [Optional(), NumberRange(min=0.001, max=1000)])
    servings_per_day = FloatField("Servings a day", [Optional(), NumberRange(min=0.01, max=100)])


class UploadForm(FlaskForm):
    """``/review/upload``: one or more COA PDFs (the API's limits apply to each)."""

    files = MultipleFileField("COA PDFs", [DataRequired()])
