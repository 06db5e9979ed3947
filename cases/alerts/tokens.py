"""The signed links in the mails. Signed with the secret key (django.core.signing), so
they cannot be guessed or altered; nothing is stored for them."""

from django.core import signing

CONFIRM_SALT = "alerts.confirm"
UNSUBSCRIBE_SALT = "alerts.unsubscribe"
ADDRESS_SALT = "alerts.address"

# A confirmation link works for a week; an unsubscribe link and the link to an address's
# page in any mail keep working (an old mail must still let its reader stop the mails).
CONFIRM_MAX_AGE = 7 * 24 * 3600


class BadToken(Exception):
    """The link is altered, cut short or too old."""


def confirm_token(subscription_id: int) -> str:
    return signing.dumps(subscription_id, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> int:
    return _read(token, CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)


def unsubscribe_token(*, subscription_id: int | None = None, email: str | None = None) -> str:
    """One subscription's stop link, or (``email``) the link that stops all of an address's
    (a digest speaks for all of them)."""
    value = {"s": subscription_id} if subscription_id is not None else {"e": email}
    return signing.dumps(value, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> dict:
    value = _read(token, UNSUBSCRIBE_SALT)
    if not isinstance(value, dict) or not ({"s"} == set(value) or {"e"} == set(value)):
        raise BadToken("Länken är inte giltig. Kontrollera att hela länken kom med.")
    return value


def address_token(email: str) -> str:
    return signing.dumps(email, salt=ADDRESS_SALT)


def read_address_token(token: str) -> str:
    return _read(token, ADDRESS_SALT)


def _read(token: str, salt: str, *, max_age: int | None = None):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise BadToken("Länken är för gammal. Bevaka igen för att få en ny länk.") from error
    except signing.BadSignature as error:
        raise BadToken("Länken är inte giltig. Kontrollera att hela länken kom med.") from error
