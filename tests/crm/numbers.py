"""E.164 forms of the phone numbers the CRM tests write in various ways."""

MOBILE = "+79001234567"  # written «8 900 123-45-67» by the shared `make_lead` fixture
LANDLINE = "+74951234567"  # a Moscow office line
