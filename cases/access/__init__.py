"""Begär ut handling: a citizen asks for any handling, the owning board's registrators answer.

models    the order (what a person sent), one request per board, its items and its history
services  the writes: submit, decide, ask for and give a precisering, cancel (makulera)
workdays  Swedish working days (pure Python), for the one-working-day statistics
stats     the board's numbers: requests per month, answer times, share within a working day
forms     views     admin     the public basket and status page, the registrators' queue
"""
