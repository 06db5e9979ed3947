"""Stockholm's current and former boards (docs/domain.md). Only HV and KS are confirmed eDok
prefixes; registrators enter the others in the admin."""

import datetime

from django.db import migrations

D = datetime.date
# (name, short name, slug, kind, prefixes, valid from, valid to, successor slug)
BOARDS = [
    ("Bromma stadsdelsnämnd", "Bromma", "bromma", "stadsdelsnamnd", [], None, None, None),
    ("Enskede-Årsta-Vantörs stadsdelsnämnd", "Enskede-Årsta-Vantör", "enskede-arsta-vantor",
     "stadsdelsnamnd", [], None, None, None),
    ("Farsta stadsdelsnämnd", "Farsta", "farsta", "stadsdelsnamnd", [], None, None, None),
    ("Hägersten-Älvsjö stadsdelsnämnd", "Hägersten-Älvsjö", "hagersten-alvsjo",
     "stadsdelsnamnd", [], D(2020, 1, 1), None, None),
    ("Hässelby-Vällingby stadsdelsnämnd", "Hässelby-Vällingby", "hasselby-vallingby",
     "stadsdelsnamnd", ["HV"], None, None, None),
    ("Järva stadsdelsnämnd", "Järva", "jarva", "stadsdelsnamnd", [], D(2023, 7, 1), None, None),
    ("Kungsholmens stadsdelsnämnd", "Kungsholmen", "kungsholmen", "stadsdelsnamnd", [], None,
     None, None),
    ("Norra innerstadens stadsdelsnämnd", "Norra innerstaden", "norra-innerstaden",
     "stadsdelsnamnd", [], D(2023, 7, 1), None, None),
    ("Skarpnäcks stadsdelsnämnd", "Skarpnäck", "skarpnack", "stadsdelsnamnd", [], None, None,
     None),
    ("Skärholmens stadsdelsnämnd", "Skärholmen", "skarholmen", "stadsdelsnamnd", [], None, None,
     None),
    ("Södermalms stadsdelsnämnd", "Södermalm", "sodermalm", "stadsdelsnamnd", [], None, None,
     None),
    ("Rinkeby-Kista stadsdelsnämnd", "Rinkeby-Kista", "rinkeby-kista", "stadsdelsnamnd", [],
     None, D(2023, 6, 30), "jarva"),
    ("Spånga-Tensta stadsdelsnämnd", "Spånga-Tensta", "spanga-tensta", "stadsdelsnamnd", [],
     None, D(2023, 6, 30), "jarva"),
    ("Norrmalms stadsdelsnämnd", "Norrmalm", "norrmalm", "stadsdelsnamnd", [], None,
     D(2023, 6, 30), "norra-innerstaden"),
    ("Östermalms stadsdelsnämnd", "Östermalm", "ostermalm", "stadsdelsnamnd", [], None,
     D(2023, 6, 30), "norra-innerstaden"),
    ("Hägersten-Liljeholmens stadsdelsnämnd", "Hägersten-Liljeholmen", "hagersten-liljeholmen",
     "stadsdelsnamnd", [], None, D(2019, 12, 31), "hagersten-alvsjo"),
    ("Älvsjö stadsdelsnämnd", "Älvsjö", "alvsjo", "stadsdelsnamnd", [], None, D(2019, 12, 31),
     "hagersten-alvsjo"),
    ("Socialnämnden", "Socialnämnden", "socialnamnden", "facknamnd", [], None, None, None),
    ("Trafiknämnden", "Trafiknämnden", "trafiknamnden", "facknamnd", [], None, None, None),
    ("Stadsbyggnadsnämnden", "Stadsbyggnadsnämnden", "stadsbyggnadsnamnden", "facknamnd", [],
     None, None, None),
    ("Exploateringsnämnden", "Exploateringsnämnden", "exploateringsnamnden", "facknamnd", [],
     None, None, None),
    ("Fastighetsnämnden", "Fastighetsnämnden", "fastighetsnamnden", "facknamnd", [], None, None,
     None),
    ("Kulturnämnden", "Kulturnämnden", "kulturnamnden", "facknamnd", [], None, None, None),
    ("Idrottsnämnden", "Idrottsnämnden", "idrottsnamnden", "facknamnd", [], None, None, None),
    ("Äldrenämnden", "Äldrenämnden", "aldrenamnden", "facknamnd", [], None, None, None),
    ("Utbildningsnämnden", "Utbildningsnämnden", "utbildningsnamnden", "facknamnd", [], None,
     None, None),
    ("Arbetsmarknadsnämnden", "Arbetsmarknadsnämnden", "arbetsmarknadsnamnden", "facknamnd", [],
     None, None, None),
    ("Miljö- och hälsoskyddsnämnden", "Miljö- och hälsoskyddsnämnden",
     "miljo-och-halsoskyddsnamnden", "facknamnd", [], None, None, None),
    ("Servicenämnden", "Servicenämnden", "servicenamnden", "facknamnd", [], None, None, None),
    ("Stadsrevisionen", "Stadsrevisionen", "stadsrevisionen", "annan", [], None, None, None),
    ("Kommunstyrelsen", "Kommunstyrelsen", "kommunstyrelsen", "kommunstyrelse", ["KS"], None,
     None, None),
    ("Kommunfullmäktige", "Kommunfullmäktige", "kommunfullmaktige", "kommunfullmaktige", [],
     None, None, None),
]


def add_boards(apps, schema_editor):
    Board = apps.get_model("cases", "Board")
    by_slug = {}
    for name, short, slug, kind, prefixes, valid_from, valid_to, _ in BOARDS:
        by_slug[slug], _created = Board.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "short_name": short,
                "kind": kind,
                "dnr_prefixes": prefixes,
                "valid_from": valid_from,
                "valid_to": valid_to,
            },
        )
    for name, short, slug, kind, prefixes, valid_from, valid_to, successor in BOARDS:
        if successor:
            board = by_slug[slug]
            board.successor = by_slug[successor]
            board.save(update_fields=["successor"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_forbid_delete_and_extensions")]

    operations = [migrations.RunPython(add_boards, migrations.RunPython.noop)]
