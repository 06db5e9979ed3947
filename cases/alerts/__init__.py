"""E-mail alerts without an account: follow a search, a case or a board, confirmed by a
signed link (double opt-in); a daily digest of new public handlingar, saying why each is
there; one-click unsubscribe in every mail.

models.py   subscriptions and what each address has been sent
tokens.py   the signed links (confirm, unsubscribe, the address's page)
services.py subscribe, confirm, stop (writes)
digest.py   the daily digest: what is new for whom, the mails, what was sent
mails.py    the mails themselves (headers for one-click unsubscribe)
views.py    the forms and pages
"""
