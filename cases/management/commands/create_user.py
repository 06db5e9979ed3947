"""Create a staff account with a role: ``manage.py create_user NAMN --role ROLL --board NÄMND``."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from cases import accounts, queries
from cases.services import registering


class Command(BaseCommand):
    help = (
        "Skapar en användare i administrationen med en roll för angivna nämnder "
        "(registrator, namndsekreterare) eller som administratör. Finns användaren redan "
        "läggs rollen till."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username", help="Användarnamn")
        parser.add_argument("--role", required=True, choices=accounts.ROLES, help="Roll")
        parser.add_argument(
            "--board",
            action="append",
            default=[],
            help="Nämnd som användaren arbetar för: namn, kortnamn, webbnamn eller "
            "diarieprefix. Kan anges flera gånger.",
        )
        parser.add_argument("--email", default="", help="E-postadress")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Läs lösenordet från första raden på standard in (för skript). Annars "
            "frågar kommandot efter det.",
        )

    def handle(self, *args, username, role, board, email, password_stdin, **options):
        boards = []
        for value in board:
            found = queries.find_board(value)
            if found is None:
                raise CommandError(f"Okänd nämnd ”{value}”.")
            boards.append(found)
        stdin = options.get("stdin") or sys.stdin
        if password_stdin:
            password = stdin.readline().rstrip("\r\n")
        elif stdin.isatty():
            password = getpass.getpass("Lösenord: ")
            if password != getpass.getpass("Lösenord igen: "):
                raise CommandError("Lösenorden är inte lika.")
        else:
            password = None
        try:
            user, created = accounts.create_staff_user(
                username=username, role=role, boards=boards, email=email, password=password
            )
        except registering.RegisterError as error:
            raise CommandError(str(error)) from error
        where = f" för {', '.join(b.short_name for b in boards)}" if boards else ""
        action = "Skapade" if created else "Uppdaterade"
        self.stdout.write(f"{action} {user.get_username()}: {role}{where}.")
