@seed-001
Feature: A 3PL's Amazon integration takes orders into its warehouse and keeps Amazon up to date
  eFulfillment Service connects a seller's Amazon stores, checks each for orders ready to ship, injects them into
  the warehouse and acknowledges them, posts tracking back as the warehouse ships, and optionally sends warehouse
  quantities with the promised handling time. Every scenario also runs against a live mock (--mock-url).

  @F001-1
  Scenario: Two stores are connected, each under its own nickname with its own settings
    Given two sellers on Amazon
    When the 3PL connects the first seller in region "NA" as "Main store" with a fulfillment latency of 3 days
    And the 3PL connects the second seller in region "NA" as "Outlet" with a fulfillment latency of 2 days
    Then the 3PL has the stores "Main store" and "Outlet", each with its own refresh token and settings
    And a buyer's order at the second seller is found by "Outlet" and not by "Main store"

  @F001-1
  Scenario: A store needs a region Amazon serves, and an authorization is used only once
    Given two sellers on Amazon
    When the 3PL tries to connect the first seller in region "MARS" as "Main store"
    Then the connection is refused naming the regions NA, EU, FE
    When the 3PL connects the first seller in region "EU" as "Main store" with a fulfillment latency of 2 days
    And the same authorization code is used again to connect "Again"
    Then Login with Amazon refuses it and the 3PL has only the store "Main store"

  @F001-6 @F001-7
  Scenario: Orders ready to ship are injected, acknowledged, and their tracking posted
    Given a seller connected to the 3PL as "Main store"
    And the warehouse stocks the seller's merchant-fulfilled SKUs
    And Standard shipping is mapped to the warehouse service "USPS Priority"
    And a buyer orders 2 units of a merchant-fulfilled SKU with Standard shipping
    And Amazon has verified the payment
    When the 3PL checks "Main store" for orders
    Then the warehouse holds the order once, to ship by "USPS Priority"
    And the 3PL order is acknowledged, and Amazon shows the 3PL's order number as the seller order ID
    When the warehouse ships the order with tracking number "1Z999AA10123456784"
    And the 3PL checks "Main store" for orders
    Then Amazon holds the order as Shipped with tracking number "1Z999AA10123456784"
    And the 3PL order is fully shipped

  @F001-6
  Scenario: A failed warehouse injection is not acknowledged, and the order is taken on the next check
    Given a seller connected to the 3PL as "Main store"
    And the warehouse stocks the seller's merchant-fulfilled SKUs
    And Standard shipping is mapped to the warehouse service "USPS Priority"
    And a buyer orders 2 units of a merchant-fulfilled SKU with Standard shipping
    And Amazon has verified the payment
    And the warehouse refuses orders because "stock count in progress"
    When the 3PL checks "Main store" for orders
    Then the warehouse does not hold the order, and Amazon shows no seller order ID
    And the 3PL order notes say "not acknowledged: stock count in progress"
    When the warehouse takes orders again and the 3PL checks "Main store" for orders
    Then the warehouse holds the order once, to ship by "USPS Priority"
    And the 3PL order is acknowledged, and Amazon shows the 3PL's order number as the seller order ID

  @F001-6
  Scenario: Throttled and failing calls are retried without injecting or acknowledging anything twice
    Given a seller connected to the 3PL as "Main store"
    And the warehouse stocks the seller's merchant-fulfilled SKUs
    And Standard shipping is mapped to the warehouse service "USPS Priority"
    And 3 buyers each order 1 unit of a merchant-fulfilled SKU with Standard shipping
    And Amazon has verified the payment
    And Amazon fails the next 2 getOrderItems calls with 503
    And Amazon allows getOrders one call every 1000 seconds
    When the 3PL checks "Main store" for orders twice
    Then the warehouse holds 3 orders, each once, all acknowledged
    And Amazon answered some calls with 503 and throttled some
    And Amazon's journal shows one createFeed call

  @F001-8
  Scenario: An order whose shipping method is not mapped is held, not guessed
    Given a seller connected to the 3PL as "Main store"
    And the warehouse stocks the seller's merchant-fulfilled SKUs
    And Standard shipping is mapped to the warehouse service "USPS Priority"
    And a buyer orders 1 unit of a merchant-fulfilled SKU with Expedited shipping
    And Amazon has verified the payment
    When the 3PL checks "Main store" for orders
    Then the 3PL order is on hold with a note naming "Expedited"
    And the warehouse does not hold the order, and Amazon shows no seller order ID
    When Expedited shipping is mapped to the warehouse service "UPS 2nd Day Air"
    And the 3PL checks "Main store" for orders
    Then the warehouse holds the order once, to ship by "UPS 2nd Day Air"
    And the 3PL order is acknowledged, and Amazon shows the 3PL's order number as the seller order ID

  @F001-2 @F001-4 @client-python-amazon-sp-api
  Scenario: Only activated entries that exactly match warehouse SKUs are synced, with the handling time
    Given a seller connected to the 3PL as "Main store"
    And inventory sync is on with a fulfillment latency of 3 days
    And the warehouse has 40 units of the first SKU, 15 of the second and 9 of the third
    And the first SKU is activated, the second is activated as "NO-SUCH-WAREHOUSE-SKU", the third is not activated
    When the 3PL syncs inventory for "Main store"
    Then Amazon lists the first merchant-fulfilled SKU with 40 units and a handling time of 3 days
    And Amazon's quantities of the second and third SKUs are unchanged

  @F001-2 @F001-4
  Scenario: After a sync, only SKUs with activity are synced, and only they get the new handling time
    Given a seller connected to the 3PL as "Main store"
    And inventory sync is on with a fulfillment latency of 3 days
    And the warehouse has 40 units of the first SKU, 15 of the second and 9 of the third
    And the first, second and third SKUs are activated
    And the 3PL synced inventory for "Main store" 12 hours ago
    When the fulfillment latency becomes 5 days
    And the warehouse receives 10 units of the first SKU and counts 2 fewer of the second
    And the 3PL syncs inventory for "Main store"
    Then Amazon lists the first merchant-fulfilled SKU with 50 units and a handling time of 5 days
    And Amazon lists the second merchant-fulfilled SKU with 13 units and a handling time of 5 days
    And Amazon lists the third merchant-fulfilled SKU with 9 units and a handling time of 3 days

  @F001-3
  Scenario: Orders are checked every 30 minutes, inventory is synced at most every 12 hours
    Given a seller connected to the 3PL as "Main store"
    And inventory sync is on with a fulfillment latency of 2 days
    When the 3PL's schedule for "Main store" runs for 24 hours
    Then it checked for orders 49 times, 30 minutes apart
    And it synced inventory 3 times, 12 hours apart
    And asking for a sync every 6 hours is refused: at most every 12 hours

  @F001-3
  Scenario: A sync asked for sooner than 12 hours after the last one does nothing
    Given a seller connected to the 3PL as "Main store"
    And inventory sync is on with a fulfillment latency of 2 days
    And the warehouse has 40 units of the first SKU, 15 of the second and 9 of the third
    And the first, second and third SKUs are activated
    And the 3PL synced inventory for "Main store" 1 hours ago
    When the warehouse receives 10 units of the first SKU
    And the 3PL syncs inventory for "Main store"
    Then nothing was sent, because it synced less than 12 hours ago

  @F001-5
  Scenario Outline: A seller in Remote Fulfillment with FBA needs the integration's option on
    Given a seller connected to the 3PL as "Main store"
    And inventory sync is on with a fulfillment latency of 2 days
    And the warehouse has 40 units of the first SKU, 15 of the second and 9 of the third
    And the first, second and third SKUs are activated
    And the seller is enrolled in Remote Fulfillment with FBA and the option is <option>
    When the 3PL syncs inventory for "Main store"
    Then Amazon's quantity of the first SKU is <quantity>

    Examples:
      | option | quantity  |
      | Yes    | 40        |
      | No     | unchanged |

  @F001-2 @F001-7
  Scenario: Tracking goes back during the day, before the LatestShipDate that the handling time set
    Given a seller connected to the 3PL as "Main store"
    And inventory sync is on with a fulfillment latency of 3 days
    And the warehouse has 40 units of the first SKU, 15 of the second and 9 of the third
    And the first, second and third SKUs are activated
    And Standard shipping is mapped to the warehouse service "USPS Priority"
    And the 3PL synced inventory for "Main store" 1 hours ago
    And a buyer orders 1 unit of a merchant-fulfilled SKU with Standard shipping
    Then Amazon's LatestShipDate for the order is 3 days after the purchase
    When the 3PL's schedule for "Main store" runs for 2 hours
    And 5 hours pass
    And the warehouse ships the order with tracking number "1Z999AA10123456785"
    And the 3PL's schedule for "Main store" runs for 2 hours
    Then Amazon holds the order as Shipped with tracking number "1Z999AA10123456785"
    And Amazon received the order's tracking within 30 minutes of the warehouse shipping it
    And Amazon received the order's tracking before its LatestShipDate

  @F001-4
  Scenario: Stock shared with another cart reaches Amazon only at the next sync
    Given a seller connected to the 3PL as "Main store"
    And inventory sync is on with a fulfillment latency of 2 days
    And the warehouse has 40 units of the first SKU, 15 of the second and 9 of the third
    And the first, second and third SKUs are activated
    And the 3PL synced inventory for "Main store" 1 hours ago
    When another cart's order takes 30 units of the first SKU from the warehouse
    Then Amazon lists the first merchant-fulfilled SKU with 40 units and a handling time of 2 days
    When 12 hours pass
    And the 3PL syncs inventory for "Main store"
    Then Amazon lists the first merchant-fulfilled SKU with 10 units and a handling time of 2 days
    And the sync sent only the first SKU
