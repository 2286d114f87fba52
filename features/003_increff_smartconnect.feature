@seed-003
Feature: Increff connects a warehouse to Amazon SmartConnect (Seller Flex, India)
  The integration pushes inventory one SKU at a time with sequence numbers, takes forward orders at ACCEPTED,
  confirms, packs, invoices, labels and hands them over, and follows cancellations, replacements and returns.

  Background:
    Given a seller connected with a refresh token
    And a seller-flex site "BLR1" with 3 mapped listings and 10 units of each in the warehouse

  @F003-1
  Scenario Outline: Each program routes an order differently
    Given an order of the <program> program
    Then the integration routes it to the <route>

    Examples:
      | program     | route               |
      | FBA         | nothing to do       |
      | SELLER_FLEX | seller-flex flow    |
      | SELF_SHIP   | warehouse flow      |
      | EASY_SHIP   | warehouse packs     |

  @F003-2 @F003-3
  Scenario: Inventory goes one SKU per call, at most 6 calls a second, with sequence numbers from 1
    When the integration pushes the warehouse quantity of every SKU
    Then each SKU went in a call of its own, no faster than 6 calls a second
    And Amazon accepted sequence number 1 for each SKU at "BLR1"
    When the warehouse quantity of one SKU changes to 4 and the integration pushes it
    Then Amazon accepted sequence number 2 for it and holds 4 sellable units

  @F003-3
  Scenario: A stale or repeated sequence number is rejected and changes nothing
    Given Amazon accepted sequence number 5 for the first SKU with 9 units
    When an update with sequence number 5 and 1 unit is sent for it
    Then it is rejected as a stale sequence number
    And Amazon still holds 9 sellable units of it

  @F003-3
  Scenario: Sequence numbers survive a restart of the integration
    Given the integration keeps its sequence numbers in a file
    When the integration pushes the first SKU, restarts, and pushes it again
    Then the second push carried sequence number 2 and was accepted without a stale retry

  @F003-2 @F003-3
  Scenario: A thousand SKUs pushed on the virtual clock end equal to the warehouse
    Given 1000 more mapped SKUs with random warehouse quantities
    When the integration pushes every SKU
    Then every SKU's sellable quantity at Amazon equals the warehouse's
    And no stale sequence number was sent and no call was throttled

  @F003-4 @F003-5
  Scenario: A forward order is announced, pulled, taken at ACCEPTED and confirmed once
    Given the integration subscribes to shipment notifications
    When Amazon places an order for 2 units of the first SKU
    Then a notification names the order as ACCEPTED
    And the integration pulls the order and finds it ACCEPTED
    When the integration confirms it
    Then the order is CONFIRMED
    And a second confirmation is refused because the order is already CONFIRMED

  @F003-6
  Scenario: Only self-ship orders are routed and split across locations
    Given stock of "SKU-A": 3 at "DEL1" and 4 at "BOM1"
    Then a self-ship order of 6 "SKU-A" is split as 4 from "BOM1" and 2 from "DEL1"
    And splitting a seller-flex order is refused

  @F003-7 @F003-9
  Scenario: Shipping is packages with four dimensions, then invoice and label, then handover
    Given an accepted and confirmed order for 1 unit of the first SKU
    When the integration packs it without a height
    Then packing fails naming the missing height
    When the integration packs it with the listing's dimensions, gets the invoice and the label, and hands it over
    Then the order is SHIPPED with a tracking ID

  @F003-7 @F003-14
  Scenario: Packed dimensions that disagree with the listing fail packing and make the listing inactive
    Given an accepted and confirmed order for 1 unit of the first SKU
    When the integration packs it 50% longer than the listing says
    Then packing fails and the listing is inactive
    When the seller corrects the listing's dimensions
    Then the listing is active again

  @F003-8
  Scenario: Manifests are made locally, at most 100 orders each
    Given 230 shipped orders to hand over
    When the integration makes manifests
    Then there are manifests of 100, 100 and 30 orders
    And no call was made to Amazon

  @F003-10
  Scenario: Order status is polled at most 6 calls a second
    Given 12 accepted orders
    When the integration polls the status of every order
    Then the polls went no faster than 6 calls a second

  @F003-11
  Scenario: A customer's cancellation arrives as a notification and is processed
    Given the integration subscribes to shipment notifications
    And an accepted order for 2 units of the first SKU
    When the customer cancels it
    Then a notification names the order as CANCELLED
    And Amazon released the 2 reserved units
    And the cancellation is refused once the ship label exists for another order

  @F003-11
  Scenario: The seller cancels by rejecting the order
    Given an accepted order for 1 unit of the first SKU
    When the integration rejects it as out of stock
    Then the order is CANCELLED as SELLER_REJECTED

  @F003-12
  Scenario: A replacement is a zero-value order that keeps the forward order's code
    Given a shipped order for 1 unit of the first SKU
    When Amazon places a replacement for it
    Then the integration pulls a REPLACEMENT order worth 0.00 that names the original order

  @F003-13
  Scenario: Returns sync in, and their processed and cancelled updates arrive as events
    Given the integration subscribes to return notifications
    And a shipped order for 1 unit of the first SKU
    And a shipped order for 1 unit of the second SKU
    When the first order's customer returns it and the second's return is cancelled
    And two days pass
    Then the integration lists 2 returns
    And events say one return was PROCESSED and one CANCELLED

  @F003-14
  Scenario: Listing mapping ties client SKU, ASIN and merchant SKU per channel
    When the seller maps client SKU "EAN-0042" to merchant SKU "SF-042" with ASIN "B0TESTASIN"
    Then the listing "SF-042" exists with ASIN "B0TESTASIN" for channel "Amazon SF SmartConnect"
