@judge
Feature: A connector judged from Amazon's side
  The marketplace runs the conformance scenario, the connector under test works in it as it would in production,
  and only what Amazon saw (its records and its journal) and the seller's own systems decide. Run it against your
  connector with: pytest tests/judge/test_judge_features.py --connector-cmd "python my_connector.py"

  Background:
    Given the marketplace runs the conformance scenario
    When the connector under test runs

  Scenario: Merchant-fulfilled orders ship on time
    Then no order was shipped after its latest ship date

  Scenario: An order is shipped once
    Then no order item was confirmed twice under different tracking numbers

  Scenario: Seller-flex shipments are handled within Amazon's windows
    Then every seller-flex shipment was confirmed in time and handed over before its expected ship date

  Scenario: Webstore orders reach Amazon exactly once
    Then every webstore order became exactly one fulfillment order, and cancellations reached Amazon

  Scenario: Seller-flex stock is pushed in order
    Then sequence numbers only grew and Amazon's stock matches the warehouse

  Scenario: The connector respects Amazon's rate limits
    Then after every throttled call the connector waited for the bucket to refill

  Scenario: Access tokens are reused
    Then access tokens were reused until close to expiry

  Scenario: Requests are well formed
    Then no request was refused as malformed
