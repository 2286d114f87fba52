@seed-002
Feature: Flxpoint uses Amazon FBA as a source over SP-API
  A Flxpoint-style integration reads FBA inventory from Amazon's reports, sends fulfillment requests for its
  orders to Amazon, and imports the shipments Amazon made, all against a mock that moves on its own clock.

  Background:
    Given a seller connected with a refresh token
    And the seller's catalog has FBA and merchant-fulfilled listings

  @F002-1
  Scenario: The access token is renewed before it expires and after Amazon refuses it
    When the integration reads orders
    Then it has asked Login with Amazon for 1 access token
    When 3570 seconds pass and the integration reads orders again
    Then it has asked Login with Amazon for 2 access tokens
    When Amazon revokes the token and the integration reads orders again
    Then it has asked Login with Amazon for 3 access tokens
    And Amazon answered at most one call with 403

  @F002-2 @F002-5
  Scenario: Only SELLABLE rows count, several SELLABLE rows of a SKU are summed, and every run keeps its reports
    Given the FBA SKU has 3 sellable units at PHX7 and 4 at ONT8, and 9 unsellable at ONT8
    When the inventory job runs
    Then the SKU's quantity is 7, taken from the AFN inventory report
    And the run kept the raw and the parsed copies of both reports
    When the inventory job runs again
    Then every catalog SKU has a quantity again, as a full feed

  @F002-3
  Scenario Outline: The include-FBM toggle adds the merchant-fulfilled quantity
    Given the merchant-fulfilled SKU has 11 units listed
    When the inventory job runs with include FBM <toggle>
    Then the merchant-fulfilled SKU's quantity is <quantity>

    Examples:
      | toggle | quantity |
      | on     | 11       |
      | off    | 0        |

  @F002-4
  Scenario: A SKU missing from both reports is looked up in the FBA Inventory API before it defaults to 0
    Given a SKU that only the FBA Inventory API knows, with 6 fulfillable units
    And a SKU that nobody knows
    When the inventory job runs with the fallback flag on
    Then the API-only SKU's quantity is 6, taken from the FBA Inventory API
    And the unknown SKU's quantity is 0, by default
    And the FBA Inventory API was asked in batches of at most 50 SKUs

  @F002-6 @F002-7 @F002-8
  Scenario: Fulfillment requests sent by feed are accepted or rejected one by one, and re-sending is harmless
    Given fulfillment requests:
      | request | shipping method | problem            |
      | FR-1    | Standard        |                    |
      | FR-2    | Expedited       | PO box address     |
      | FR-3    | Priority        | unknown SKU        |
      | FR-4    | Standard        | zero quantity      |
      | FR-5    | Standard        | bad state code     |
    When the integration sends them by feed
    Then request FR-1 is accepted
    And requests FR-2, FR-3, FR-4 and FR-5 are rejected with a reason each
    When the integration sends FR-1 again
    Then Amazon holds exactly one fulfillment order for FR-1

  @F002-8
  Scenario: An unmapped shipping method is not guessed
    Given a fulfillment request FR-9 with shipping method "Overnight"
    When the integration prepares it
    Then it is refused because the method is not mapped to Standard, Expedited or Priority

  @F002-9
  Scenario: Requests are held for X hours and sent only during business hours
    Given the account's time zone is America/New_York with business hours 9 to 17 on weekdays
    And requests are held for 2 hours
    When an order arrives on Friday at 17:00 New York time
    Then its request is released on Monday at 09:00 New York time
    And on Saturday it waits, and on Monday at 09:00 it is sent

  @F002-9
  Scenario: With automatic sending off, requests wait for a person
    Given automatic sending of fulfillment requests is off
    When an order arrives on Friday at 17:00 New York time
    Then its request is left for a person to send, whatever the time

  @F002-6 @F002-10
  Scenario: Shipments are imported from the report over a look-back window, partial shipments included
    Given Amazon ships a fulfillment request FR-20 for 3 units in 2 shipments
    When the integration imports shipments over the last 15 days
    Then FR-20 has 2 shipment lines adding up to 3 units
    And every line has a tracking number, a carrier, a service level and a ship date

  @F002-2
  Scenario: A report that never finishes fails the run instead of using stale data
    Given Amazon takes 10 hours to process reports
    When the inventory job runs, giving up after 30 minutes
    Then the run fails saying the report did not finish

  @F002-6
  Scenario: A throttled or failing call is retried without creating anything twice
    Given Amazon fails the next 2 createFulfillmentOrder calls with 503 and throttles the rest
    When the integration sends fulfillment request FR-30 by the API, and then FR-31
    Then both are accepted
    And Amazon holds exactly one fulfillment order each for FR-30 and FR-31
