"""Staff accounts: the first administrator, registrators and nämndsekreterare."""

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Board, BoardMembership
from .services import registering, roles

ADMINISTRATOR = "administrator"
ROLES = (*BoardMembership.Role.values, ADMINISTRATOR)


@transaction.atomic
def create_staff_user(
    *,
    username: str,
    role: str,
    boards: Sequence[Board] = (),
    email: str = "",
    password: str | None = None,
):
    """Create a staff account (or add to an existing one) with a role for the given boards.

    An administrator is a superuser and needs no boards; a registrator or nämndsekreterare
    works for at least one board. The password is checked by the configured validators.
    Returns the user and whether it was created.
    """
    username = username.strip()
    if not username:
        raise registering.RegisterError("Ange ett användarnamn.")
    if role not in ROLES:
        raise registering.RegisterError(
            f"Okänd roll ”{role}”. Välj {', '.join(ROLES[:-1])} eller {ROLES[-1]}."
        )
    if role != ADMINISTRATOR and not boards:
        raise registering.RegisterError("Ange minst en nämnd som användaren arbetar för.")
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        if password is None:
            raise registering.RegisterError("Ange ett lösenord för den nya användaren.")
        user = User(username=username, email=email.strip())
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise registering.RegisterError(" ".join(error.messages)) from error
        user.set_password(password)
    user.is_staff = True
    if role == ADMINISTRATOR:
        user.is_superuser = True
    if email.strip():
        user.email = email.strip()
    user.save()
    if role != ADMINISTRATOR:
        for board in boards:
            BoardMembership.objects.get_or_create(user=user, board=board, role=role)
    roles.ensure_role_permissions(user=user)
    return user, created
