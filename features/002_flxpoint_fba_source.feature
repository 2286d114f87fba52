@seed-002
Feature: Flxpoint uses Amazon FBA as a source over SP-API
  A Flxpoint-style integration reads FBA inventory and its catalogue from Amazon's reports, sends fulfillment
  requests for its orders to Amazon on a schedule, and imports the shipments Amazon made, all against a mock that
  moves on its own clock. Every scenario also runs against a live mock (--mock-url).

  Background:
    Given a seller connected with a refresh token
    And the seller's catalog has FBA and merchant-fulfilled listings

  @F002-1
  Scenario: The access token is renewed before it expires and after Amazon refuses it
    When the integration reads orders
    Then the integration has asked Login with Amazon for 1 access token
    When 3570 seconds pass
    And the integration reads orders
    Then the integration has asked Login with Amazon for 2 access tokens
    When Amazon revokes the seller's access tokens
    And the integration reads orders
    Then the integration has asked Login with Amazon for 3 access tokens
    And Amazon answered at most one call with 403

  @F002-2 @F002-5
  Scenario: Only SELLABLE rows count and are summed; every run keeps its reports and rewrites the whole pool
    Given Amazon holds the first FBA SKU as:
      | centre | sellable | unsellable |
      | PHX7   | 3        | 0          |
      | ONT8   | 4        | 9          |
    When the inventory job runs
    Then the pool holds 7 units of the first FBA SKU, taken from the AFN inventory report
    And the run kept both reports exactly as Amazon served them, and their parsed rows
    When a buyer orders 2 units of an FBA SKU
    And the inventory job runs
    Then the pool holds 5 units of the first FBA SKU, taken from the AFN inventory report
    And the second run wrote every SKU again, changed or not
    And the pool kept 2 runs, each with its raw and parsed reports

  @F002-3
  Scenario Outline: The include-FBM toggle adds the merchant-fulfilled quantity Amazon lists
    Given the seller lists 11 units of the first merchant-fulfilled SKU
    When the inventory job runs with include FBM <toggle>
    Then the pool holds <quantity> units of the first merchant-fulfilled SKU
    And every SKU in the pool has the FBA quantity Amazon reports<fbm>

    Examples:
      | toggle | quantity | fbm                                         |
      | on     | 11       | , plus the merchant-fulfilled quantity it lists |
      | off    | 0        |                                             |

  @F002-4 @client-python-amazon-sp-api
  Scenario: A SKU missing from both reports is looked up in the FBA Inventory API before it defaults to 0
    Given a SKU that only the FBA Inventory API knows, with 6 fulfillable units
    And 60 SKUs that nobody knows
    When the inventory job runs with the fallback flag on
    Then the pool holds 6 units of the API-only SKU, taken from the FBA Inventory API
    And the unknown SKUs hold 0 units, by default
    And the FBA Inventory API was asked for 50 SKUs and then for 11

  @F002-2
  Scenario: The catalogue import takes SKU, title and price from the listings report, and drops deleted SKUs
    When the catalogue import runs
    Then the catalogue holds every listing with the title, ASIN and price of the listings report, and no image URL
    When the seller deletes the first merchant-fulfilled listing at Amazon
    And the catalogue import runs
    Then the first merchant-fulfilled SKU is no longer in the catalogue

  @F002-2
  Scenario: Price and filter rules shape the catalogue
    Given a pricing rule of 20% above the report's price, and a filter that leaves out inactive listings
    And Amazon made the first merchant-fulfilled listing inactive
    When the catalogue import runs
    Then every imported price is the listings report's price plus 20%
    And the first merchant-fulfilled SKU is no longer in the catalogue

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
    Then Amazon holds exactly one multi-channel fulfillment order for FR-1

  @F002-6 @F002-7
  Scenario: The requests go as the SFR XML payload, and Amazon answers each
    Given fulfillment requests:
      | request | shipping method | problem            |
      | FR-60   | Standard        |                    |
      | FR-61   | Expedited       | PO box address     |
    When the integration sends them by feed as SFR XML
    Then request FR-60 is accepted
    And requests FR-61 are rejected with a reason each
    And Amazon received one POST_FULFILLMENT_ORDER_REQUEST_DATA feed, whose XML names FR-60 and FR-61
    And Amazon holds exactly one multi-channel fulfillment order for FR-60

  @F002-8
  Scenario: The shop's shipping methods reach Amazon as mapped; an unmapped one is not guessed
    Given the account sends fulfillment requests automatically, with the shipping method mapping:
      | shop method | Amazon method |
      | Ground      | Standard      |
      | 2-Day       | Expedited     |
      | Overnight   | Priority      |
    And shop orders come in shipped Ground, 2-Day, Overnight and Freight
    When the integration's sending schedule runs once
    Then Amazon holds 3 multi-channel fulfillment orders
    And Amazon ships the Ground, 2-Day and Overnight orders Standard, Expedited and Priority
    And the Freight request is refused, naming the mapping, and never reached Amazon

  @F002-9
  Scenario: Requests are held for X hours and sent only during business hours, on Amazon's clock
    Given the account sends fulfillment requests automatically, held for 2 hours, in business hours 9 to 17 on weekdays in America/New_York
    And it is Friday 17:00 in America/New_York
    And a shop order comes in for 1 unit of the first FBA SKU
    When the integration's sending schedule runs every hour for 19 hours
    Then Amazon holds no multi-channel fulfillment orders
    When the integration's sending schedule runs every hour for 48 hours
    Then Amazon holds 1 multi-channel fulfillment order
    And Amazon received it on Monday between 09:00 and 10:00 in America/New_York

  @F002-9
  Scenario: With automatic sending off, requests wait for a person whatever the hour
    Given the account sends fulfillment requests by hand, in business hours 9 to 17 on weekdays in America/New_York
    And it is Friday 17:00 in America/New_York
    And a shop order comes in for 1 unit of the first FBA SKU
    When the integration's sending schedule runs every hour for 72 hours
    Then Amazon holds no multi-channel fulfillment orders
    And the request waits for a person
    When a person sends it
    Then Amazon holds 1 multi-channel fulfillment order

  @F002-6
  Scenario: Every scheduled run sends a notification of what it sent and what Amazon answered
    Given the account sends fulfillment requests automatically by feed, with an order minimum of 50.00
    And fulfillment requests:
      | request | shipping method | problem            |
      | FR-70   | Standard        |                    |
      | FR-71   | Expedited       | PO box address     |
      | FR-72   | Standard        | small order        |
    When the integration's sending schedule runs every hour for 2 hours
    Then there are 2 run notifications
    And the first says 2 sent, 1 accepted and 1 rejected, and 1 held back by the order minimum
    And the second says nothing was sent
    And Amazon holds exactly one multi-channel fulfillment order for FR-70

  @F002-6 @F002-7
  Scenario: A QA engineer's scenario, written from the catalogue's steps alone
    Given Amazon cannot fulfil multi-channel orders
    And the account sends fulfillment requests automatically by feed
    And fulfillment requests:
      | request | shipping method | problem            |
      | FR-90   | Standard        |                    |
    When the integration's sending schedule runs once
    Then the first says 1 sent, 1 accepted and 0 rejected, and 0 held back by the order minimum
    And Amazon holds exactly one multi-channel fulfillment order for FR-90
    When Amazon plans the multi-channel orders
    Then Amazon holds every multi-channel fulfillment order as Unfulfillable

  @F002-6 @F002-10
  Scenario: Shipments are imported from the report over a look-back window, partial shipments included
    Given Amazon ships each multi-channel order in two shipments
    And Amazon ships a fulfillment request FR-20 for 3 units of two FBA SKUs
    When the integration imports shipments over the last 15 days
    Then FR-20 has 2 shipment lines adding up to 3 units
    And every line has the tracking number, carrier and ship date of Amazon's package

  @F002-2
  Scenario: A report that never finishes fails the run instead of using stale data
    Given Amazon takes 10 hours to process reports
    When the inventory job runs, giving up after 30 minutes
    Then the run fails saying the report did not finish

  @F002-6
  Scenario: A throttled or failing call is retried without creating anything twice
    Given Amazon fails the next 2 createFulfillmentOrder calls with 503
    And Amazon allows createFulfillmentOrder one call every 50 seconds
    When the integration sends fulfillment request FR-30 by the API, and then FR-31
    Then both are accepted
    And Amazon answered some calls with 503 and throttled some
    And Amazon holds exactly one multi-channel fulfillment order for FR-30 and FR-31
