import unittest

from billing_client.client import BillingClient


class FakeSession:
    def __init__(self, answers):
        self.answers = list(answers)

    def request(self, method, url, timeout):
        return self.answers.pop(0)


class BillingClientTests(unittest.TestCase):
    def test_base_url_has_no_trailing_slash(self):
        self.assertEqual(BillingClient("http://x/", FakeSession([])).base_url, "http://x")
