"""Locust visitors for bench/load.py: the mix of what people do on the public site.

Targets (real numbers, words and boards of the bench corpus) come from the JSON file in
NP_LOAD_TARGETS, written by bench/load.py; each visitor asks NP_LOAD_USER_RATE pages a second
and waits for each answer (``constant_throughput``): the offered load is visitors x rate while
the server keeps up, less when pages take longer than 1 / rate (bench/load.py then counts the
step as over: fewer than 90 % of the offered pages answered).
"""

import json
import os
import random

from locust import HttpUser, constant_throughput, task

TARGETS = json.loads(open(os.environ["NP_LOAD_TARGETS"], encoding="utf-8").read())
RATE = float(os.environ.get("NP_LOAD_USER_RATE", "1"))


class Visitor(HttpUser):
    wait_time = constant_throughput(RATE)

    def _search(self, name: str, **params) -> None:
        self.client.get("/sok/", params=params, name=name)

    @task(20)
    def dnr_lookup(self):
        # A dnr in any spelling redirects to the case page (counted as one visit).
        self._search("dnr", q=random.choice(TARGETS["dnr_spellings"]))

    @task(20)
    def topic_word(self):
        self._search("ord", q=random.choice(TARGETS["words"]))

    @task(8)
    def phrase(self):
        self._search("fras", q=random.choice(TARGETS["phrases"]))

    @task(12)
    def filtered(self):
        params = dict(random.choice(TARGETS["filters"]))
        self._search("filter", **params)

    @task(25)
    def case_page(self):
        self.client.get(random.choice(TARGETS["case_urls"]), name="ärende")

    @task(5)
    def board_page(self):
        self.client.get(random.choice(TARGETS["board_urls"]), name="nämnd")

    @task(2)
    def export(self):
        self.client.get(
            "/sok/export.csv", params={"q": random.choice(TARGETS["export_words"])}, name="export"
        )
