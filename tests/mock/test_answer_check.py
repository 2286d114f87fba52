"""The suite's mocks check every answer against Amazon's model (MockAmazon.check_answers): an answer that breaks it
is logged and becomes a 500 in Amazon's shape, so no test can pass over it."""
import os

from mock_amazon.core import CHECK_ANSWERS_ENV
from mock_amazon.pipeline import ANSWER_BREAKS_MODEL, Api, invoke
from tests.support import seeded_amazon

broken = Api("broken_orders", "ordersV0")


@broken.operation("getOrderItems")
def items_without_their_payload(call):
    return 200, {"payload": {"AmazonOrderId": 42}}  # OrderItems missing, the ID a number


def test_the_suite_turns_the_check_on():
    assert os.environ[CHECK_ANSWERS_ENV] == "1" and seeded_amazon().check_answers


def test_an_answer_that_breaks_its_model_is_a_logged_500(caplog):
    amazon = seeded_amazon()
    seller = amazon.seller
    token = amazon.auth.exchange({"grant_type": "refresh_token", "client_id": seller.client_id,
                                  "client_secret": seller.client_secret,
                                  "refresh_token": seller.refresh_token})["access_token"]
    reply = invoke(amazon, broken.routes["ordersV0.getOrderItems"], token, {"orderId": "111-0000000-0000000"})
    assert reply.status == 500 and ANSWER_BREAKS_MODEL in reply.body["errors"][0]["message"]
    assert any(ANSWER_BREAKS_MODEL in record.getMessage() for record in caplog.records)
    caplog.clear()  # the autouse check would (rightly) fail this test otherwise
    amazon.check_answers = False
    assert invoke(amazon, broken.routes["ordersV0.getOrderItems"], token, {"orderId": "1"}).status == 200
