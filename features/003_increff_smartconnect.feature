@seed-003
Feature: Increff connects a warehouse to Amazon SmartConnect (Seller Flex, India)
  The integration pushes inventory one SKU at a time with sequence numbers, takes forward orders at ACCEPTED,
  confirms, packs, invoices, labels and hands them over, and follows cancellations, replacements and returns.
  The warehouse knows each product by the client's SKU (its EAN code); Amazon knows it by the merchant SKU, tied by
  the listing mapping. Every scenario also runs against a live mock (--mock-url).

  Background:
    Given a seller connected with a refresh token
    And a seller-flex site "BLR1" with 3 mapped listings and 10 units of each in the warehouse

  @F003-1
  Scenario Outline: Each program routes a real order differently
    Given the seller's catalog has FBA and merchant-fulfilled listings
    And the warehouse's location "DEL1" holds 5 units of the first merchant-fulfilled SKU
    And <order>
    And Amazon has verified the payment
    When the integration routes new orders and its warehouse ships what it must
    Then the integration routed the order as <program>
    And Amazon's record of the order shows <record>

    Examples:
      | program     | order                                                                   | record                                          |
      | FBA         | a buyer orders 1 unit of an FBA SKU                                     | it untouched by the integration                 |
      | SELLER_FLEX | Amazon places an order for 1 unit of the first SKU                      | it SHIPPED from the site with Amazon's label    |
      | SELF_SHIP   | a buyer orders 1 unit of a merchant-fulfilled SKU                       | it Shipped with the warehouse's own tracking    |
      | EASY_SHIP   | a buyer orders 1 unit of a merchant-fulfilled SKU with Easy Ship       | it packed and waiting for Amazon's pickup       |

  @F003-2 @F003-3 @client-python-amazon-sp-api
  Scenario: Inventory goes one SKU per call, at most 6 calls a second, with sequence numbers from 1
    When the integration pushes the warehouse quantity of every SKU
    Then each SKU went in a call of its own, no faster than 6 calls a second
    And Amazon holds sequence number 1 for each SKU at "BLR1"
    When the warehouse quantity of the first SKU changes to 4 and the integration pushes it
    Then Amazon holds sequence number 2 and 4 sellable units of the first SKU at "BLR1"

  @F003-3
  Scenario: A stale or repeated sequence number is rejected and changes nothing
    Given Amazon accepted sequence number 5 for the first SKU with 9 units
    When an update with sequence number 5 and 1 unit is sent for it
    Then it is rejected as a stale sequence number
    And Amazon holds sequence number 5 and 9 sellable units of the first SKU at "BLR1"

  @F003-3
  Scenario: Sequence numbers survive a restart of the integration
    Given the integration keeps its sequence numbers in a file
    When the integration pushes the first SKU, restarts, and pushes it again
    Then the second push carried sequence number 2 and was accepted without a stale retry

  @F003-3
  Scenario Outline: The latest sequence numbers are handed over from the system that pushed before
    Given another system pushed the first SKU at "BLR1" up to sequence number 7
    And the client <shares> the latest sequence numbers at "BLR1"
    When the integration pushes the first SKU
    Then the push <went>
    And Amazon holds sequence number 8 and 10 sellable units of the first SKU at "BLR1"

    Examples:
      | shares            | went                                              |
      | shares            | in one call, with no stale number                 |
      | does not share    | stale first, and was recovered with a fetch       |

  @F003-2 @F003-3
  Scenario: A thousand SKUs pushed on the virtual clock end equal to the warehouse
    Given 1000 more mapped SKUs with random warehouse quantities
    When the integration pushes the warehouse quantity of every SKU
    Then no stale sequence number was sent and no call was throttled
    And every SKU's sellable quantity at Amazon equals the warehouse's

  @F003-2 @F003-4
  Scenario: Onboarding asks for SmartConnect's scopes, and the code from the redirect connects the channel
    When the integration builds the consent URL for the seller
    Then it asks for the scopes smartconnect::inventories and smartconnect::orders, for a code sent to its redirect
    When the seller consents and the integration exchanges the code for the merchant ID and "BLR1"
    Then the channel holds the refresh token, the merchant ID and the location code "BLR1"
    And with it the integration pushes the first SKU and lists the orders at "BLR1"
    And Amazon's journal shows the code exchanged once

  @F003-4 @F003-5
  Scenario: A forward order is announced, pulled, taken at ACCEPTED and confirmed once
    Given the integration subscribes to shipment notifications
    When Amazon places an order for 2 units of the first SKU
    And the integration processes its saved notifications
    Then it took the order at ACCEPTED, with 2 units of the first client SKU allocated in the warehouse
    And Amazon holds the order as CONFIRMED
    And a second confirmation is refused because the order is already CONFIRMED

  @F003-4 @F003-5
  Scenario Outline: Migrating from a previous integrator needs its auto-confirm off, or new orders are missed
    Given a previous integrator still connected to the seller, with auto-confirm <auto_confirm>
    And Amazon places 2 orders of 1 unit of the first SKU
    When the previous integrator takes its new orders
    And the integration takes new orders at ACCEPTED
    Then the integration holds <taken> of them
    And Amazon holds the 2 orders as CONFIRMED

    Examples:
      | auto_confirm | taken |
      | on           | 0     |
      | off          | 2     |

  @F003-6
  Scenario: A self-ship order is routed and split across the warehouse's locations; a seller-flex order is not
    Given the seller's catalog has FBA and merchant-fulfilled listings
    And the warehouse's location "DEL1" holds 3 units of the first merchant-fulfilled SKU
    And the warehouse's location "BOM1" holds 4 units of the first merchant-fulfilled SKU
    And a buyer orders 6 units of a merchant-fulfilled SKU
    And Amazon has verified the payment
    And Amazon places an order for 2 units of the first SKU
    When the integration routes new orders and its warehouse ships what it must
    Then Amazon holds the self-ship order as Shipped in 2 packages: 4 units from "BOM1" and 2 from "DEL1"
    And Amazon holds the seller-flex order as SHIPPED, packed whole at "BLR1"
    And splitting a seller-flex order is refused

  @F003-7 @F003-9
  Scenario: Shipping is packages with four dimensions, then invoice and label, then handover
    Given an accepted and confirmed order for 1 unit of the first SKU
    When the integration packs it without a height
    Then packing fails naming the missing height
    When the integration packs it with the listing's dimensions, gets the invoice and the label, and hands it over
    Then the order is SHIPPED with a tracking ID

  @F003-7
  Scenario: A forward order's package is updated before its label, and Amazon holds the new measures
    Given an accepted and confirmed order for 1 unit of the first SKU
    When the integration packs it with Amazon's recommended package
    And the warehouse re-weighs the package at 0.85 kg and the integration updates the order's package at Amazon
    Then Amazon holds the order's package weighing 0.85 kg
    When the integration gets the invoice and the label, and hands it over
    Then the order is SHIPPED with a tracking ID

  @F003-7 @F003-14
  Scenario: Packed dimensions that disagree with the listing fail packing and make the listing inactive
    Given an accepted and confirmed order for 1 unit of the first SKU
    When the integration packs it 50% longer than the listing says
    Then packing fails and Amazon shows the listing inactive
    When the seller corrects the listing's dimensions
    Then Amazon shows the listing active again

  @F003-7 @F003-14
  Scenario: A listing without all four dimensions cannot be packed as recommended; captured dimensions pack it
    Given a mapped listing "SF-NODIM" without dimensions at Amazon, with 5 units pushed from "EAN-NODIM"
    And an accepted and confirmed order for 1 unit of "SF-NODIM"
    When the integration packs it with Amazon's recommended package
    Then packing fails naming a dimension of 0
    When "Capture Packet Dimensions" is on and the packer enters 20 x 15 x 10 cm and 0.8 kg for "EAN-NODIM"
    And the integration packs it with Amazon's recommended package
    Then Amazon holds the order's package measuring 20 x 15 x 10 cm and weighing 0.8 kg

  @F003-8 @F003-9
  Scenario: Manifests are made locally from labelled orders, at most 100 each, and handed over
    Given the warehouse holds 120 units of the first SKU, pushed to Amazon
    And Amazon places 101 orders of 1 unit of the first SKU
    When the integration takes new orders at ACCEPTED
    And the integration packs and labels every order
    And the integration makes manifests
    Then there are manifests of 100 and 1 orders, every labelled order in one of them
    And making them made no call to Amazon
    When the integration hands over every manifest
    Then Amazon holds all 101 orders as SHIPPED

  @F003-10
  Scenario: Order status is polled every 5 seconds, at most 6 calls a second, as Amazon's journal shows
    Given the warehouse holds 20 units of the first SKU, pushed to Amazon
    And Amazon places 12 orders of 1 unit of the first SKU
    When the integration polls the status of every order for 3 rounds
    Then Amazon's journal shows 36 getShipment calls
    And no second of Amazon's clock saw more than 6 of them
    And Amazon's journal shows each order polled every 5 seconds

  @F003-11
  Scenario: A customer's cancellation arrives as a notification and the integration processes it
    Given the integration subscribes to shipment notifications
    And Amazon places an order for 2 units of the first SKU
    And the integration processes its saved notifications
    When the customer cancels it
    And the integration processes its saved notifications
    Then the integration's order is cancelled and the warehouse released the 2 units
    And Amazon holds the order as CANCELLED by the marketplace, its 2 reserved units released

  @F003-11
  Scenario: A customer cannot cancel once the ship label exists
    Given an accepted and confirmed order for 1 unit of the first SKU
    When the integration packs it with Amazon's recommended package
    And the integration gets the invoice and the label
    Then the customer's cancellation is refused naming SHIPLABEL_GENERATED

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
  Scenario: Returns sync in, and their processed and cancelled updates arrive as events the integration applies
    Given the integration subscribes to return notifications
    And a shipped order for 1 unit of the first SKU
    And a shipped order for 1 unit of the second SKU
    When the customers of both orders open returns
    And the integration syncs return orders
    Then the integration expects 2 returns, as Amazon lists them
    When the second order's return is cancelled before pickup
    And 2 days pass
    And the integration processes its saved notifications
    Then the first return is processed and its unit is back in the warehouse
    And the second return is cancelled
    And each store return moved through its lifecycle to where Amazon's return stands

  @F003-14
  Scenario: Listing mapping ties client SKU, ASIN and merchant SKU per channel, and the integration works through it
    When the seller maps client SKU "EAN-0042" to merchant SKU "SF-042" with ASIN "B0TESTASIN"
    Then the mapping row is "EAN-0042", "B0TESTASIN", "SF-042" for "Amazon SF SmartConnect"
    And Amazon lists "SF-042" with ASIN "B0TESTASIN"
    When the warehouse receives 7 units of "EAN-0042" and the integration pushes it
    Then Amazon holds 7 sellable units of "SF-042" at "BLR1"
    When Amazon places an order for 1 unit of "SF-042"
    And the integration takes new orders at ACCEPTED
    Then the warehouse allocated 1 unit of "EAN-0042" to it

  @F003-1 @F003-9
  Scenario: Shipped SmartConnect orders are found in the Amazon Fulfilled Shipments report by their warehouse ID
    Given a shipped order for 1 unit of the first SKU
    And an accepted order for 1 unit of the second SKU
    When the integration reads the Amazon Fulfilled Shipments report
    Then it finds the shipped order as a SmartConnect order of "BLR1", by its warehouse ID
    And the accepted order is not in the report: only fulfilled orders are
